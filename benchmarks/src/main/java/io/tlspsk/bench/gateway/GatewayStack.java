package io.tlspsk.bench.gateway;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The stacks the gateway benchmark compares, each as a server in its own JVM and a client in the load generator.
 * Every TLS stack uses AES-128-GCM; the TLS 1.3 certificate stacks use an ECDSA P-256 self-signed certificate and
 * x25519 (their engines' first group).
 */
public enum GatewayStack {
    OURS_PSK_KE("ours_psk_ke", "ours, TLS 1.3 psk_ke", "ours psk_ke", "TLSv1.3 TLS_AES_128_GCM_SHA256 psk_ke"),
    OURS_PSK_DHE_KE("ours_psk_dhe_ke", "ours, TLS 1.3 psk_dhe_ke x25519", "ours psk_dhe_ke",
            "TLSv1.3 TLS_AES_128_GCM_SHA256 psk_dhe_ke x25519"),
    OURS_TLS12_PSK("ours_tls12_psk", "ours, TLS 1.2 PSK_WITH_AES_128_GCM_SHA256", "ours TLS 1.2 PSK",
            "TLSv1.2 TLS_PSK_WITH_AES_128_GCM_SHA256"),
    SSL_OPENSSL("ssl_openssl", "SslHandler, OpenSSL engine (TLS 1.3, ECDSA cert)", "SslHandler OpenSSL",
            "TLSv1.3 TLS_AES_128_GCM_SHA256"),
    SSL_JDK("ssl_jdk", "SslHandler, JDK engine (TLS 1.3, ECDSA cert)", "SslHandler JDK",
            "TLSv1.3 TLS_AES_128_GCM_SHA256"),
    PLAIN("plain", "plain TCP, no TLS (the floor)", "plain TCP", "plaintext");

    /** The stack every ratio is taken against. */
    public static final GatewayStack REFERENCE = OURS_PSK_KE;

    private final String id;
    private final String label;
    private final String shortLabel;
    private final String expected;

    GatewayStack(String id, String label, String shortLabel, String expected) {
        this.id = id;
        this.label = label;
        this.shortLabel = shortLabel;
        this.expected = expected;
    }

    /** The name on command lines and in the JSON. */
    public String id() {
        return id;
    }

    /** The name in reports. */
    public String label() {
        return label;
    }

    /** The name in charts and table headers. */
    public String shortLabel() {
        return shortLabel;
    }

    /** What a client of this stack must have negotiated (the start of {@link HandshakeEvent#negotiated()}). */
    String expected() {
        return expected;
    }

    boolean isOurs() {
        return id.startsWith("ours");
    }

    public static GatewayStack byId(String id) {
        for (GatewayStack s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stack " + id + " (one of " + ids(Arrays.asList(values())) + ")");
    }

    static List<GatewayStack> parse(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(GatewayStack::byId)
                .collect(Collectors.toList());
    }

    static String ids(List<GatewayStack> stacks) {
        return stacks.stream().map(GatewayStack::id).collect(Collectors.joining(","));
    }
}
