package dev.hoist.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs JWTs with RS256 the way distribution's {@code auth: token} mode verifies them: the
 * self-signed certificate goes in the {@code x5c} header and must also be in the registry's {@code
 * rootcertbundle}.
 */
final class JwtSigner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private final PrivateKey key;
  private final String certificateBase64;

  private JwtSigner(PrivateKey key, String certificateBase64) {
    this.key = key;
    this.certificateBase64 = certificateBase64;
  }

  /**
   * Creates an RSA key and a self-signed certificate for {@code cn} with openssl, in {@code dir}.
   */
  static JwtSigner generate(Path dir, String cn) throws IOException {
    Tools.run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-subj",
            "/CN=" + cn,
            "-days",
            "2"),
        dir);
    byte[] pkcs8 = pemBody(dir.resolve("key.pem"), "PRIVATE KEY");
    try {
      PrivateKey key =
          KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      byte[] der = pemBody(dir.resolve("cert.pem"), "CERTIFICATE");
      return new JwtSigner(key, Base64.getEncoder().encodeToString(der));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load the key openssl wrote in " + dir, e);
    }
  }

  /** Returns {@code header.claims.signature}, each part base64url without padding. */
  String sign(Map<String, Object> claims) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("typ", "JWT");
    header.put("alg", "RS256");
    header.put("x5c", List.of(certificateBase64));
    String signingInput = encode(header) + "." + encode(claims);
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(key);
      rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + URL.encodeToString(rs256.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(Object json) {
    try {
      return URL.encodeToString(JSON.writeValueAsBytes(json));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] pemBody(Path pem, String type) throws IOException {
    String text = Files.readString(pem);
    String begin = "-----BEGIN " + type + "-----";
    int start = text.indexOf(begin);
    int end = text.indexOf("-----END " + type + "-----");
    if (start < 0 || end < 0) {
      throw new IOException("no " + type + " in " + pem);
    }
    return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
  }
}
