package dev.hoist.auth;

import java.util.Objects;

/**
 * A secret that proves who we are to one registry. Either <em>basic</em> (a user name and password,
 * sent as HTTP Basic or in a token request), or an <em>identity token</em>: an OAuth2 refresh token
 * that a registry's token server issued at login, which docker's config file keeps as {@code
 * identitytoken} and credential helpers return under the user name {@code <token>}.
 *
 * <p>Instances are immutable and thread-safe. {@link #toString()} never shows the password or
 * token, so a credential is safe to log by accident.
 */
public final class Credential {
  private final String username;
  private final String password;
  private final String identityToken;

  private Credential(String username, String password, String identityToken) {
    this.username = username;
    this.password = password;
    this.identityToken = identityToken;
  }

  /**
   * A user name and password (or a personal access token used as a password).
   *
   * @throws NullPointerException if either is null
   */
  public static Credential basic(String username, String password) {
    Objects.requireNonNull(username, "username == null");
    Objects.requireNonNull(password, "password == null");
    return new Credential(username, password, "");
  }

  /**
   * An OAuth2 refresh token with no user name.
   *
   * @throws IllegalArgumentException if the token is empty
   */
  public static Credential identityToken(String token) {
    return identityToken("", token);
  }

  /**
   * An OAuth2 refresh token together with the user name it was issued to; docker's config file
   * stores both when {@code auth} and {@code identitytoken} are set.
   *
   * @throws IllegalArgumentException if the token is empty
   */
  public static Credential identityToken(String username, String token) {
    Objects.requireNonNull(username, "username == null");
    Objects.requireNonNull(token, "token == null");
    if (token.isEmpty()) {
      throw new IllegalArgumentException("identity token is empty");
    }
    return new Credential(username, "", token);
  }

  /** The user name; empty for an identity token that was stored without one. */
  public String username() {
    return username;
  }

  /**
   * The password of a basic credential; the empty string for an identity token. Plain strings
   * rather than {@code Optional}, like docker's {@code AuthConfig}: check {@link
   * #isIdentityToken()} to tell the two kinds apart.
   */
  public String password() {
    return password;
  }

  /** The OAuth2 refresh token; the empty string for a basic credential. */
  public String identityToken() {
    return identityToken;
  }

  /** True if this is an identity token rather than a user name and password. */
  public boolean isIdentityToken() {
    return !identityToken.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Credential other
        && username.equals(other.username)
        && password.equals(other.password)
        && identityToken.equals(other.identityToken);
  }

  @Override
  public int hashCode() {
    return Objects.hash(username, password, identityToken);
  }

  /** Names the kind and the user and masks the secret: {@code Credential[basic user=alice ...]}. */
  @Override
  public String toString() {
    return isIdentityToken()
        ? "Credential[identitytoken user=" + username + " token=***]"
        : "Credential[basic user=" + username + " password=***]";
  }
}
