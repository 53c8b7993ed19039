package io.tlspsk.interop;

import io.tlspsk.codec.CipherSuite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * An external PSK for OpenSSL's {@code -psk_session FILE} (s_client and s_server): the only way the OpenSSL 3.0 CLI
 * takes a PSK bound to SHA-384, since {@code -psk} always makes a TLS_AES_128_GCM_SHA256 (SHA-256) session. The file
 * is a PEM {@code SSL SESSION PARAMETERS} block: the DER of OpenSSL's {@code SSL_SESSION_ASN1} (ssl/ssl_asn1.c) with
 * the fields OpenSSL needs for an external TLS 1.3 PSK: version 1, protocol 0x0304, the suite whose hash the PSK is
 * bound to, an empty session id, the key as the master key, and a start time and a long timeout (absent, OpenSSL
 * would give the session a 3-second life).
 */
final class OpenSslPskSession {

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    /** [1] EXPLICIT and [2] EXPLICIT: SSL_SESSION_ASN1's time and timeout. */
    private static final int TIME = 0xA1;
    private static final int TIMEOUT = 0xA2;
    private static final long TEN_YEARS_SECONDS = 10L * 365 * 24 * 3600;

    private OpenSslPskSession() {
    }

    /** Writes the session for {@code key} bound to {@code suite}'s hash into {@code dir}; returns the file. */
    static Path write(Path dir, CipherSuite suite, byte[] key) throws IOException {
        if (!suite.isTls13()) {
            throw new IllegalArgumentException("a TLS 1.3 suite, not " + suite);
        }
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        tlv(fields, INTEGER, new byte[] {1});
        tlv(fields, INTEGER, new byte[] {0x03, 0x04});
        tlv(fields, OCTET_STRING, new byte[] {(byte) (suite.id() >> 8), (byte) suite.id()});
        tlv(fields, OCTET_STRING, new byte[0]);
        tlv(fields, OCTET_STRING, key);
        tlv(fields, TIME, integer(System.currentTimeMillis() / 1000));
        tlv(fields, TIMEOUT, integer(TEN_YEARS_SECONDS));
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        tlv(der, SEQUENCE, fields.toByteArray());
        String pem = "-----BEGIN SSL SESSION PARAMETERS-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der.toByteArray())
                + "\n-----END SSL SESSION PARAMETERS-----\n";
        Path file = dir.resolve("psk-" + suite.name() + ".pem");
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        return file;
    }

    /** A DER INTEGER's encoding of a non-negative value below 2^31. */
    private static byte[] integer(long value) {
        byte[] v = {(byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tlv(out, INTEGER, v[0] < 0 ? prependZero(v) : v);
        return out.toByteArray();
    }

    private static byte[] prependZero(byte[] v) {
        byte[] out = new byte[v.length + 1];
        System.arraycopy(v, 0, out, 1, v.length);
        return out;
    }

    private static void tlv(ByteArrayOutputStream out, int tag, byte[] content) {
        out.write(tag);
        if (content.length < 0x80) {
            out.write(content.length);
        } else if (content.length > 0xFF) {
            throw new IllegalArgumentException("field of " + content.length + " bytes: only short ones are written");
        } else {
            out.write(0x81);
            out.write(content.length);
        }
        out.writeBytes(content);
    }
}
