package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import java.nio.charset.StandardCharsets;

/** EncryptedExtensions (RFC 8446 section 4.3.1) as a PSK server sends it: ALPN and the server_name ack. */
public final class EncryptedExtensions {

    private final String applicationProtocol;
    private final boolean serverNameAcknowledged;

    private EncryptedExtensions(String applicationProtocol, boolean serverNameAcknowledged) {
        this.applicationProtocol = applicationProtocol;
        this.serverNameAcknowledged = serverNameAcknowledged;
    }

    /**
     * Parses the body. Only extensions a client of this library can have asked for are accepted: server_name
     * (empty), ALPN (exactly one name) and supported_groups (informational); an extension that belongs to another
     * message is illegal_parameter, any other is unsupported_extension (section 4.2).
     */
    public static EncryptedExtensions parse(ByteBuf body, boolean offeredServerName, boolean offeredAlpn)
            throws TlsAlertException {
        WireReader r = new WireReader(body.duplicate());
        ExtensionBlock ext = ExtensionBlock.parse(r, "EncryptedExtensions");
        r.expectEnd("EncryptedExtensions");
        String alpn = null;
        boolean sni = false;
        for (int i = 0; i < ext.count; i++) {
            WireReader e = new WireReader(ext.data[i].duplicate());
            switch (ext.types[i]) {
                case ExtensionType.SERVER_NAME:
                    if (!offeredServerName) {
                        throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION, "unsolicited server_name");
                    }
                    sni = true;
                    break;
                case ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION: {
                    if (!offeredAlpn) {
                        throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION, "unsolicited ALPN");
                    }
                    WireReader list = new WireReader(e.vector16("protocol_name_list", 2, 0xffff));
                    alpn = new String(list.bytes8("protocol_name", 1, 255), StandardCharsets.US_ASCII);
                    // RFC 7301 section 3.1: the server's list contains exactly one protocol.
                    list.expectEnd("ALPN selection (exactly one protocol)");
                    break;
                }
                case ExtensionType.SUPPORTED_GROUPS:
                    e.vector16("supported_groups", 2, 0xfffe);
                    break;
                case ExtensionType.KEY_SHARE:
                case ExtensionType.PRE_SHARED_KEY:
                case ExtensionType.SUPPORTED_VERSIONS:
                case ExtensionType.PSK_KEY_EXCHANGE_MODES:
                case ExtensionType.COOKIE:
                case ExtensionType.SIGNATURE_ALGORITHMS:
                    throw TlsAlertException.illegalParameter(
                            "extension " + ext.types[i] + " does not belong in EncryptedExtensions");
                default:
                    throw new TlsAlertException(AlertDescription.UNSUPPORTED_EXTENSION,
                            "EncryptedExtensions carries extension " + ext.types[i] + " the client did not offer");
            }
            e.expectEnd("EncryptedExtensions extension " + ext.types[i]);
        }
        return new EncryptedExtensions(alpn, sni);
    }

    /** Encodes EncryptedExtensions (handshake header included). */
    public static ByteBuf encode(ByteBufAllocator alloc, String applicationProtocol, boolean acknowledgeServerName) {
        MessageWriter w = new MessageWriter(alloc.heapBuffer(64));
        w.beginMessage(HandshakeType.ENCRYPTED_EXTENSIONS).begin16();
        if (acknowledgeServerName) {
            w.beginExtension(ExtensionType.SERVER_NAME).end(); // RFC 6066 section 3: empty extension_data
        }
        if (applicationProtocol != null) {
            w.beginExtension(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION).begin16()
                    .bytes8(applicationProtocol.getBytes(StandardCharsets.US_ASCII)).end().end();
        }
        w.end().end();
        return w.buffer();
    }

    /** The protocol the server selected, or {@code null}. */
    public String applicationProtocol() {
        return applicationProtocol;
    }

    public boolean serverNameAcknowledged() {
        return serverNameAcknowledged;
    }
}
