package io.tlspsk.codec.crypto;

/**
 * Key-exchange groups for psk_dhe_ke (RFC 8446 section 4.2.7), TLS 1.2 ECDHE_PSK (RFC 8422) and TLS 1.2 DHE_PSK
 * (ffdhe2048, RFC 7919).
 */
public enum NamedGroup {
    SECP256R1(0x0017, "secp256r1", 65),
    SECP384R1(0x0018, "secp384r1", 97),
    X25519(0x001d, "x25519", 32),
    /** RFC 7919 appendix A.1; public values are left-padded to the 256 bytes of p. */
    FFDHE2048(0x0100, "ffdhe2048", 256);

    private final int id;
    private final String tlsName;
    private final int publicKeyLength;

    NamedGroup(int id, String tlsName, int publicKeyLength) {
        this.id = id;
        this.tlsName = tlsName;
        this.publicKeyLength = publicKeyLength;
    }

    /** The IANA codepoint. */
    public int id() {
        return id;
    }

    /** The IANA name, e.g. {@code x25519}. */
    public String tlsName() {
        return tlsName;
    }

    /**
     * Length of the key_exchange field: 32 for X25519, an uncompressed point (0x04 || X || Y) for the NIST curves,
     * the length of p for ffdhe2048.
     */
    public int publicKeyLength() {
        return publicKeyLength;
    }

    /** The group with this codepoint, or {@code null} when it is not one we implement. */
    public static NamedGroup byId(int id) {
        for (NamedGroup g : values()) {
            if (g.id == id) {
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
