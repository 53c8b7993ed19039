package io.tlspsk.handler;

/** TLS 1.3 PSK key exchange modes (RFC 8446 section 4.2.9). */
public enum PskKeyExchangeMode {
    /** PSK-only key establishment: no public-key operation, no forward secrecy. */
    PSK_KE(0),
    /** PSK with (EC)DHE key establishment: forward secret. */
    PSK_DHE_KE(1);

    private final int id;

    PskKeyExchangeMode(int id) {
        this.id = id;
    }

    /** The codepoint on the wire. */
    public int id() {
        return id;
    }

    /** The mode with this codepoint, or {@code null} for an unknown one (which RFC 8446 says to ignore). */
    public static PskKeyExchangeMode byId(int id) {
        return id == 0 ? PSK_KE : id == 1 ? PSK_DHE_KE : null;
    }

    /** Parses {@code psk_ke} or {@code psk_dhe_ke}. */
    public static PskKeyExchangeMode byName(String name) {
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "psk_ke": return PSK_KE;
            case "psk_dhe_ke": return PSK_DHE_KE;
            default: throw new IllegalArgumentException("unknown PSK key exchange mode: " + name);
        }
    }

    /** The RFC name, {@code psk_ke} or {@code psk_dhe_ke}. */
    public String rfcName() {
        return this == PSK_KE ? "psk_ke" : "psk_dhe_ke";
    }
}
