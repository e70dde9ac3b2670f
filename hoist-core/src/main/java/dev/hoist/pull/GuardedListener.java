package dev.hoist.pull;

import dev.hoist.reference.ImageReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields a pull from its listener: an exception thrown by the listener is logged and dropped. */
final class GuardedListener implements PullListener {
  private static final Logger log = LoggerFactory.getLogger(GuardedListener.class);
  private final PullListener delegate;

  GuardedListener(PullListener delegate) {
    this.delegate = delegate;
  }

  @Override
  public void pullStarted(ImageReference reference, String tagOrDigest) {
    guard(() -> delegate.pullStarted(reference, tagOrDigest));
  }

  @Override
  public void layer(LayerEvent event) {
    guard(() -> delegate.layer(event));
  }

  @Override
  public void warning(String message) {
    guard(() -> delegate.warning(message));
  }

  @Override
  public void pullFinished(PullResult result) {
    guard(() -> delegate.pullFinished(result));
  }

  private static void guard(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("pull listener failed; ignoring it", e);
    }
  }
}
