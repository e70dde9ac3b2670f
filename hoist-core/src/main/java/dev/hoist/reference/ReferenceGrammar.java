package dev.hoist.reference;

import java.util.regex.Pattern;

/**
 * The reference grammar of github.com/distribution/reference ({@code regexp.go}), translated to
 * Java patterns. Patterns are used with {@link java.util.regex.Matcher#matches()}, never with
 * {@code $}, which in Java would also match before a trailing line break.
 *
 * <p>Repeated groups are possessive ({@code *+}): Java matches a plain repeated group by recursion,
 * one stack frame per repetition, and overflows the stack on long input. Giving back a repetition
 * could never lead to a match, because nothing that may follow a component starts with one, so the
 * language is unchanged. For the same reason the long form of a domain component comes first.
 */
final class ReferenceGrammar {
  /** Docker Hub's domain in normalised names. */
  static final String DEFAULT_DOMAIN = "docker.io";

  /** The old name of Docker Hub ("the Docker Index"); normalised to {@link #DEFAULT_DOMAIN}. */
  static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";

  /** The namespace of Docker Hub's official images. */
  static final String OFFICIAL_PREFIX = "library/";

  /** Reserved name that is always taken as a domain. */
  static final String LOCALHOST = "localhost";

  /** The longest path docker accepts (RepositoryNameTotalLengthMax; the domain is not counted). */
  static final int MAX_PATH_LENGTH = 255;

  private static final String ALPHANUMERIC = "[a-z0-9]+";

  /** One period, one or two underscores, or any number of dashes. */
  private static final String SEPARATOR = "(?:[._]|__|[-]+)";

  private static final String PATH_COMPONENT =
      ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*+";
  private static final String PATH = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*+";

  private static final String DOMAIN_COMPONENT = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
  private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*+";

  /** Bracketed IPv6 literal; zone identifiers are deliberately excluded. */
  private static final String IPV6_ADDRESS = "\\[[a-fA-F0-9:]+\\]";

  private static final String DOMAIN_AND_PORT =
      "(?:" + DOMAIN_NAME + "|" + IPV6_ADDRESS + ")(?::[0-9]+)?";

  private static final String TAG_TEXT = "\\w[\\w.-]{0,127}";

  /** A well-formed digest; whether its algorithm is supported is {@code Digest}'s business. */
  private static final String DIGEST_TEXT =
      "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*+:[0-9a-fA-F]{32,}";

  /** A tag: a word character, then up to 127 word characters, periods or dashes. */
  static final Pattern TAG = Pattern.compile(TAG_TEXT);

  /** A bare image ID, which docker refuses as a repository name. */
  static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

  /**
   * A whole reference. Groups: 1 domain (absent when the text starts with a path), 2 path, 3 tag, 4
   * digest. Docker matches the name first and splits it afterwards; as a domain never contains
   * {@code /} and a path never contains {@code :} or {@code @}, one pattern gives the same groups.
   */
  static final Pattern REFERENCE =
      Pattern.compile(
          "(?:("
              + DOMAIN_AND_PORT
              + ")/)?("
              + PATH
              + ")(?::("
              + TAG_TEXT
              + "))?(?:@("
              + DIGEST_TEXT
              + "))?");

  private ReferenceGrammar() {}
}
