package io.tlspsk.handler;

/** The protocol versions this library speaks. */
public enum TlsVersion {
    TLS_1_2(0x0303, "TLSv1.2"),
    TLS_1_3(0x0304, "TLSv1.3");

    private final int wireVersion;
    private final String javaName;

    TlsVersion(int wireVersion, String javaName) {
        this.wireVersion = wireVersion;
        this.javaName = javaName;
    }

    /** The version on the wire, e.g. 0x0304. */
    public int wireVersion() {
        return wireVersion;
    }

    /** The JSSE-style name, e.g. {@code TLSv1.3}, as {@link PskTlsSession#protocol()} reports it. */
    public String javaName() {
        return javaName;
    }

    /** Parses {@code 1.2}, {@code 1.3}, {@code TLSv1.2} or {@code TLSv1.3}. */
    public static TlsVersion byName(String name) {
        String n = name.trim();
        if (n.equalsIgnoreCase("1.2") || n.equalsIgnoreCase("TLSv1.2")) {
            return TLS_1_2;
        }
        if (n.equalsIgnoreCase("1.3") || n.equalsIgnoreCase("TLSv1.3")) {
            return TLS_1_3;
        }
        throw new IllegalArgumentException("unknown TLS version: " + name + " (1.2 or 1.3)");
    }
}
