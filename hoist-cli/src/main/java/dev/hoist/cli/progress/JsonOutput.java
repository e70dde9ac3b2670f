package dev.hoist.cli.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.pull.LayerEvent;
import dev.hoist.pull.LayerStatus;
import dev.hoist.pull.PullResult;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;

/**
 * Docker Engine API pull messages, one JSON object per line, so that tools which parse
 * {@code POST /images/create} can parse hoist: {@code status}, {@code id},
 * {@code progressDetail {current, total}}, {@code progress} (the rendered bar, as engines before
 * v29 sent it), and {@code errorDetail} / {@code error}.
 */
final class JsonOutput implements PullOutput {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;

  JsonOutput(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void pullStarted(ImageReference reference, String tagOrDigest) {
    emit(status("Pulling from " + reference.path()).put("id", tagOrDigest));
  }

  @Override
  public void layer(LayerEvent e) {
    ObjectNode message = status(LayerTable.status(e));
    ObjectNode detail = message.putObject("progressDetail");
    if (e.status() == LayerStatus.DOWNLOADING || e.status() == LayerStatus.EXTRACTING) {
      detail.put("current", e.current());
      detail.put("total", e.total());
      message.put("progress", Units.progress(e.current(), e.total(), true));
    }
    message.put("id", e.id());
    emit(message);
  }

  @Override
  public void warning(String message) {
    emit(status(message).put("id", "WARNING"));
  }

  @Override
  public void pullFinished(PullResult result) {
    emit(status("Digest: " + result.digest()));
  }

  @Override
  public void line(String text) {
    emit(status(text));
  }

  @Override
  public void error(String message) {
    ObjectNode node = JSON.createObjectNode();
    node.putObject("errorDetail").put("message", message);
    node.put("error", message);
    emit(node);
  }

  @Override
  public void close() {
    out.flush();
  }

  private static ObjectNode status(String text) {
    return JSON.createObjectNode().put("status", text);
  }

  private synchronized void emit(ObjectNode message) {
    try {
      out.println(JSON.writeValueAsString(message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }
}
