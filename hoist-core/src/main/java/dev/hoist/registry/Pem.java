package dev.hoist.registry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM files as Go's {@code crypto/tls} reads them for docker's certs.d: certificates, and
 * unencrypted private keys in PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) form. The JDK reads only
 * PKCS#8, so the other two are wrapped into it here. Encrypted keys are refused, as Go refuses
 * them. Messages are Go's where Go has one; the caller names the file.
 */
final class Pem {
  private static final byte[] RSA_ENCRYPTION = oid(1, 2, 840, 113549, 1, 1, 1);
  private static final byte[] EC_PUBLIC_KEY = oid(1, 2, 840, 10045, 2, 1);
  private static final String[] ALGORITHMS = {"RSA", "EC", "Ed25519", "RSASSA-PSS"};

  private Pem() {}

  /** One {@code -----BEGIN TYPE-----} … {@code -----END TYPE-----} block, decoded. */
  record Block(String type, byte[] der, boolean encrypted) {}

  static List<Block> blocks(byte[] file) {
    List<Block> blocks = new ArrayList<>();
    String type = null;
    StringBuilder base64 = new StringBuilder();
    boolean encrypted = false;
    for (String raw : new String(file, StandardCharsets.US_ASCII).split("\r?\n")) {
      String line = raw.trim();
      if (type == null) {
        if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
          type = line.substring(11, line.length() - 5);
          base64.setLength(0);
          encrypted = false;
        }
      } else if (line.equals("-----END " + type + "-----")) {
        try {
          blocks.add(new Block(type, Base64.getMimeDecoder().decode(base64.toString()), encrypted));
        } catch (IllegalArgumentException e) {
          // Not base64: not PEM data, as Go's pem.Decode skips it.
        }
        type = null;
      } else if (line.contains(":")) {
        encrypted |= line.startsWith("Proc-Type:") && line.contains("ENCRYPTED"); // RFC 1421 header
      } else {
        base64.append(line);
      }
    }
    return blocks;
  }

  /**
   * Every certificate of a PEM file; a file with no PEM block at all is read as one DER
   * certificate.
   */
  static List<X509Certificate> certificates(byte[] file) throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> certificates = new ArrayList<>();
    List<Block> blocks = blocks(file);
    if (blocks.isEmpty() && file.length > 0 && file[0] == 0x30) {
      return List.of((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(file)));
    }
    for (Block block : blocks) {
      if (block.type().equals("CERTIFICATE")) {
        certificates.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      }
    }
    return certificates;
  }

  /** The first private key of a PEM file. */
  static PrivateKey privateKey(byte[] file) throws GeneralSecurityException {
    for (Block block : blocks(file)) {
      if (!block.type().endsWith("PRIVATE KEY")) {
        continue; // e.g. the EC PARAMETERS block openssl ecparam writes first
      }
      if (block.encrypted() || block.type().equals("ENCRYPTED PRIVATE KEY")) {
        throw new GeneralSecurityException("encrypted private keys are not supported");
      }
      byte[] pkcs8 = switch (block.type()) {
        case "PRIVATE KEY" -> block.der();
        case "RSA PRIVATE KEY" -> privateKeyInfo(sequence(RSA_ENCRYPTION, new byte[] {0x05, 0x00}), block.der());
        case "EC PRIVATE KEY" -> privateKeyInfo(sequence(EC_PUBLIC_KEY, curveOf(block.der())), block.der());
        default -> throw new GeneralSecurityException("unknown private key type " + block.type());
      };
      return decode(pkcs8);
    }
    throw new GeneralSecurityException("tls: failed to find any PEM data in key input");
  }

  private static PrivateKey decode(byte[] pkcs8) throws GeneralSecurityException {
    for (String algorithm : ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException e) {
        // Try the next algorithm: PKCS#8 names its own, but the JDK wants it named up front.
      }
    }
    throw new GeneralSecurityException("tls: failed to parse private key");
  }

  /** The named curve of a SEC1 {@code ECPrivateKey}: its {@code [0] parameters} field. */
  private static byte[] curveOf(byte[] sec1) throws GeneralSecurityException {
    Der key = new Der(sec1);
    Der fields = key.enter(0x30);
    fields.skip(0x02); // version
    fields.skip(0x04); // privateKey
    while (fields.hasMore()) {
      int tag = fields.peekTag();
      if (tag == 0xA0) {
        Der parameters = fields.enter(0xA0);
        return parameters.element(0x06);
      }
      fields.skip(tag);
    }
    throw new GeneralSecurityException("tls: failed to parse private key: EC key names no curve");
  }

  /** {@code PrivateKeyInfo ::= SEQUENCE { 0, AlgorithmIdentifier, OCTET STRING key }}. */
  private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
    return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
  }

  private static byte[] sequence(byte[]... elements) {
    return tlv(0x30, concat(elements));
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int arc = arcs[i];
      int shift = 28;
      while (shift > 0 && (arc >>> shift) == 0) {
        shift -= 7;
      }
      for (; shift > 0; shift -= 7) {
        out.write(0x80 | ((arc >>> shift) & 0x7F));
      }
      out.write(arc & 0x7F);
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Just enough of a DER reader to find a curve in a SEC1 key. */
  private static final class Der {
    private final byte[] bytes;
    private int pos;
    private final int end;

    Der(byte[] bytes) {
      this(bytes, 0, bytes.length);
    }

    private Der(byte[] bytes, int start, int end) {
      this.bytes = bytes;
      this.pos = start;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    int peekTag() throws GeneralSecurityException {
      check(pos < end);
      return bytes[pos] & 0xFF;
    }

    /** The contents of the next element, which must have {@code tag}. */
    Der enter(int tag) throws GeneralSecurityException {
      int length = header(tag);
      Der inner = new Der(bytes, pos, pos + length);
      pos += length;
      return inner;
    }

    /** The whole next element (tag, length and contents), which must have {@code tag}. */
    byte[] element(int tag) throws GeneralSecurityException {
      int start = pos;
      int length = header(tag);
      pos += length;
      return java.util.Arrays.copyOfRange(bytes, start, pos);
    }

    void skip(int tag) throws GeneralSecurityException {
      int length = header(tag); // before reading pos: header() moves it past the tag and length
      pos += length;
    }

    private int header(int tag) throws GeneralSecurityException {
      check(pos + 2 <= end && (bytes[pos] & 0xFF) == tag);
      pos++;
      int first = bytes[pos++] & 0xFF;
      int length = first;
      if (first >= 0x80) {
        int count = first & 0x7F;
        check(count >= 1 && count <= 3 && pos + count <= end);
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (bytes[pos++] & 0xFF);
        }
      }
      check(pos + length <= end);
      return length;
    }

    private static void check(boolean ok) throws GeneralSecurityException {
      if (!ok) {
        throw new GeneralSecurityException("tls: failed to parse private key: malformed DER");
      }
    }
  }
}
