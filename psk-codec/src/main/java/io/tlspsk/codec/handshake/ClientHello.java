package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed ClientHello (RFC 8446 section 4.1.2). Parsing checks syntax (every length, every vector range,
 * duplicate extensions, pre_shared_key last, identities and binders paired); what the server does with the
 * values is the state machine's business. Extensions this library does not know (GREASE among them) are skipped
 * as section 4.2 requires.
 *
 * <p>For TLS 1.2 the class also exposes the TLS_EMPTY_RENEGOTIATION_INFO_SCSV, renegotiation_info,
 * extended_master_secret, encrypt_then_mac and ec_point_formats. Their contents are only kept by {@link #parse} and
 * checked when asked for ({@link #checkTls12Extensions()}), so that a TLS 1.3 handshake treats them exactly as before:
 * ignored.
 */
public final class ClientHello {

    /** TLS 1.3 in supported_versions. */
    public static final int TLS13 = 0x0304;
    public static final int TLS12 = 0x0303;
    /** TLS_EMPTY_RENEGOTIATION_INFO_SCSV, RFC 5746 section 3.3. */
    public static final int EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF;

    private final int legacyVersion;
    private final byte[] random;
    private final byte[] legacySessionId;
    private final int[] cipherSuites;
    private final boolean nullCompressionOnly;
    private final int[] extensionTypes;
    private final int[] supportedVersions;
    private final int[] pskKeyExchangeModes;
    private final List<KeyShareEntry> keyShares;
    private final int[] supportedGroups;
    private final String serverName;
    private final List<String> applicationProtocols;
    private final PskOffer pskOffer;
    private final boolean earlyData;
    private final byte[] cookie;
    private final byte[] renegotiationInfoData;
    private final int extendedMasterSecretLength;
    private final int encryptThenMacLength;
    private final byte[] ecPointFormatsData;
    /** Where the extensions vector starts in the parsed body (its length prefix), or -1 when there is none. */
    final int extensionsOffset;

    private ClientHello(Builder b) {
        this.legacyVersion = b.legacyVersion;
        this.random = b.random;
        this.legacySessionId = b.legacySessionId;
        this.cipherSuites = b.cipherSuites;
        this.nullCompressionOnly = b.nullCompressionOnly;
        this.extensionTypes = b.extensionTypes;
        this.supportedVersions = b.supportedVersions;
        this.pskKeyExchangeModes = b.pskKeyExchangeModes;
        this.keyShares = b.keyShares;
        this.supportedGroups = b.supportedGroups;
        this.serverName = b.serverName;
        this.applicationProtocols = b.applicationProtocols;
        this.pskOffer = b.pskOffer;
        this.earlyData = b.earlyData;
        this.cookie = b.cookie;
        this.renegotiationInfoData = b.renegotiationInfoData;
        this.extendedMasterSecretLength = b.extendedMasterSecretLength;
        this.encryptThenMacLength = b.encryptThenMacLength;
        this.ecPointFormatsData = b.ecPointFormatsData;
        this.extensionsOffset = b.extensionsOffset;
    }

    private static final class Builder {
        int legacyVersion;
        byte[] random;
        byte[] legacySessionId;
        int[] cipherSuites;
        boolean nullCompressionOnly;
        int[] extensionTypes = new int[0];
        int[] supportedVersions;
        int[] pskKeyExchangeModes;
        List<KeyShareEntry> keyShares;
        int[] supportedGroups;
        String serverName;
        List<String> applicationProtocols;
        PskOffer pskOffer;
        boolean earlyData;
        byte[] cookie;
        byte[] renegotiationInfoData;
        int extendedMasterSecretLength = -1;
        int encryptThenMacLength = -1;
        byte[] ecPointFormatsData;
        int extensionsOffset = -1;
    }

    /** Longest PSK identity the syntax allows: {@code opaque identity<1..2^16-1>} (RFC 8446 section 4.2.11). */
    public static final int MAX_IDENTITY_LENGTH = 0xffff;

    /**
     * Parses a ClientHello body (after the 4-byte handshake header), accepting identities of any length the syntax
     * allows.
     *
     * @param maxIdentities most PSK identities accepted; more is illegal_parameter
     */
    public static ClientHello parse(ByteBuf body, int maxIdentities) throws TlsAlertException {
        return parse(body, maxIdentities, MAX_IDENTITY_LENGTH);
    }

    /**
     * Parses a ClientHello body (after the 4-byte handshake header).
     *
     * @param maxIdentities most PSK identities accepted; more is illegal_parameter
     * @param maxIdentityLength longest PSK identity accepted, in bytes; longer is illegal_parameter
     * @throws TlsLimitExceededException when either limit is exceeded
     */
    public static ClientHello parse(ByteBuf body, int maxIdentities, int maxIdentityLength) throws TlsAlertException {
        WireReader r = new WireReader(body.duplicate());
        Builder b = new Builder();
        b.legacyVersion = r.u16("legacy_version");
        b.random = r.fixed(32, "random");
        b.legacySessionId = r.bytes8("legacy_session_id", 0, 32);
        ByteBuf suites = r.vector16("cipher_suites", 2, 0xfffe);
        if ((suites.readableBytes() & 1) != 0) {
            throw TlsAlertException.decodeError("cipher_suites has an odd length");
        }
        b.cipherSuites = new int[suites.readableBytes() / 2];
        for (int i = 0; i < b.cipherSuites.length; i++) {
            b.cipherSuites[i] = suites.readUnsignedShort();
        }
        ByteBuf compression = r.vector8("legacy_compression_methods", 1, 255);
        b.nullCompressionOnly = compression.readableBytes() == 1 && compression.getByte(compression.readerIndex()) == 0;
        boolean hasNull = false;
        for (int i = compression.readerIndex(); i < compression.writerIndex(); i++) {
            hasNull |= compression.getByte(i) == 0;
        }
        if (!hasNull) {
            // Every TLS version requires the null method to be offered.
            throw TlsAlertException.illegalParameter("legacy_compression_methods lacks null compression");
        }
        if (r.hasRemaining()) {
            b.extensionsOffset = r.position() - body.readerIndex();
        }
        ExtensionBlock ext = r.hasRemaining() ? ExtensionBlock.parse(r, "ClientHello") : ExtensionBlock.EMPTY;
        r.expectEnd("ClientHello");
        b.extensionTypes = ext.typesInOrder();

        int pskIndex = ext.indexOf(ExtensionType.PRE_SHARED_KEY);
        if (pskIndex >= 0 && pskIndex != ext.count - 1) {
            // RFC 8446 section 4.2.11: pre_shared_key MUST be last; otherwise illegal_parameter.
            throw TlsAlertException.illegalParameter("pre_shared_key is not the last extension");
        }
        ByteBuf data;
        if ((data = ext.get(ExtensionType.SUPPORTED_VERSIONS)) != null) {
            b.supportedVersions = u16List(data, "supported_versions", 1, 2, 254);
        }
        if ((data = ext.get(ExtensionType.PSK_KEY_EXCHANGE_MODES)) != null) {
            WireReader m = new WireReader(data);
            ByteBuf modes = m.vector8("psk_key_exchange_modes", 1, 255);
            m.expectEnd("psk_key_exchange_modes");
            b.pskKeyExchangeModes = new int[modes.readableBytes()];
            for (int i = 0; i < b.pskKeyExchangeModes.length; i++) {
                b.pskKeyExchangeModes[i] = modes.readUnsignedByte();
            }
        }
        if ((data = ext.get(ExtensionType.SUPPORTED_GROUPS)) != null) {
            b.supportedGroups = u16List(data, "supported_groups", 2, 2, 0xfffe);
        }
        if ((data = ext.get(ExtensionType.KEY_SHARE)) != null) {
            b.keyShares = parseKeyShares(data);
        }
        if ((data = ext.get(ExtensionType.SERVER_NAME)) != null) {
            b.serverName = parseServerName(data);
        }
        if ((data = ext.get(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION)) != null) {
            b.applicationProtocols = parseAlpn(data);
        }
        if ((data = ext.get(ExtensionType.EARLY_DATA)) != null) {
            if (data.isReadable()) {
                throw TlsAlertException.decodeError("early_data in ClientHello must be empty");
            }
            b.earlyData = true;
        }
        if ((data = ext.get(ExtensionType.COOKIE)) != null) {
            WireReader c = new WireReader(data);
            b.cookie = c.bytes16("cookie", 1, 0xffff);
            c.expectEnd("cookie");
        }
        if ((data = ext.get(ExtensionType.PRE_SHARED_KEY)) != null) {
            b.pskOffer = parsePskOffer(data, maxIdentities, maxIdentityLength);
        }
        // TLS 1.2 extensions: kept raw, checked only by the TLS 1.2 accessors (see the class comment).
        if ((data = ext.get(ExtensionType.RENEGOTIATION_INFO)) != null) {
            b.renegotiationInfoData = copy(data);
        }
        if ((data = ext.get(ExtensionType.EXTENDED_MASTER_SECRET)) != null) {
            b.extendedMasterSecretLength = data.readableBytes();
        }
        if ((data = ext.get(ExtensionType.ENCRYPT_THEN_MAC)) != null) {
            b.encryptThenMacLength = data.readableBytes();
        }
        if ((data = ext.get(ExtensionType.EC_POINT_FORMATS)) != null) {
            b.ecPointFormatsData = copy(data);
        }
        return new ClientHello(b);
    }

    private static byte[] copy(ByteBuf data) {
        byte[] out = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), out);
        return out;
    }

    private static int[] u16List(ByteBuf data, String what, int lengthBytes, int min, int max)
            throws TlsAlertException {
        WireReader r = new WireReader(data);
        ByteBuf list = lengthBytes == 1 ? r.vector8(what, min, max) : r.vector16(what, min, max);
        r.expectEnd(what);
        if ((list.readableBytes() & 1) != 0) {
            throw TlsAlertException.decodeError(what + " has an odd length");
        }
        int[] out = new int[list.readableBytes() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.readUnsignedShort();
        }
        return out;
    }

    private static List<KeyShareEntry> parseKeyShares(ByteBuf data) throws TlsAlertException {
        WireReader r = new WireReader(data);
        WireReader list = new WireReader(r.vector16("client_shares", 0, 0xffff));
        r.expectEnd("key_share");
        List<KeyShareEntry> out = new ArrayList<>(2);
        while (list.hasRemaining()) {
            int group = list.u16("key_share group");
            byte[] key = list.bytes16("key_exchange", 1, 0xffff);
            for (KeyShareEntry e : out) {
                if (e.group() == group) {
                    // RFC 8446 section 4.2.8: one share per group; servers MAY answer illegal_parameter.
                    throw TlsAlertException.illegalParameter("two key shares for group " + group);
                }
            }
            out.add(new KeyShareEntry(group, key));
        }
        return out;
    }

    private static String parseServerName(ByteBuf data) throws TlsAlertException {
        WireReader r = new WireReader(data);
        WireReader list = new WireReader(r.vector16("server_name_list", 1, 0xffff));
        r.expectEnd("server_name");
        String host = null;
        while (list.hasRemaining()) {
            int type = list.u8("name_type");
            byte[] name = list.bytes16("host_name", 1, 0xffff);
            if (type == 0 && host == null) {
                host = new String(name, StandardCharsets.US_ASCII);
            }
        }
        return host;
    }

    private static List<String> parseAlpn(ByteBuf data) throws TlsAlertException {
        WireReader r = new WireReader(data);
        WireReader list = new WireReader(r.vector16("protocol_name_list", 2, 0xffff));
        r.expectEnd("application_layer_protocol_negotiation");
        List<String> out = new ArrayList<>(2);
        while (list.hasRemaining()) {
            out.add(new String(list.bytes8("protocol_name", 1, 255), StandardCharsets.US_ASCII));
        }
        return out;
    }

    private static PskOffer parsePskOffer(ByteBuf data, int maxIdentities, int maxIdentityLength)
            throws TlsAlertException {
        WireReader r = new WireReader(data);
        WireReader ids = new WireReader(r.vector16("identities", 7, 0xffff));
        int bindersStart = r.position();
        WireReader binders = new WireReader(r.vector16("binders", 33, 0xffff));
        int bindersLength = r.position() - bindersStart;
        r.expectEnd("pre_shared_key");
        List<byte[]> identities = new ArrayList<>(2);
        long[] ages = new long[4];
        while (ids.hasRemaining()) {
            if (identities.size() == maxIdentities) {
                throw new TlsLimitExceededException(AlertDescription.ILLEGAL_PARAMETER,
                        "more than " + maxIdentities + " PSK identities offered",
                        TlsLimitExceededException.Limit.OFFERED_IDENTITIES);
            }
            byte[] identity = ids.bytes16("identity", 1, MAX_IDENTITY_LENGTH);
            if (identity.length > maxIdentityLength) {
                // RFC 8446 section 4.2.11 allows identities up to 2^16-1 bytes; a shorter limit is local policy, for
                // which no RFC names an alert. Not decode_error (section 6.2: "out of the specified range"), since
                // the identity is within the specified range: illegal_parameter, as for too many identities.
                throw new TlsLimitExceededException(AlertDescription.ILLEGAL_PARAMETER,
                        "PSK identity of " + identity.length + " bytes exceeds the limit of " + maxIdentityLength,
                        TlsLimitExceededException.Limit.IDENTITY_LENGTH);
            }
            long age = ids.u32("obfuscated_ticket_age");
            if (identities.size() == ages.length) {
                ages = java.util.Arrays.copyOf(ages, ages.length * 2);
            }
            ages[identities.size()] = age;
            identities.add(identity);
        }
        List<byte[]> binderList = new ArrayList<>(identities.size());
        while (binders.hasRemaining()) {
            // Decode first: a malformed trailing entry is decode_error, a well-formed surplus binder a mismatch.
            binderList.add(binders.bytes8("binder", 32, 255));
        }
        if (binderList.size() != identities.size()) {
            // RFC 8446 section 4.2.11: one binder per identity, in the same order.
            throw TlsAlertException.illegalParameter(
                    identities.size() + " identities but " + binderList.size() + " binders");
        }
        return new PskOffer(identities, ages, binderList, bindersLength);
    }

    public int legacyVersion() {
        return legacyVersion;
    }

    public byte[] random() {
        return random;
    }

    public byte[] legacySessionId() {
        return legacySessionId;
    }

    public int[] cipherSuites() {
        return cipherSuites;
    }

    /** True when legacy_compression_methods is exactly one null byte, as TLS 1.3 requires. */
    public boolean nullCompressionOnly() {
        return nullCompressionOnly;
    }

    public int[] extensionTypes() {
        return extensionTypes;
    }

    /** The supported_versions list, or {@code null} when absent. */
    public int[] supportedVersions() {
        return supportedVersions;
    }

    /** The psk_key_exchange_modes codepoints, or {@code null} when absent. */
    public int[] pskKeyExchangeModes() {
        return pskKeyExchangeModes;
    }

    /** The client's key shares in order, or {@code null} when the key_share extension is absent. */
    public List<KeyShareEntry> keyShares() {
        return keyShares;
    }

    /** supported_groups, or {@code null} when absent. */
    public int[] supportedGroups() {
        return supportedGroups;
    }

    public String serverName() {
        return serverName;
    }

    /** ALPN protocols offered, or {@code null} when the extension is absent. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** The pre_shared_key offer, or {@code null}. */
    public PskOffer pskOffer() {
        return pskOffer;
    }

    public boolean earlyData() {
        return earlyData;
    }

    public byte[] cookie() {
        return cookie;
    }

    public boolean offersVersion(int version) {
        if (supportedVersions == null) {
            return false;
        }
        for (int v : supportedVersions) {
            if (v == version) {
                return true;
            }
        }
        return false;
    }

    public boolean offersCipherSuite(int suite) {
        for (int s : cipherSuites) {
            if (s == suite) {
                return true;
            }
        }
        return false;
    }

    /** True when cipher_suites contains TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 section 3.3). */
    public boolean offersRenegotiationInfoScsv() {
        return offersCipherSuite(EMPTY_RENEGOTIATION_INFO_SCSV);
    }

    /** True when the renegotiation_info extension is present (RFC 5746 section 3.2). */
    public boolean hasRenegotiationInfo() {
        return renegotiationInfoData != null;
    }

    /**
     * The renegotiated_connection of renegotiation_info (RFC 5746 section 3.2; empty in an initial handshake, which
     * the caller checks, section 3.6), or {@code null} when the extension is absent.
     *
     * @throws TlsAlertException decode_error when the extension is not {@code opaque renegotiated_connection<0..255>}
     */
    public byte[] renegotiationInfo() throws TlsAlertException {
        if (renegotiationInfoData == null) {
            return null;
        }
        ByteBuf data = Unpooled.wrappedBuffer(renegotiationInfoData);
        try {
            WireReader r = new WireReader(data);
            byte[] out = r.bytes8("renegotiated_connection", 0, 255);
            r.expectEnd("renegotiation_info");
            return out;
        } finally {
            data.release();
        }
    }

    /** True when extended_master_secret is present (RFC 7627 section 5.1); {@link #checkTls12Extensions} checks it. */
    public boolean offersExtendedMasterSecret() {
        return extendedMasterSecretLength >= 0;
    }

    /** True when encrypt_then_mac is present (RFC 7366 section 2); {@link #checkTls12Extensions} checks it. */
    public boolean offersEncryptThenMac() {
        return encryptThenMacLength >= 0;
    }

    /**
     * The ec_point_formats list (RFC 8422 section 5.1.2), or {@code null} when the extension is absent.
     *
     * @throws TlsAlertException decode_error when it is not {@code ECPointFormat ec_point_format_list<1..2^8-1>}
     */
    public int[] ecPointFormats() throws TlsAlertException {
        if (ecPointFormatsData == null) {
            return null;
        }
        ByteBuf data = Unpooled.wrappedBuffer(ecPointFormatsData);
        try {
            WireReader r = new WireReader(data);
            ByteBuf list = r.vector8("ec_point_format_list", 1, 255);
            r.expectEnd("ec_point_formats");
            int[] out = new int[list.readableBytes()];
            for (int i = 0; i < out.length; i++) {
                out[i] = list.readUnsignedByte();
            }
            return out;
        } finally {
            data.release();
        }
    }

    /**
     * Checks the syntax of the TLS 1.2 extensions, for a server that negotiates TLS 1.2: renegotiation_info and
     * ec_point_formats as in their accessors, extended_master_secret and encrypt_then_mac empty (RFC 7627 section
     * 5.1, RFC 7366 section 2). A TLS 1.3 server does not call this and ignores them, as before.
     *
     * @throws TlsAlertException decode_error for a malformed extension
     */
    public void checkTls12Extensions() throws TlsAlertException {
        renegotiationInfo();
        ecPointFormats();
        if (extendedMasterSecretLength > 0) {
            throw TlsAlertException.decodeError("extended_master_secret must be empty");
        }
        if (encryptThenMacLength > 0) {
            throw TlsAlertException.decodeError("encrypt_then_mac must be empty");
        }
    }
}
