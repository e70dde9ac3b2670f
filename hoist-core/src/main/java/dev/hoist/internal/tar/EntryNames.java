package dev.hoist.internal.tar;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Names inside a tar (entry names, link targets, paths that name entries): slash-separated and
 * relative to the tar's root on every host. Shared by unpacking a layer and reading an archive so
 * that both agree on where a name points.
 */
public final class EntryNames {
  private EntryNames() {}

  /**
   * {@code name} cleaned lexically: {@code .} and empty components dropped and {@code ..} applied,
   * so {@code ./a//b/../c/} is {@code a/c} and the root is {@code ""}. Empty when a {@code ..}
   * climbs above the root. A leading {@code /} is dropped like any empty component: whether an
   * absolute name is acceptable is the caller's decision.
   */
  public static Optional<String> clean(String name) {
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    if (!trimmed.isEmpty() && isClean(trimmed)) {
      return Optional.of(trimmed); // nearly every entry of a real layer ("usr/bin/"): no split
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.pollLast() == null) {
          return Optional.empty();
        }
      } else {
        parts.addLast(part);
      }
    }
    return Optional.of(String.join("/", parts));
  }

  /**
   * {@code name} cleaned as {@link #clean} does, if it names something inside the tar's root:
   * empty for an absolute name, one with a NUL byte, and one whose {@code ..} climbs out.
   */
  public static Optional<String> inside(String name) {
    if (name.startsWith("/") || name.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    return clean(name);
  }

  /** Whether {@code name} is already clean: relative, no empty, {@code .} or {@code ..} component. */
  private static boolean isClean(String name) {
    int start = 0;
    while (true) {
      int slash = name.indexOf('/', start);
      int end = slash < 0 ? name.length() : slash;
      int length = end - start;
      if (length == 0
          || (length <= 2 && name.charAt(start) == '.' && (length == 1 || name.charAt(start + 1) == '.'))) {
        return false;
      }
      if (slash < 0) {
        return true;
      }
      start = slash + 1;
    }
  }
}
