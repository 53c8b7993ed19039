package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * ServerHello and HelloRetryRequest (RFC 8446 sections 4.1.3 and 4.1.4): parsing for the client, encoding for the
 * server. A HelloRetryRequest is a ServerHello whose random is the fixed {@link #HELLO_RETRY_REQUEST_RANDOM}; its
 * key_share carries only the selected group.
 *
 * <p>{@link #parse(ByteBuf, boolean)} also reads a TLS 1.2 ServerHello (RFC 5246 section 7.4.1.3) for a client that
 * offered TLS 1.2 too; the TLS 1.2 ServerHello encoder is in {@code io.tlspsk.codec.tls12.Tls12Messages}.
 */
public final class ServerHello {

    /** SHA-256("HelloRetryRequest"), RFC 8446 section 4.1.3. */
    private static final byte[] HELLO_RETRY_REQUEST_RANDOM = hex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    /** RFC 8446 section 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2. */
    public static final byte[] DOWNGRADE_TLS12 = hex("444f574e47524401");
    public static final byte[] DOWNGRADE_TLS11 = hex("444f574e47524400");

    private final int legacyVersion;
    private final byte[] random;
    private final boolean helloRetryRequest;
    private final byte[] legacySessionIdEcho;
    private final int cipherSuite;
    private final int compressionMethod;
    private final int[] extensionTypes;
    private final int selectedVersion;
    private final KeyShareEntry keyShare;
    private final int selectedGroup;
    private final int selectedIdentity;
    private final byte[] cookie;
    // TLS 1.2 ServerHello extensions; only ever set by parse(body, true) on a ServerHello without supported_versions.
    private byte[] renegotiationInfo;
    private boolean extendedMasterSecret;
    private boolean encryptThenMac;
    private String applicationProtocol;
    private int[] ecPointFormats;
    private boolean serverNameAcknowledged;

    private ServerHello(int legacyVersion, byte[] random, byte[] sessionIdEcho, int cipherSuite, int compression,
                        int[] extensionTypes, int selectedVersion, KeyShareEntry keyShare, int selectedGroup,
                        int selectedIdentity, byte[] cookie) {
        this.legacyVersion = legacyVersion;
        this.random = random;
        this.helloRetryRequest = Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
        this.legacySessionIdEcho = sessionIdEcho;
        this.cipherSuite = cipherSuite;
        this.compressionMethod = compression;
        this.extensionTypes = extensionTypes;
        this.selectedVersion = selectedVersion;
        this.keyShare = keyShare;
        this.selectedGroup = selectedGroup;
        this.selectedIdentity = selectedIdentity;
        this.cookie = cookie;
    }

    /** Parses a ServerHello or HelloRetryRequest body (after the handshake header). */
    public static ServerHello parse(ByteBuf body) throws TlsAlertException {
        return parse(body, false);
    }

    /**
     * Parses a ServerHello or HelloRetryRequest body (after the handshake header).
     *
     * <p>With {@code allowTls12} false this is {@link #parse(ByteBuf)}. With it true, for a client that offered TLS 1.2
     * as well: a ServerHello with supported_versions is parsed exactly as by {@link #parse(ByteBuf)}; one without it
     * is a TLS 1.2 ServerHello (RFC 8446 section 4.1.3), which may carry the extensions a TLS 1.2 client of this
     * library offers: renegotiation_info (RFC 5746 section 3.2), extended_master_secret (RFC 7627 section 5.1),
     * encrypt_then_mac (RFC 7366 section 2), ALPN with exactly one protocol (RFC 7301 section 3.1), ec_point_formats
     * (RFC 8422 section 5.1.2) and an empty server_name (RFC 6066 section 3). The TLS 1.3 extensions key_share,
     * pre_shared_key and cookie are unsupported_extension there. Whether each extension was offered is for the
     * caller to check.
     */
    public static ServerHello parse(ByteBuf body, boolean allowTls12) throws TlsAlertException {
        WireReader r = new WireReader(body.duplicate());
        int legacyVersion = r.u16("legacy_version");
        byte[] random = r.fixed(32, "random");
        boolean hrr = Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
        byte[] sessionId = r.bytes8("legacy_session_id_echo", 0, 32);
        int suite = r.u16("cipher_suite");
        int compression = r.u8("legacy_compression_method");
        ExtensionBlock ext = r.hasRemaining() ? ExtensionBlock.parse(r, "ServerHello") : ExtensionBlock.EMPTY;
        r.expectEnd("ServerHello");
        boolean tls12 = allowTls12 && !ext.has(ExtensionType.SUPPORTED_VERSIONS);
        Tls12Extensions tls12Ext = tls12 ? new Tls12Extensions() : null;

        int version = -1;
        KeyShareEntry share = null;
        int group = -1;
        int identity = -1;
        byte[] cookie = null;
        for (int i = 0; i < ext.count; i++) {
            WireReader e = new WireReader(ext.data[i].duplicate());
            if (tls12) {
                tls12Ext.read(ext.types[i], e);
                e.expectEnd("ServerHello extension " + ext.types[i]);
                continue;
            }
            switch (ext.types[i]) {
                case ExtensionType.SUPPORTED_VERSIONS:
                    version = e.u16("selected_version");
                    break;
                case ExtensionType.KEY_SHARE:
                    if (hrr) {
                        group = e.u16("selected_group");
                    } else {
                        int g = e.u16("server_share group");
                        share = new KeyShareEntry(g, e.bytes16("key_exchange", 1, 0xffff));
                    }
                    break;
                case ExtensionType.PRE_SHARED_KEY:
                    if (hrr) {
                        throw TlsAlertException.illegalParameter("pre_shared_key in HelloRetryRequest");
                    }
                    identity = e.u16("selected_identity");
                    break;
                case ExtensionType.COOKIE:
                    if (!hrr) {
                        throw TlsAlertException.illegalParameter("cookie in ServerHello");
                    }
                    cookie = e.bytes16("cookie", 1, 0xffff);
                    break;
                default:
                    // RFC 8446 section 4.1.3/4.2: only extensions the client offered may appear; anything else
                    // (known or unknown) was not requested by this client.
                    throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION,
                            "ServerHello carries extension " + ext.types[i] + " the client did not offer");
            }
            e.expectEnd("ServerHello extension " + ext.types[i]);
        }
        ServerHello hello = new ServerHello(legacyVersion, random, sessionId, suite, compression, ext.typesInOrder(),
                version, share, group, identity, cookie);
        if (tls12Ext != null) {
            hello.renegotiationInfo = tls12Ext.renegotiationInfo;
            hello.extendedMasterSecret = tls12Ext.extendedMasterSecret;
            hello.encryptThenMac = tls12Ext.encryptThenMac;
            hello.applicationProtocol = tls12Ext.applicationProtocol;
            hello.ecPointFormats = tls12Ext.ecPointFormats;
            hello.serverNameAcknowledged = tls12Ext.serverNameAcknowledged;
        }
        return hello;
    }

    /** The extensions of a TLS 1.2 ServerHello, read one by one. */
    private static final class Tls12Extensions {
        byte[] renegotiationInfo;
        boolean extendedMasterSecret;
        boolean encryptThenMac;
        String applicationProtocol;
        int[] ecPointFormats;
        boolean serverNameAcknowledged;

        void read(int type, WireReader e) throws TlsAlertException {
            switch (type) {
                case ExtensionType.RENEGOTIATION_INFO:
                    // RFC 5746 section 3.2: opaque renegotiated_connection<0..255>
                    renegotiationInfo = e.bytes8("renegotiated_connection", 0, 255);
                    break;
                case ExtensionType.EXTENDED_MASTER_SECRET:
                    // RFC 7627 section 5.1: empty extension_data (checked by the caller's expectEnd)
                    extendedMasterSecret = true;
                    break;
                case ExtensionType.ENCRYPT_THEN_MAC:
                    // RFC 7366 section 2: empty extension_data
                    encryptThenMac = true;
                    break;
                case ExtensionType.SERVER_NAME:
                    // RFC 6066 section 3: the server's extension_data is empty
                    serverNameAcknowledged = true;
                    break;
                case ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION: {
                    WireReader list = new WireReader(e.vector16("protocol_name_list", 2, 0xffff));
                    applicationProtocol = new String(list.bytes8("protocol_name", 1, 255), StandardCharsets.US_ASCII);
                    // RFC 7301 section 3.1: the server's list contains exactly one protocol.
                    list.expectEnd("ALPN selection (exactly one protocol)");
                    break;
                }
                case ExtensionType.EC_POINT_FORMATS: {
                    // RFC 8422 section 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>
                    ByteBuf list = e.vector8("ec_point_format_list", 1, 255);
                    ecPointFormats = new int[list.readableBytes()];
                    for (int j = 0; j < ecPointFormats.length; j++) {
                        ecPointFormats[j] = list.readUnsignedByte();
                    }
                    break;
                }
                default:
                    // key_share, pre_shared_key, cookie and anything else: not offered for TLS 1.2 (RFC 5246
                    // section 7.4.1.4: only extensions the client offered may appear).
                    throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION,
                            "TLS 1.2 ServerHello carries extension " + type + " the client did not offer");
            }
        }
    }

    /**
     * Encodes a ServerHello (handshake header included).
     *
     * @param selectedIdentity index into the client's identities, or -1 for none
     * @param keyShare the server's share, or {@code null} for psk_ke
     */
    public static ByteBuf encodeServerHello(ByteBufAllocator alloc, byte[] random, byte[] sessionIdEcho,
                                            int cipherSuite, int selectedIdentity, KeyShareEntry keyShare) {
        ByteBuf buf = alloc.heapBuffer(128 + (keyShare != null ? keyShare.keyExchange().length : 0));
        MessageWriter w = new MessageWriter(buf);
        w.beginMessage(HandshakeType.SERVER_HELLO).u16(ClientHello.TLS12).bytes(random).bytes8(sessionIdEcho)
                .u16(cipherSuite).u8(0).begin16();
        w.beginExtension(ExtensionType.SUPPORTED_VERSIONS).u16(ClientHello.TLS13).end();
        if (keyShare != null) {
            w.beginExtension(ExtensionType.KEY_SHARE).u16(keyShare.group()).bytes16(keyShare.keyExchange()).end();
        }
        if (selectedIdentity >= 0) {
            w.beginExtension(ExtensionType.PRE_SHARED_KEY).u16(selectedIdentity).end();
        }
        w.end().end();
        return w.buffer();
    }

    /** Encodes a HelloRetryRequest asking for {@code selectedGroup} (handshake header included). */
    public static ByteBuf encodeHelloRetryRequest(ByteBufAllocator alloc, byte[] sessionIdEcho, int cipherSuite,
                                                  int selectedGroup) {
        ByteBuf buf = alloc.heapBuffer(96);
        MessageWriter w = new MessageWriter(buf);
        w.beginMessage(HandshakeType.SERVER_HELLO).u16(ClientHello.TLS12).bytes(HELLO_RETRY_REQUEST_RANDOM)
                .bytes8(sessionIdEcho).u16(cipherSuite).u8(0).begin16();
        w.beginExtension(ExtensionType.SUPPORTED_VERSIONS).u16(ClientHello.TLS13).end();
        w.beginExtension(ExtensionType.KEY_SHARE).u16(selectedGroup).end();
        w.end().end();
        return w.buffer();
    }

    public boolean isHelloRetryRequest() {
        return helloRetryRequest;
    }

    public int legacyVersion() {
        return legacyVersion;
    }

    public byte[] random() {
        return random;
    }

    public byte[] legacySessionIdEcho() {
        return legacySessionIdEcho;
    }

    public int cipherSuite() {
        return cipherSuite;
    }

    public int compressionMethod() {
        return compressionMethod;
    }

    public int[] extensionTypes() {
        return extensionTypes;
    }

    /** The supported_versions selection, or -1 when absent. */
    public int selectedVersion() {
        return selectedVersion;
    }

    /** The server's key share (ServerHello only), or {@code null}. */
    public KeyShareEntry keyShare() {
        return keyShare;
    }

    /** The group a HelloRetryRequest asks for, or -1. */
    public int selectedGroup() {
        return selectedGroup;
    }

    /** The pre_shared_key selected_identity, or -1 when absent. */
    public int selectedIdentity() {
        return selectedIdentity;
    }

    /** A HelloRetryRequest's cookie, or {@code null}. */
    public byte[] cookie() {
        return cookie;
    }

    /**
     * TLS 1.2 ServerHello ({@link #parse(ByteBuf, boolean)}): renegotiated_connection of renegotiation_info (empty in
     * an initial handshake, RFC 5746 section 3.4), or {@code null} when the extension is absent.
     */
    public byte[] renegotiationInfo() {
        return renegotiationInfo;
    }

    /** TLS 1.2 ServerHello: true when extended_master_secret is present (RFC 7627 section 5.2). */
    public boolean extendedMasterSecret() {
        return extendedMasterSecret;
    }

    /** TLS 1.2 ServerHello: true when encrypt_then_mac is present (RFC 7366 section 3). */
    public boolean encryptThenMac() {
        return encryptThenMac;
    }

    /** TLS 1.2 ServerHello: the ALPN protocol the server selected, or {@code null}. */
    public String applicationProtocol() {
        return applicationProtocol;
    }

    /** TLS 1.2 ServerHello: the ec_point_formats list, or {@code null} when absent. */
    public int[] ecPointFormats() {
        return ecPointFormats;
    }

    /** TLS 1.2 ServerHello: true when the server acknowledged server_name with an empty extension. */
    public boolean serverNameAcknowledged() {
        return serverNameAcknowledged;
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
