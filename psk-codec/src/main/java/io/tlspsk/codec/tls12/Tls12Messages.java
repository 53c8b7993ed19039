package io.tlspsk.codec.tls12;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.CipherSuite.KeyExchange;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.FfdheKeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.MessageWriter;
import io.tlspsk.codec.handshake.WireReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The TLS 1.2 handshake messages of the PSK key exchanges that TLS 1.3 does not have, and the TLS 1.2 ServerHello.
 *
 * <p>As elsewhere in this library, encoders return the whole message with its 4-byte handshake header (the caller owns
 * the buffer) and parsers take the body after that header. Parsers check every length against what remains and the
 * vector's declared range; a violation, or trailing bytes, is decode_error. Parsers do not decide whether a value is
 * acceptable (an unknown curve, an unknown identity): that is the state machine's business.
 *
 * <p>The TLS 1.2 ClientHello is built by {@link io.tlspsk.codec.handshake.ClientHelloEncoder} with
 * {@code Params.offerTls12}; the TLS 1.2 ServerHello is parsed by
 * {@link io.tlspsk.codec.handshake.ServerHello#parse(ByteBuf, boolean)}.
 */
public final class Tls12Messages {

    /** HelloRequest, RFC 5246 section 7.4.1.1: the server asks for renegotiation, which this library refuses. */
    public static final int HELLO_REQUEST = 0;
    /** ServerKeyExchange, RFC 5246 section 7.4.3. */
    public static final int SERVER_KEY_EXCHANGE = 12;
    /** ServerHelloDone, RFC 5246 section 7.4.5. */
    public static final int SERVER_HELLO_DONE = 14;
    /** ClientKeyExchange, RFC 5246 section 7.4.7. */
    public static final int CLIENT_KEY_EXCHANGE = 16;
    /** ECCurveType named_curve, RFC 8422 section 5.4: the only curve type still allowed. */
    public static final int NAMED_CURVE = 3;
    /** ECPointFormat uncompressed, RFC 8422 section 5.1.2. */
    public static final int POINT_FORMAT_UNCOMPRESSED = 0;

    private Tls12Messages() {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ServerKeyExchange

    /**
     * A parsed ServerKeyExchange of a PSK suite. For PSK only the hint is set; for ECDHE_PSK the curve and the point;
     * for DHE_PSK p, g and Ys. Arrays are not copied.
     */
    public static final class ServerKeyExchange {
        private final KeyExchange kind;
        private final byte[] identityHint;
        private final int namedCurve;
        private final byte[] dhP;
        private final byte[] dhG;
        private final byte[] publicValue;

        private ServerKeyExchange(KeyExchange kind, byte[] identityHint, int namedCurve, byte[] dhP, byte[] dhG,
                                  byte[] publicValue) {
            this.kind = kind;
            this.identityHint = identityHint;
            this.namedCurve = namedCurve;
            this.dhP = dhP;
            this.dhG = dhG;
            this.publicValue = publicValue;
        }

        public KeyExchange kind() {
            return kind;
        }

        /** psk_identity_hint, possibly empty (RFC 4279 section 2); never {@code null}. */
        public byte[] identityHint() {
            return identityHint;
        }

        /** ECDHE_PSK: the NamedCurve codepoint; -1 otherwise. */
        public int namedCurve() {
            return namedCurve;
        }

        /**
         * The group, when this library implements it: ECDHE_PSK the {@link NamedGroup} of {@link #namedCurve()}
         * (x25519, secp256r1, secp384r1); DHE_PSK the finite-field group whose p and g these are exactly (RFC 7919
         * section 4 recognises a group by its parameters; see {@link FfdheKeyShare#groupOf}). {@code null} when
         * unknown (the caller answers as its policy says) and for PSK.
         */
        public NamedGroup group() {
            switch (kind) {
                case ECDHE_PSK: {
                    NamedGroup g = NamedGroup.byId(namedCurve);
                    return g == null || g.isFiniteField() ? null : g; // a finite-field group is not a curve
                }
                case DHE_PSK:
                    return FfdheKeyShare.groupOf(dhP, dhG);
                default:
                    return null;
            }
        }

        /** DHE_PSK: dh_p; {@code null} otherwise. */
        public byte[] dhP() {
            return dhP;
        }

        /** DHE_PSK: dh_g; {@code null} otherwise. */
        public byte[] dhG() {
            return dhG;
        }

        /** The server's ephemeral public value: the ECPoint (ECDHE_PSK) or dh_Ys (DHE_PSK); {@code null} for PSK. */
        public byte[] publicValue() {
            return publicValue;
        }
    }

    /**
     * ServerKeyExchange for plain PSK: {@code opaque psk_identity_hint<0..2^16-1>} (RFC 4279 section 2). A server
     * without a hint may leave the message out altogether (same section), and the client must accept both.
     */
    public static ByteBuf encodePskServerKeyExchange(ByteBufAllocator alloc, byte[] identityHint) {
        checkLength(identityHint, 0, 0xffff, "psk_identity_hint");
        MessageWriter w = new MessageWriter(alloc.heapBuffer(HandshakeType.HEADER_LENGTH + 2 + identityHint.length));
        w.beginMessage(SERVER_KEY_EXCHANGE).bytes16(identityHint).end();
        return w.buffer();
    }

    /**
     * ServerKeyExchange for ECDHE_PSK (RFC 5489 section 2): psk_identity_hint, then ServerECDHParams (RFC 8422
     * section 5.4): {@code curve_type = named_curve(3) || NamedCurve(2) || opaque point<1..2^8-1>}.
     */
    public static ByteBuf encodeEcdhePskServerKeyExchange(ByteBufAllocator alloc, byte[] identityHint,
                                                          int namedCurve, byte[] point) {
        checkLength(identityHint, 0, 0xffff, "psk_identity_hint");
        checkLength(point, 1, 255, "ECPoint");
        MessageWriter w = new MessageWriter(alloc.heapBuffer(HandshakeType.HEADER_LENGTH + 6 + identityHint.length
                + point.length));
        w.beginMessage(SERVER_KEY_EXCHANGE).bytes16(identityHint).u8(NAMED_CURVE).u16(namedCurve).bytes8(point).end();
        return w.buffer();
    }

    /**
     * ServerKeyExchange for DHE_PSK (RFC 4279 section 3): psk_identity_hint, then ServerDHParams (RFC 5246 section
     * 7.4.3): {@code dh_p<1..2^16-1> || dh_g<1..2^16-1> || dh_Ys<1..2^16-1>}. For a group of ours pass
     * {@link FfdheKeyShare#prime(NamedGroup)}, {@link FfdheKeyShare#generator()} and the share's public key.
     */
    public static ByteBuf encodeDhePskServerKeyExchange(ByteBufAllocator alloc, byte[] identityHint, byte[] p,
                                                        byte[] g, byte[] ys) {
        checkLength(identityHint, 0, 0xffff, "psk_identity_hint");
        checkLength(p, 1, 0xffff, "dh_p");
        checkLength(g, 1, 0xffff, "dh_g");
        checkLength(ys, 1, 0xffff, "dh_Ys");
        MessageWriter w = new MessageWriter(alloc.heapBuffer(HandshakeType.HEADER_LENGTH + 8 + identityHint.length
                + p.length + g.length + ys.length));
        w.beginMessage(SERVER_KEY_EXCHANGE).bytes16(identityHint).bytes16(p).bytes16(g).bytes16(ys).end();
        return w.buffer();
    }

    /**
     * Parses a ServerKeyExchange body for the key exchange of the negotiated suite.
     *
     * @throws TlsAlertException decode_error for a malformed message; illegal_parameter for an ECDHE curve_type other
     *         than named_curve (RFC 8422 section 5.4 deprecates explicit curves)
     */
    public static ServerKeyExchange parseServerKeyExchange(ByteBuf body, KeyExchange kind) throws TlsAlertException {
        WireReader r = new WireReader(body.duplicate());
        byte[] hint = r.bytes16("psk_identity_hint", 0, 0xffff);
        ServerKeyExchange result;
        switch (kind) {
            case PSK:
                result = new ServerKeyExchange(kind, hint, -1, null, null, null);
                break;
            case ECDHE_PSK: {
                int curveType = r.u8("ECCurveType");
                if (curveType != NAMED_CURVE) {
                    throw TlsAlertException.illegalParameter("ServerECDHParams curve_type " + curveType
                            + " is not named_curve");
                }
                int curve = r.u16("NamedCurve");
                byte[] point = r.bytes8("ECPoint", 1, 255);
                result = new ServerKeyExchange(kind, hint, curve, null, null, point);
                break;
            }
            case DHE_PSK: {
                byte[] p = r.bytes16("dh_p", 1, 0xffff);
                byte[] g = r.bytes16("dh_g", 1, 0xffff);
                byte[] ys = r.bytes16("dh_Ys", 1, 0xffff);
                result = new ServerKeyExchange(kind, hint, -1, p, g, ys);
                break;
            }
            default:
                throw new IllegalArgumentException("not a TLS 1.2 key exchange: " + kind);
        }
        r.expectEnd("ServerKeyExchange");
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ClientKeyExchange

    /** A parsed ClientKeyExchange of a PSK suite. Arrays are not copied. */
    public static final class ClientKeyExchange {
        private final byte[] identity;
        private final byte[] publicValue;

        private ClientKeyExchange(byte[] identity, byte[] publicValue) {
            this.identity = identity;
            this.publicValue = publicValue;
        }

        /** psk_identity (RFC 4279 section 2), possibly empty; an unknown one is unknown_psk_identity (section 2). */
        public byte[] identity() {
            return identity;
        }

        /** ecdh_Yc (ECDHE_PSK) or dh_Yc (DHE_PSK); {@code null} for PSK. */
        public byte[] publicValue() {
            return publicValue;
        }
    }

    /**
     * ClientKeyExchange: {@code opaque psk_identity<0..2^16-1>} (RFC 4279 section 2), then for ECDHE_PSK
     * {@code ECPoint ecdh_Yc<1..2^8-1>} (RFC 5489 section 2) and for DHE_PSK {@code dh_Yc<1..2^16-1>} (RFC 4279
     * section 3).
     *
     * @param publicValue the client's ephemeral public value; {@code null} for PSK
     */
    public static ByteBuf encodeClientKeyExchange(ByteBufAllocator alloc, KeyExchange kind, byte[] identity,
                                                  byte[] publicValue) {
        // Everything is checked before the buffer is allocated, so a bad argument cannot leak it.
        checkLength(identity, 0, 0xffff, "psk_identity");
        switch (kind) {
            case PSK:
                if (publicValue != null) {
                    throw new IllegalArgumentException("plain PSK has no client public value");
                }
                break;
            case ECDHE_PSK:
                checkLength(publicValue, 1, 255, "ecdh_Yc");
                break;
            case DHE_PSK:
                checkLength(publicValue, 1, 0xffff, "dh_Yc");
                break;
            default:
                throw new IllegalArgumentException("not a TLS 1.2 key exchange: " + kind);
        }
        MessageWriter w = new MessageWriter(alloc.heapBuffer(HandshakeType.HEADER_LENGTH + 4 + identity.length
                + (publicValue == null ? 0 : publicValue.length)));
        w.beginMessage(CLIENT_KEY_EXCHANGE).bytes16(identity);
        if (kind == KeyExchange.ECDHE_PSK) {
            w.bytes8(publicValue);
        } else if (kind == KeyExchange.DHE_PSK) {
            w.bytes16(publicValue);
        }
        w.end();
        return w.buffer();
    }

    /** Parses a ClientKeyExchange body for the key exchange of the negotiated suite. */
    public static ClientKeyExchange parseClientKeyExchange(ByteBuf body, KeyExchange kind) throws TlsAlertException {
        WireReader r = new WireReader(body.duplicate());
        byte[] identity = r.bytes16("psk_identity", 0, 0xffff);
        byte[] publicValue;
        switch (kind) {
            case PSK:
                publicValue = null;
                break;
            case ECDHE_PSK:
                publicValue = r.bytes8("ecdh_Yc", 1, 255);
                break;
            case DHE_PSK:
                publicValue = r.bytes16("dh_Yc", 1, 0xffff);
                break;
            default:
                throw new IllegalArgumentException("not a TLS 1.2 key exchange: " + kind);
        }
        r.expectEnd("ClientKeyExchange");
        return new ClientKeyExchange(identity, publicValue);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // ServerHelloDone, Finished, HelloRequest

    /** ServerHelloDone: an empty body (RFC 5246 section 7.4.5). */
    public static ByteBuf encodeServerHelloDone(ByteBufAllocator alloc) {
        return alloc.heapBuffer(HandshakeType.HEADER_LENGTH).writeByte(SERVER_HELLO_DONE).writeMedium(0);
    }

    /** Checks a ServerHelloDone body: it must be empty. */
    public static void parseServerHelloDone(ByteBuf body) throws TlsAlertException {
        if (body.isReadable()) {
            throw TlsAlertException.decodeError("ServerHelloDone must be empty");
        }
    }

    /** Finished with 12 bytes of verify_data (RFC 5246 section 7.4.9). */
    public static ByteBuf encodeFinished(ByteBufAllocator alloc, byte[] verifyData) {
        if (verifyData.length != Tls12Prf.VERIFY_DATA_LENGTH) {
            throw new IllegalArgumentException("TLS 1.2 verify_data is 12 bytes");
        }
        return alloc.heapBuffer(HandshakeType.HEADER_LENGTH + verifyData.length)
                .writeByte(HandshakeType.FINISHED).writeMedium(verifyData.length).writeBytes(verifyData);
    }

    /** The verify_data of a Finished body; anything but 12 bytes is decode_error. */
    public static byte[] parseFinished(ByteBuf body) throws TlsAlertException {
        if (body.readableBytes() != Tls12Prf.VERIFY_DATA_LENGTH) {
            throw TlsAlertException.decodeError("TLS 1.2 Finished must carry 12 bytes of verify_data");
        }
        byte[] out = new byte[Tls12Prf.VERIFY_DATA_LENGTH];
        body.getBytes(body.readerIndex(), out);
        return out;
    }

    /**
     * Compares received verify_data with the expected value in constant time ({@link MessageDigest#isEqual}).
     *
     * @throws TlsAlertException decrypt_error on a mismatch (RFC 5246 section 7.2.2: a Finished that cannot be
     *         validated)
     */
    public static void checkFinished(byte[] expected, byte[] received) throws TlsAlertException {
        if (!MessageDigest.isEqual(expected, received)) {
            throw new TlsAlertException(AlertDescription.DECRYPT_ERROR, "Finished verify_data does not match");
        }
    }

    /** True when {@code handshakeType} is HelloRequest (type 0). */
    public static boolean isHelloRequest(int handshakeType) {
        return handshakeType == HELLO_REQUEST;
    }

    /**
     * Checks a HelloRequest body: it must be empty (RFC 5246 section 7.4.1.1). HelloRequest is not part of the
     * transcript (same section); a client that does not renegotiate answers with a no_renegotiation warning
     * (RFC 5746 section 4.2) or ignores it.
     */
    public static void parseHelloRequest(ByteBuf body) throws TlsAlertException {
        if (body.isReadable()) {
            throw TlsAlertException.decodeError("HelloRequest must be empty");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // TLS 1.2 ServerHello

    /** What goes into a TLS 1.2 ServerHello. Arrays are not copied. */
    public static final class ServerHelloParams {
        /** 32 bytes; a TLS 1.3-capable server ends it with {@code ServerHello.DOWNGRADE_TLS12} (RFC 8446 4.1.3). */
        public byte[] random;
        /** The session id (0..32 bytes); empty when the server does not resume sessions. */
        public byte[] sessionId = new byte[0];
        public CipherSuite cipherSuite;
        /**
         * Send renegotiation_info with an empty renegotiated_connection (RFC 5746 section 3.6): set when the client
         * sent the SCSV or the extension.
         */
        public boolean secureRenegotiation;
        /** Send extended_master_secret: set when the client offered it (RFC 7627 section 5.2). */
        public boolean extendedMasterSecret;
        /**
         * Send encrypt_then_mac: set when the client offered it and the suite is CBC; RFC 7366 section 3 forbids it
         * with AEAD suites, so the encoder refuses that.
         */
        public boolean encryptThenMac;
        /** The selected ALPN protocol (RFC 7301 section 3.1), or {@code null}. */
        public String applicationProtocol;
        /** Acknowledge server_name with an empty extension (RFC 6066 section 3). */
        public boolean acknowledgeServerName;
        /**
         * Send ec_point_formats [uncompressed]: set for an ECDHE_PSK suite when the client sent ec_point_formats
         * (RFC 8422 section 5.2).
         */
        public boolean ecPointFormats;
    }

    /**
     * Encodes a TLS 1.2 ServerHello (RFC 5246 section 7.4.1.3; handshake header included): server_version 0x0303,
     * null compression, then the extensions asked for in {@code p}.
     */
    public static ByteBuf encodeServerHello(ByteBufAllocator alloc, ServerHelloParams p) {
        if (p.cipherSuite == null || p.cipherSuite.isTls13()) {
            throw new IllegalArgumentException("a TLS 1.2 ServerHello needs a TLS 1.2 suite");
        }
        if (p.random == null || p.random.length != 32) {
            throw new IllegalArgumentException("ServerHello.random is 32 bytes");
        }
        checkLength(p.sessionId, 0, 32, "session_id");
        if (p.encryptThenMac && !p.cipherSuite.isCbc()) {
            throw new IllegalArgumentException("encrypt_then_mac with the AEAD suite " + p.cipherSuite);
        }
        if (p.ecPointFormats && p.cipherSuite.keyExchange() != KeyExchange.ECDHE_PSK) {
            throw new IllegalArgumentException("ec_point_formats with the non-ECDHE suite " + p.cipherSuite);
        }
        byte[] alpn = p.applicationProtocol == null ? null : p.applicationProtocol.getBytes(StandardCharsets.US_ASCII);
        if (alpn != null) {
            checkLength(alpn, 1, 255, "ALPN protocol name");
        }
        MessageWriter w = new MessageWriter(alloc.heapBuffer(128));
        w.beginMessage(HandshakeType.SERVER_HELLO).u16(ClientHello.TLS12).bytes(p.random).bytes8(p.sessionId)
                .u16(p.cipherSuite.id()).u8(0).begin16();
        if (p.secureRenegotiation) {
            // RFC 5746 section 3.6: initial handshake, empty renegotiated_connection (extension_data is one 0x00)
            w.beginExtension(ExtensionType.RENEGOTIATION_INFO).begin8().end().end();
        }
        if (p.extendedMasterSecret) {
            w.beginExtension(ExtensionType.EXTENDED_MASTER_SECRET).end();
        }
        if (p.encryptThenMac) {
            w.beginExtension(ExtensionType.ENCRYPT_THEN_MAC).end();
        }
        if (p.acknowledgeServerName) {
            w.beginExtension(ExtensionType.SERVER_NAME).end();
        }
        if (alpn != null) {
            w.beginExtension(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION).begin16()
                    .bytes8(alpn).end().end();
        }
        if (p.ecPointFormats) {
            w.beginExtension(ExtensionType.EC_POINT_FORMATS).begin8().u8(POINT_FORMAT_UNCOMPRESSED).end().end();
        }
        w.end().end();
        return w.buffer();
    }

    private static void checkLength(byte[] value, int min, int max, String what) {
        if (value == null || value.length < min || value.length > max) {
            throw new IllegalArgumentException(what + " must be " + min + " to " + max + " bytes");
        }
    }
}
