package dev.hoist.reference;

import static dev.hoist.reference.ReferenceGrammar.DEFAULT_DOMAIN;
import static dev.hoist.reference.ReferenceGrammar.OFFICIAL_PREFIX;

import dev.hoist.image.Digest;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * A normalised image reference: domain, path, and an optional tag and digest, such as {@code
 * docker.io/library/busybox:1.36}. Immutable and thread-safe.
 *
 * <p>{@link #parse} accepts what {@code docker pull} accepts and normalises it the same way
 * (distribution/reference {@code ParseNormalizedNamed}); {@link #toString} gives the fully
 * qualified form, and {@code parse(ref.toString())} equals {@code ref}.
 */
public final class ImageReference {
  private static final String DEFAULT_TAG = "latest";

  private final String domain;
  private final String path;
  private final String tag; // null when absent
  private final Digest digest; // null when absent

  private ImageReference(String domain, String path, String tag, Digest digest) {
    this.domain = domain;
    this.path = path;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * Parses a reference as docker does. A first component is taken as the domain when it contains
   * {@code .} or {@code :}, is {@code localhost}, or has upper-case letters; otherwise the domain
   * is {@code docker.io}. {@code index.docker.io} becomes {@code docker.io}, and a single-component
   * path on {@code docker.io} gets the {@code library/} prefix.
   *
   * @throws InvalidReferenceException with docker's message when the text is not a reference
   */
  public static ImageReference parse(String text) {
    Objects.requireNonNull(text, "text == null");
    if (ReferenceGrammar.IDENTIFIER.matcher(text).matches()) {
      throw new InvalidReferenceException(
          "invalid repository name (" + text + "), cannot specify 64-byte hexadecimal strings");
    }
    String[] split = splitDockerDomain(text);
    String remainder = split[1];
    int colon = remainder.indexOf(':');
    String remote = colon < 0 ? remainder : remainder.substring(0, colon);
    if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
      // Docker names everything before the first colon, even a digest algorithm, in this message.
      throw new InvalidReferenceException(
          "invalid reference format: repository name (" + remote + ") must be lowercase");
    }
    return parseQualified(split[0] + "/" + remainder);
  }

  /** Returns {domain, remainder}, as distribution/reference's {@code splitDockerDomain}. */
  private static String[] splitDockerDomain(String name) {
    int slash = name.indexOf('/');
    if (slash < 0) {
      // A single element is always a Docker Hub name, even "localhost" or "example.com".
      return new String[] {DEFAULT_DOMAIN, OFFICIAL_PREFIX + name};
    }
    String first = name.substring(0, slash);
    String rest = name.substring(slash + 1);
    String domain;
    if (first.equals(ReferenceGrammar.LEGACY_DEFAULT_DOMAIN)) {
      domain = DEFAULT_DOMAIN;
    } else if (first.equals(ReferenceGrammar.LOCALHOST)
        || first.contains(".")
        || first.contains(":")
        || !first.toLowerCase(Locale.ROOT).equals(first)) {
      domain = first;
    } else {
      return new String[] {DEFAULT_DOMAIN, name};
    }
    if (domain.equals(DEFAULT_DOMAIN) && rest.indexOf('/') < 0) {
      rest = OFFICIAL_PREFIX + rest;
    }
    return new String[] {domain, rest};
  }

  /** Parses {@code domain/path[:tag][@digest]}, as distribution/reference's {@code Parse}. */
  private static ImageReference parseQualified(String text) {
    Matcher m = ReferenceGrammar.REFERENCE.matcher(text);
    if (!m.matches()) {
      String lower = text.toLowerCase(Locale.ROOT);
      if (!lower.equals(text) && ReferenceGrammar.REFERENCE.matcher(lower).matches()) {
        throw new InvalidReferenceException("repository name must be lowercase");
      }
      throw new InvalidReferenceException("invalid reference format");
    }
    String path = m.group(2);
    if (path.length() > ReferenceGrammar.MAX_PATH_LENGTH) {
      throw new InvalidReferenceException("repository name must not be more than 255 characters");
    }
    if (m.group(1) == null) {
      // Docker would return a name without a domain here (e.g. "a_b.c/x"), which cannot be pulled.
      throw new InvalidReferenceException("invalid reference format");
    }
    return new ImageReference(m.group(1), path, m.group(3), parseDigest(m.group(4)));
  }

  private static Digest parseDigest(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidReferenceException("invalid reference format: " + e.getMessage(), e);
    }
  }

  /** The registry host, with a port when given: {@code docker.io}, {@code [::1]:5000}. */
  public String domain() {
    return domain;
  }

  /** The repository path within the registry: {@code library/busybox}. */
  public String path() {
    return path;
  }

  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  public Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  /** The fully qualified repository name, {@code domain/path}. */
  public String repository() {
    return domain + "/" + path;
  }

  /**
   * The repository name as docker shows it: without {@code docker.io/}, and without {@code
   * library/} when the rest has one component. {@code busybox}, {@code user/app}, {@code
   * localhost:5000/x}.
   */
  public String familiarName() {
    if (!domain.equals(DEFAULT_DOMAIN)) {
      return repository();
    }
    if (path.startsWith(OFFICIAL_PREFIX)) {
      String rest = path.substring(OFFICIAL_PREFIX.length());
      if (rest.indexOf('/') < 0) {
        return rest;
      }
    }
    return path;
  }

  /** The familiar name with the tag and digest, if present: {@code busybox:1.36}. */
  public String familiarString() {
    return withSuffixes(familiarName());
  }

  /** This reference with tag {@code latest} when it has neither tag nor digest; else this. */
  public ImageReference withDefaultTag() {
    return tag == null && digest == null ? withTag(DEFAULT_TAG) : this;
  }

  /**
   * This reference with the given tag; a digest is kept.
   *
   * @throws InvalidReferenceException ({@code invalid tag format}) when the tag is not valid
   */
  public ImageReference withTag(String tag) {
    Objects.requireNonNull(tag, "tag == null");
    if (!ReferenceGrammar.TAG.matcher(tag).matches()) {
      throw new InvalidReferenceException("invalid tag format");
    }
    return new ImageReference(domain, path, tag, digest);
  }

  /** This reference with the given digest; a tag is kept. */
  public ImageReference withDigest(Digest digest) {
    Objects.requireNonNull(digest, "digest == null");
    return new ImageReference(domain, path, tag, digest);
  }

  public ImageReference withoutTag() {
    return tag == null ? this : new ImageReference(domain, path, null, digest);
  }

  public ImageReference withoutDigest() {
    return digest == null ? this : new ImageReference(domain, path, tag, null);
  }

  private String withSuffixes(String name) {
    StringBuilder result = new StringBuilder(name);
    if (tag != null) {
      result.append(':').append(tag);
    }
    if (digest != null) {
      result.append('@').append(digest);
    }
    return result.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageReference other
        && domain.equals(other.domain)
        && path.equals(other.path)
        && Objects.equals(tag, other.tag)
        && Objects.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(domain, path, tag, digest);
  }

  /** The fully qualified form: {@code docker.io/library/busybox:1.36@sha256:…}. */
  @Override
  public String toString() {
    return withSuffixes(repository());
  }
}
