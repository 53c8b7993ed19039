package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import java.util.Arrays;

/**
 * ServerHello and HelloRetryRequest (RFC 8446 sections 4.1.3 and 4.1.4): parsing for the client, encoding for the
 * server. A HelloRetryRequest is a ServerHello whose random is the fixed {@link #HELLO_RETRY_REQUEST_RANDOM}; its
 * key_share carries only the selected group.
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
        WireReader r = new WireReader(body.duplicate());
        int legacyVersion = r.u16("legacy_version");
        byte[] random = r.fixed(32, "random");
        boolean hrr = Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
        byte[] sessionId = r.bytes8("legacy_session_id_echo", 0, 32);
        int suite = r.u16("cipher_suite");
        int compression = r.u8("legacy_compression_method");
        ExtensionBlock ext = r.hasRemaining() ? ExtensionBlock.parse(r, "ServerHello") : ExtensionBlock.EMPTY;
        r.expectEnd("ServerHello");

        int version = -1;
        KeyShareEntry share = null;
        int group = -1;
        int identity = -1;
        byte[] cookie = null;
        for (int i = 0; i < ext.count; i++) {
            WireReader e = new WireReader(ext.data[i].duplicate());
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
        return new ServerHello(legacyVersion, random, sessionId, suite, compression, ext.typesInOrder(), version,
                share, group, identity, cookie);
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

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
