package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds a TLS 1.3 PSK ClientHello with zeroed binders whose positions are remembered, so the binders can be
 * computed over the truncated message (RFC 8446 section 4.2.11.2) and then written in place.
 */
public final class ClientHelloEncoder {

    private ClientHelloEncoder() {
    }

    /** What goes into a ClientHello. Arrays are not copied. */
    public static final class Params {
        public byte[] random;
        public byte[] legacySessionId = new byte[0];
        public int[] cipherSuites;
        public int[] supportedGroups;
        public List<KeyShareEntry> keyShares;
        public int[] pskKeyExchangeModes;
        public String serverName;
        public List<String> applicationProtocols;
        public byte[] cookie;
        public List<byte[]> identities;
        public int[] binderLengths;
    }

    /** An encoded ClientHello (handshake header included) and where its binders go. */
    public static final class Encoded {
        private final ByteBuf message;
        private final int truncatedLength;
        private final int[] binderOffsets;

        Encoded(ByteBuf message, int truncatedLength, int[] binderOffsets) {
            this.message = message;
            this.truncatedLength = truncatedLength;
            this.binderOffsets = binderOffsets;
        }

        /** The message; the caller owns it. */
        public ByteBuf message() {
            return message;
        }

        /** Length of the truncated ClientHello: everything before the binders list. */
        public int truncatedLength() {
            return truncatedLength;
        }

        /** Writes binder {@code index} (whose length was fixed in {@link Params#binderLengths}). */
        public void setBinder(int index, byte[] binder) {
            message.setBytes(message.readerIndex() + binderOffsets[index], binder);
        }
    }

    public static Encoded encode(ByteBufAllocator alloc, Params p) {
        ByteBuf buf = alloc.heapBuffer(512);
        boolean ok = false;
        try {
            int base = buf.writerIndex();
            MessageWriter w = new MessageWriter(buf);
            w.beginMessage(HandshakeType.CLIENT_HELLO)
                    .u16(ClientHello.TLS12) // legacy_version (RFC 8446 section 4.1.2)
                    .bytes(p.random)
                    .bytes8(p.legacySessionId)
                    .begin16();
            for (int s : p.cipherSuites) {
                w.u16(s);
            }
            w.end().begin8().u8(0).end(); // legacy_compression_methods: null only
            w.begin16(); // extensions
            if (p.serverName != null) {
                w.beginExtension(ExtensionType.SERVER_NAME).begin16().u8(0)
                        .bytes16(p.serverName.getBytes(StandardCharsets.US_ASCII)).end().end();
            }
            w.beginExtension(ExtensionType.SUPPORTED_VERSIONS).begin8().u16(ClientHello.TLS13).end().end();
            if (p.supportedGroups != null && p.supportedGroups.length > 0) {
                w.beginExtension(ExtensionType.SUPPORTED_GROUPS).begin16();
                for (int g : p.supportedGroups) {
                    w.u16(g);
                }
                w.end().end();
            }
            if (p.keyShares != null) {
                w.beginExtension(ExtensionType.KEY_SHARE).begin16();
                for (KeyShareEntry e : p.keyShares) {
                    w.u16(e.group()).bytes16(e.keyExchange());
                }
                w.end().end();
            }
            if (p.applicationProtocols != null && !p.applicationProtocols.isEmpty()) {
                w.beginExtension(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION).begin16();
                for (String proto : p.applicationProtocols) {
                    w.bytes8(proto.getBytes(StandardCharsets.US_ASCII));
                }
                w.end().end();
            }
            if (p.cookie != null) {
                w.beginExtension(ExtensionType.COOKIE).bytes16(p.cookie).end();
            }
            w.beginExtension(ExtensionType.PSK_KEY_EXCHANGE_MODES).begin8();
            for (int m : p.pskKeyExchangeModes) {
                w.u8(m);
            }
            w.end().end();
            // pre_shared_key MUST be the last extension (RFC 8446 section 4.2.11).
            w.beginExtension(ExtensionType.PRE_SHARED_KEY).begin16();
            for (byte[] id : p.identities) {
                w.bytes16(id).u32(0); // external PSKs: obfuscated_ticket_age 0 (section 4.2.11)
            }
            w.end();
            int truncated = w.position() - base;
            int[] offsets = new int[p.identities.size()];
            w.begin16();
            for (int i = 0; i < offsets.length; i++) {
                w.u8(p.binderLengths[i]);
                offsets[i] = w.position() - base;
                w.bytes(new byte[p.binderLengths[i]]);
            }
            w.end().end(); // binders, pre_shared_key
            w.end(); // extensions
            w.end(); // message
            w.buffer();
            ok = true;
            return new Encoded(buf, truncated, offsets);
        } finally {
            if (!ok) {
                buf.release();
            }
        }
    }
}
