package dev.hoist.image;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:2cf24dba...}, as defined by the OCI image spec's descriptor
 * section. Instances are immutable; {@link #parse} and {@link #toString} round-trip.
 *
 * <p>Only {@code sha256} and {@code sha512} are accepted: they are the algorithms registered by the
 * spec, and a digest we cannot recompute is a digest we cannot verify.
 */
public final class Digest {
  private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512_HEX = Pattern.compile("[a-f0-9]{128}");

  private final String algorithm;
  private final String hex;

  private Digest(String algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /**
   * Parses {@code algorithm:hex}.
   *
   * @throws IllegalArgumentException if the text is not a sha256 or sha512 digest in canonical
   *     (lower-case hex) form
   */
  public static Digest parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("invalid digest (no algorithm): " + text);
    }
    String algorithm = text.substring(0, colon);
    String hex = text.substring(colon + 1);
    Pattern expected =
        switch (algorithm) {
          case "sha256" -> SHA256_HEX;
          case "sha512" -> SHA512_HEX;
          default -> throw new IllegalArgumentException(
              "unsupported digest algorithm " + algorithm + ": " + text);
        };
    if (!expected.matcher(hex).matches()) {
      throw new IllegalArgumentException("invalid " + algorithm + " digest: " + text);
    }
    return new Digest(algorithm, hex);
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return of("sha256", newSha256().digest(bytes));
  }

  /** The sha256 digest of the UTF-8 bytes of {@code text}. */
  public static Digest sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Wraps a finished hash of the given algorithm ({@code sha256} or {@code sha512}). */
  public static Digest of(String algorithm, byte[] hash) {
    return parse(algorithm + ":" + HexFormat.of().formatHex(hash));
  }

  /** A fresh SHA-256 {@link MessageDigest}; every JVM must provide one. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("SHA-256 is required of every JVM", e);
    }
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm, to recompute it. */
  public MessageDigest newHasher() {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(algorithm + " is required of every JVM", e);
    }
  }

  /** {@code sha256} or {@code sha512}. */
  public String algorithm() {
    return algorithm;
  }

  /** The lower-case hex encoding of the hash. */
  public String hex() {
    return hex;
  }

  /** The first 12 hex characters, as docker shows layer and image IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest other && algorithm.equals(other.algorithm) && hex.equals(other.hex);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + hex.hashCode();
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
