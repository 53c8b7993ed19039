package io.tlspsk.codec.handshake;

/**
 * Extension codepoints this library reads or writes (RFC 8446 section 4.2, RFC 6066, RFC 7301, and for TLS 1.2
 * RFC 8422, RFC 7366, RFC 7627, RFC 5746).
 */
public final class ExtensionType {
    public static final int SERVER_NAME = 0;
    public static final int SUPPORTED_GROUPS = 10;
    /** TLS 1.2 ECDHE: ec_point_formats, RFC 8422 section 5.1.2. */
    public static final int EC_POINT_FORMATS = 11;
    public static final int SIGNATURE_ALGORITHMS = 13;
    public static final int APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16;
    /** padding, RFC 7685: a client may add, drop or resize it in the ClientHello that answers a HelloRetryRequest. */
    public static final int PADDING = 21;
    /** TLS 1.2: encrypt_then_mac, RFC 7366 section 2. */
    public static final int ENCRYPT_THEN_MAC = 22;
    /** TLS 1.2: extended_master_secret, RFC 7627 section 5.1. */
    public static final int EXTENDED_MASTER_SECRET = 23;
    public static final int PRE_SHARED_KEY = 41;
    public static final int EARLY_DATA = 42;
    public static final int SUPPORTED_VERSIONS = 43;
    public static final int COOKIE = 44;
    public static final int PSK_KEY_EXCHANGE_MODES = 45;
    public static final int KEY_SHARE = 51;
    /** TLS 1.2: renegotiation_info, RFC 5746 section 3.2. */
    public static final int RENEGOTIATION_INFO = 0xff01;

    private ExtensionType() {
    }

    /** The RFC name of {@code type} for messages, or "extension N" for one this library does not know. */
    public static String name(int type) {
        switch (type) {
            case SERVER_NAME: return "server_name";
            case SUPPORTED_GROUPS: return "supported_groups";
            case EC_POINT_FORMATS: return "ec_point_formats";
            case SIGNATURE_ALGORITHMS: return "signature_algorithms";
            case APPLICATION_LAYER_PROTOCOL_NEGOTIATION: return "application_layer_protocol_negotiation";
            case PADDING: return "padding";
            case ENCRYPT_THEN_MAC: return "encrypt_then_mac";
            case EXTENDED_MASTER_SECRET: return "extended_master_secret";
            case PRE_SHARED_KEY: return "pre_shared_key";
            case EARLY_DATA: return "early_data";
            case SUPPORTED_VERSIONS: return "supported_versions";
            case COOKIE: return "cookie";
            case PSK_KEY_EXCHANGE_MODES: return "psk_key_exchange_modes";
            case KEY_SHARE: return "key_share";
            case RENEGOTIATION_INFO: return "renegotiation_info";
            default: return "extension " + type;
        }
    }
}
