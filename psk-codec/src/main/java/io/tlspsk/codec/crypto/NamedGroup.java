package io.tlspsk.codec.crypto;

/**
 * Key-exchange groups for psk_dhe_ke (RFC 8446 section 4.2.7), TLS 1.2 ECDHE_PSK (RFC 8422) and TLS 1.2 DHE_PSK
 * (RFC 4279 section 3, RFC 7919).
 *
 * <p>The finite-field groups come in two families. The RFC 7919 groups have TLS codepoints and can be offered and
 * negotiated in both versions. The RFC 3526 MODP groups have none ({@link #hasCodepoint()} is false): a TLS 1.2
 * server sends them as explicit parameters, our client recognises them, and they show up only as the group of such a
 * session; they cannot be configured.
 */
public enum NamedGroup {
    SECP256R1(0x0017, "secp256r1", 65),
    SECP384R1(0x0018, "secp384r1", 97),
    X25519(0x001d, "x25519", 32),
    /** RFC 7919 appendix A.1; public values are left-padded to the 256 bytes of p. */
    FFDHE2048(0x0100, "ffdhe2048", 256),
    /** RFC 7919 appendix A.2; 384-byte public values. */
    FFDHE3072(0x0101, "ffdhe3072", 384),
    /** RFC 7919 appendix A.3; 512-byte public values. */
    FFDHE4096(0x0102, "ffdhe4096", 512),
    /** RFC 3526 group 14 (2048-bit MODP). No TLS codepoint: seen only from TLS 1.2 servers. */
    MODP2048(-1, "modp2048", 256),
    /** RFC 3526 group 15 (3072-bit MODP). No TLS codepoint. */
    MODP3072(-1, "modp3072", 384),
    /** RFC 3526 group 16 (4096-bit MODP). No TLS codepoint. */
    MODP4096(-1, "modp4096", 512);

    private final int id;
    private final String tlsName;
    private final int publicKeyLength;

    NamedGroup(int id, String tlsName, int publicKeyLength) {
        this.id = id;
        this.tlsName = tlsName;
        this.publicKeyLength = publicKeyLength;
    }

    /** The IANA codepoint; -1 for the MODP groups, which have none. */
    public int id() {
        return id;
    }

    /** False for the RFC 3526 MODP groups: TLS cannot name them, so they cannot be offered or configured. */
    public boolean hasCodepoint() {
        return id >= 0;
    }

    /** True for the finite-field (DHE) groups, false for the elliptic curves. */
    public boolean isFiniteField() {
        return publicKeyLength >= 256;
    }

    /** The IANA name, e.g. {@code x25519}. */
    public String tlsName() {
        return tlsName;
    }

    /**
     * Length of the key_exchange field: 32 for X25519, an uncompressed point (0x04 || X || Y) for the NIST curves,
     * the length of p for the finite-field groups.
     */
    public int publicKeyLength() {
        return publicKeyLength;
    }

    /** The group with this codepoint, or {@code null} when it is not one we implement. */
    public static NamedGroup byId(int id) {
        for (NamedGroup g : values()) {
            if (g.id == id && g.hasCodepoint()) {
                return g;
            }
        }
        return null;
    }

    /** The group with this IANA name (case-insensitive; {@code P-256} and {@code P-384} are accepted too). */
    public static NamedGroup byName(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (n) {
            case "p-256": case "prime256v1": return SECP256R1;
            case "p-384": return SECP384R1;
            default:
                for (NamedGroup g : values()) {
                    if (g.tlsName.equals(n)) {
                        return g;
                    }
                }
                throw new IllegalArgumentException("unknown group: " + name);
        }
    }
}
