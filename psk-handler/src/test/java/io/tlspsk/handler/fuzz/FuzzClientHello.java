package io.tlspsk.handler.fuzz;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.handshake.ClientHelloEncoder;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.Transcript;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskKeyExchangeMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Deterministic, valid client messages for the handler fuzz tests and their seeds: a TLS 1.3 ClientHello offering
 * the fuzz PSK with a correct binder (so the server answers with its whole flight and waits for the client's
 * Finished), and a TLS 1.2-only ClientHello. Built with {@link ClientHelloEncoder} as the real client does.
 */
public final class FuzzClientHello {

    /** The "random-but-fixed" PSK shared by the fuzzed server and these hellos. */
    public static final byte[] KEY = pattern(32, 0x5a);
    public static final String IDENTITY = "fuzz";
    private static final int X25519 = 0x001d;

    private FuzzClientHello() {
    }

    public static ExternalPsk psk() {
        return ExternalPsk.of(IDENTITY, KEY, HashAlgorithm.SHA256);
    }

    /** A TLS 1.3 ClientHello message (handshake header included) with a valid binder for {@link #KEY}. */
    public static byte[] tls13Message() {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = pattern(32, 1);
        p.legacySessionId = pattern(32, 2);
        p.cipherSuites = new int[] {0x1301, 0x1302, 0x1303};
        p.supportedGroups = new int[] {X25519};
        byte[] x25519 = pattern(32, 9);
        x25519[31] &= 0x7f;
        p.keyShares = List.of(new KeyShareEntry(X25519, x25519));
        p.pskKeyExchangeModes = new int[] {PskKeyExchangeMode.PSK_DHE_KE.id(), PskKeyExchangeMode.PSK_KE.id()};
        p.identities = List.of(IDENTITY.getBytes(StandardCharsets.UTF_8));
        p.binderLengths = new int[] {32};
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ByteBufAllocator.DEFAULT, p);
        try {
            Tls13KeySchedule ks = new Tls13KeySchedule(HashAlgorithm.SHA256, KEY);
            try {
                e.setBinder(0, ks.verifyData(ks.binderKey(),
                        new Transcript().hashWith(HashAlgorithm.SHA256, e.message(), e.truncatedLength())));
            } finally {
                ks.destroy();
            }
            return ByteBufUtil.getBytes(e.message());
        } finally {
            e.message().release();
        }
    }

    /** A TLS 1.2-only ClientHello message offering plain PSK and ECDHE_PSK suites. */
    public static byte[] tls12Message() {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = pattern(32, 3);
        p.offerTls13 = false;
        p.offerTls12 = true;
        p.tls12CipherSuites = new int[] {CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256.id(),
            CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256.id()};
        p.supportedGroups = new int[] {X25519};
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ByteBufAllocator.DEFAULT, p);
        try {
            return ByteBufUtil.getBytes(e.message());
        } finally {
            e.message().release();
        }
    }

    public static byte[] record(int type, byte[] fragment) {
        byte[] out = new byte[5 + fragment.length];
        out[0] = (byte) type;
        out[1] = 3;
        out[2] = 3;
        out[3] = (byte) (fragment.length >>> 8);
        out[4] = (byte) fragment.length;
        System.arraycopy(fragment, 0, out, 5, fragment.length);
        return out;
    }

    public static byte[] handshakeRecord(byte[] message) {
        return record(ContentType.HANDSHAKE, message);
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 29 + seed);
        }
        return b;
    }
}
