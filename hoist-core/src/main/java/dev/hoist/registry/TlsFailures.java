package dev.hoist.registry;

import java.net.URI;
import java.net.http.HttpRequest;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Words a failed TLS handshake as docker (Go's {@code crypto/tls}) words it, naming the request
 * and saying what to do: {@code Get "https://host/v2/": tls: failed to verify certificate: x509:
 * certificate signed by unknown authority (…)}. Failures that another attempt cannot mend become
 * {@link TlsException}s; anything else stays a retryable {@link RegistryException}.
 */
final class TlsFailures {
  private TlsFailures() {}

  static RegistryException of(SSLException e, HttpRequest request, RegistryTls tls) {
    String registry = tls.registry();
    String dir = tls.directory().orElse(tls.suggested()).toString();
    String host = hostOf(request.uri());
    String prefix = method(request) + " \"" + Redact.uri(request.uri()) + "\": ";
    String message = messages(e);
    if (has(e, CertificateExpiredException.class) || has(e, CertificateNotYetValidException.class)
        || validatorReason(e, CertPathValidatorException.BasicReason.EXPIRED)
        || validatorReason(e, CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
      return tls(prefix + "tls: failed to verify certificate: x509: certificate has expired or is"
          + " not yet valid (the certificate of " + host + ")", registry, e);
    }
    if (has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)) {
      return tls(prefix + "tls: failed to verify certificate: x509: certificate signed by unknown"
          + " authority (to trust registry " + registry + ", add its CA certificate to " + dir
          + "/ca.crt, or mark it insecure)", registry, e);
    }
    if (message.contains("No subject alternative") || message.contains("No name matching")) {
      return tls(prefix + "tls: failed to verify certificate: x509: certificate is not valid for "
          + host + " (" + cause(e) + ")", registry, e);
    }
    String alert = alert(message);
    if (alert != null && (alert.contains("certificate") || alert.equals("unknown_ca")
        || alert.equals("access_denied"))) {
      String hint = tls.directory().filter(TlsFailures::hasClientCertificate).isPresent()
          ? "registry " + registry + " refused the client certificate in " + dir
          : "registry " + registry + " wants a client certificate: put it and its key in " + dir
              + "/client.cert and " + dir + "/client.key";
      return tls(prefix + "remote error: tls: " + alert.replace('_', ' ') + " (" + hint + ")", registry, e);
    }
    if (message.contains("Unsupported or unrecognized SSL message") || message.contains("plaintext connection")) {
      return tls(prefix + "http: server gave HTTP response to HTTPS client (if registry " + registry
          + " serves plain HTTP, mark it insecure)", registry, e);
    }
    if (alert != null || e instanceof javax.net.ssl.SSLHandshakeException && message.contains("No appropriate protocol")) {
      return tls(prefix + "tls: handshake failure with " + host + ": " + cause(e), registry, e);
    }
    return new RegistryException(
        "cannot reach registry " + registry + ": TLS failed: " + cause(e) + " (" + request.method()
            + " " + Redact.uri(request.uri()) + ")", registry, e);
  }

  private static boolean hasClientCertificate(java.nio.file.Path dir) {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".cert"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Whether {@code e} or a cause of it is a TLS failure. */
  static boolean isTls(Throwable e) {
    return has(e, SSLException.class);
  }

  private static TlsException tls(String message, String registry, SSLException cause) {
    return new TlsException(message, registry, cause);
  }

  private static String method(HttpRequest request) {
    String m = request.method();
    return m.charAt(0) + m.substring(1).toLowerCase(Locale.ROOT);
  }

  private static String hostOf(URI uri) {
    return uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  /** The alert a peer sent ({@code Received fatal alert: bad_certificate}), if it sent one. */
  private static String alert(String message) {
    int at = message.indexOf("Received fatal alert: ");
    if (at < 0) {
      return null;
    }
    String rest = message.substring(at + 22);
    int end = 0;
    while (end < rest.length() && (Character.isLetterOrDigit(rest.charAt(end)) || rest.charAt(end) == '_')) {
      end++;
    }
    return rest.substring(0, end);
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    return cause(e, type) != null;
  }

  /** The first of {@code e} and its causes that is a {@code type}, or null. */
  static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static boolean validatorReason(Throwable e, CertPathValidatorException.Reason reason) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathValidatorException v && v.getReason() == reason) {
        return true;
      }
    }
    return false;
  }

  /** Every message of the cause chain, for matching. */
  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  /** The innermost message: the JDK repeats it up the chain, with class names prefixed. */
  private static String cause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
  }
}
