package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds a TLS 1.3 PSK ClientHello with zeroed binders whose positions are remembered, so the binders can be
 * computed over the truncated message (RFC 8446 section 4.2.11.2) and then written in place.
 *
 * <p>With {@link Params#offerTls12} it also offers TLS 1.2 PSK suites (RFC 4279, 5487, 5489, 6655, 7905, 8442), either
 * beside TLS 1.3 (supported_versions then lists 0x0304 and 0x0303) or alone ({@link Params#offerTls13} false: no
 * supported_versions and none of the TLS 1.3-only extensions, as a TLS 1.2 ClientHello, RFC 5246 section 7.4.1.2).
 * With the TLS 1.2 fields unset the output is byte for byte what it was before they existed.
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

        /**
         * Offer TLS 1.3 (the default): supported_versions, key_share, cookie, psk_key_exchange_modes and
         * pre_shared_key, as described above. False leaves all of them out for a TLS 1.2-only ClientHello; then
         * {@link #offerTls12} must be set, and {@link #identities}, {@link #binderLengths},
         * {@link #pskKeyExchangeModes}, {@link #keyShares} and {@link #cookie} are not used.
         */
        public boolean offerTls13 = true;
        /**
         * Offer TLS 1.2 as well: appends {@link #tls12CipherSuites} to the suites, adds 0x0303 to supported_versions
         * (when TLS 1.3 is offered too), signals secure renegotiation (RFC 5746: TLS_EMPTY_RENEGOTIATION_INFO_SCSV, or
         * the renegotiation_info extension with {@link #renegotiationInfoExtension}), and sends extended_master_secret
         * (RFC 7627), encrypt_then_mac when a CBC suite is offered (RFC 7366), and ec_point_formats [uncompressed]
         * when an ECDHE_PSK suite is offered (RFC 8422 section 5.1.2). {@link #supportedGroups} also serves TLS 1.2:
         * it must list the curves for ECDHE_PSK and may list the RFC 7919 groups for DHE_PSK (RFC 7919 section 3).
         */
        public boolean offerTls12;
        /** The TLS 1.2 suite codepoints, in preference order; written after {@link #cipherSuites}. */
        public int[] tls12CipherSuites;
        /** Signal secure renegotiation with an empty renegotiation_info extension instead of the SCSV. */
        public boolean renegotiationInfoExtension;
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
        if (!p.offerTls13 && !p.offerTls12) {
            throw new IllegalArgumentException("a ClientHello must offer TLS 1.3 or TLS 1.2");
        }
        boolean offerCbc = false;
        boolean offerEcdhe = false;
        if (p.offerTls12) {
            if (p.tls12CipherSuites == null || p.tls12CipherSuites.length == 0) {
                throw new IllegalArgumentException("offerTls12 needs tls12CipherSuites");
            }
            for (int id : p.tls12CipherSuites) {
                CipherSuite s = CipherSuite.byId(id);
                offerCbc |= s != null && s.isCbc();
                offerEcdhe |= s != null && s.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK;
            }
        }
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
            if (p.cipherSuites != null) {
                for (int s : p.cipherSuites) {
                    w.u16(s);
                }
            }
            if (p.offerTls12) {
                for (int s : p.tls12CipherSuites) {
                    w.u16(s);
                }
                if (!p.renegotiationInfoExtension) {
                    w.u16(ClientHello.EMPTY_RENEGOTIATION_INFO_SCSV); // RFC 5746 section 3.3
                }
            }
            w.end().begin8().u8(0).end(); // legacy_compression_methods: null only
            w.begin16(); // extensions
            if (p.serverName != null) {
                w.beginExtension(ExtensionType.SERVER_NAME).begin16().u8(0)
                        .bytes16(p.serverName.getBytes(StandardCharsets.US_ASCII)).end().end();
            }
            if (p.offerTls13) {
                w.beginExtension(ExtensionType.SUPPORTED_VERSIONS).begin8().u16(ClientHello.TLS13);
                if (p.offerTls12) {
                    w.u16(ClientHello.TLS12);
                }
                w.end().end();
            }
            if (p.supportedGroups != null && p.supportedGroups.length > 0) {
                w.beginExtension(ExtensionType.SUPPORTED_GROUPS).begin16();
                for (int g : p.supportedGroups) {
                    w.u16(g);
                }
                w.end().end();
            }
            if (p.offerTls13 && p.keyShares != null) {
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
            if (p.offerTls12) {
                w.beginExtension(ExtensionType.EXTENDED_MASTER_SECRET).end(); // RFC 7627 section 5.1: empty
                if (offerCbc) {
                    w.beginExtension(ExtensionType.ENCRYPT_THEN_MAC).end(); // RFC 7366 section 2: empty
                }
                if (offerEcdhe) {
                    // RFC 8422 section 5.1.2: only the uncompressed format (0)
                    w.beginExtension(ExtensionType.EC_POINT_FORMATS).begin8().u8(0).end().end();
                }
                if (p.renegotiationInfoExtension) {
                    // RFC 5746 section 3.4: an initial handshake sends an empty renegotiated_connection
                    w.beginExtension(ExtensionType.RENEGOTIATION_INFO).begin8().end().end();
                }
            }
            if (!p.offerTls13) {
                w.end(); // extensions
                w.end(); // message
                w.buffer();
                ok = true;
                return new Encoded(buf, buf.writerIndex() - base, new int[0]);
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
