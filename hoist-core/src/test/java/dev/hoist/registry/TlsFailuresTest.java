package dev.hoist.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** TLS failures in docker's words, as the JDK reports them; the ITs see the common ones for real. */
class TlsFailuresTest {
  private static final HttpRequest PING = HttpRequest.newBuilder(URI.create("https://reg.corp:5000/v2/")).build();
  private static final RegistryTls TLS =
      new RegistryTls("reg.corp:5000", false, Optional.empty(), Path.of("/etc/docker/certs.d/reg.corp:5000"));

  private static SSLException handshake(String message, Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  @Test
  void aCertificateForAnotherNameSaysSo() {
    RegistryException e = TlsFailures.of(handshake("No subject alternative DNS name matching reg.corp found.",
        new CertificateException("No subject alternative DNS name matching reg.corp found.")), PING, TLS);
    assertThat(e).isInstanceOf(TlsException.class).hasMessage("Get \"https://reg.corp:5000/v2/\": tls: failed"
        + " to verify certificate: x509: certificate is not valid for reg.corp:5000 (No subject alternative"
        + " DNS name matching reg.corp found.)");
  }

  @Test
  void anExpiredCertificateSaysSo() {
    RegistryException e = TlsFailures.of(handshake("PKIX path validation failed",
        new CertificateExpiredException("NotAfter: Sun Jan 01 00:00:00 UTC 2023")), PING, TLS);
    assertThat(e).isInstanceOf(TlsException.class).hasMessage("Get \"https://reg.corp:5000/v2/\": tls: failed"
        + " to verify certificate: x509: certificate has expired or is not yet valid (the certificate of"
        + " reg.corp:5000)");
  }

  @Test
  void aRefusedHandshakeNamesTheAlert() {
    RegistryException e = TlsFailures.of(new SSLException("Received fatal alert: certificate_required"), PING, TLS);
    assertThat(e).isInstanceOf(TlsException.class)
        .hasMessage("Get \"https://reg.corp:5000/v2/\": remote error: tls: certificate required (registry"
            + " reg.corp:5000 wants a client certificate: put it and its key in"
            + " /etc/docker/certs.d/reg.corp:5000/client.cert and /etc/docker/certs.d/reg.corp:5000/client.key)");
    assertThat(TlsFailures.of(new SSLException("Received fatal alert: protocol_version"), PING, TLS))
        .isInstanceOf(TlsException.class)
        .hasMessage("Get \"https://reg.corp:5000/v2/\": tls: handshake failure with reg.corp:5000:"
            + " Received fatal alert: protocol_version");
  }

  @Test
  void otherTlsTroubleStaysRetryable() {
    RegistryException e = TlsFailures.of(new SSLException("Connection reset"), PING, TLS);
    assertThat(e).isNotInstanceOf(TlsException.class)
        .hasMessage("cannot reach registry reg.corp:5000: TLS failed: Connection reset (GET https://reg.corp:5000/v2/)");
    assertThat(RetryPolicy.DEFAULT.isRetryable(e)).isTrue();
    assertThat(RetryPolicy.DEFAULT.isRetryable(new TlsException("x", "reg.corp:5000", null))).isFalse();
  }
}
