package io.tlspsk.codec.record;

/** TLS record content types (RFC 8446 section 5.1). */
public final class ContentType {
    public static final int CHANGE_CIPHER_SPEC = 20;
    public static final int ALERT = 21;
    public static final int HANDSHAKE = 22;
    public static final int APPLICATION_DATA = 23;

    private ContentType() {
    }

    /** True for the four types TLS 1.3 and 1.2 define. */
    public static boolean isKnown(int type) {
        return type >= CHANGE_CIPHER_SPEC && type <= APPLICATION_DATA;
    }

    public static String name(int type) {
        switch (type) {
            case CHANGE_CIPHER_SPEC: return "change_cipher_spec";
            case ALERT: return "alert";
            case HANDSHAKE: return "handshake";
            case APPLICATION_DATA: return "application_data";
            default: return "unknown(" + type + ")";
        }
    }
}
