package io.tlspsk.codec.alert;

/** Alert descriptions (RFC 8446 section 6, RFC 4279 for unknown_psk_identity). */
public enum AlertDescription {
    CLOSE_NOTIFY(0),
    UNEXPECTED_MESSAGE(10),
    BAD_RECORD_MAC(20),
    RECORD_OVERFLOW(22),
    HANDSHAKE_FAILURE(40),
    BAD_CERTIFICATE(42),
    ILLEGAL_PARAMETER(47),
    UNKNOWN_CA(48),
    ACCESS_DENIED(49),
    DECODE_ERROR(50),
    DECRYPT_ERROR(51),
    PROTOCOL_VERSION(70),
    INSUFFICIENT_SECURITY(71),
    INTERNAL_ERROR(80),
    INAPPROPRIATE_FALLBACK(86),
    USER_CANCELED(90),
    NO_RENEGOTIATION(100),
    MISSING_EXTENSION(109),
    UNSUPPORTED_EXTENSION(110),
    UNRECOGNIZED_NAME(112),
    UNKNOWN_PSK_IDENTITY(115),
    NO_APPLICATION_PROTOCOL(120);

    private final int code;

    AlertDescription(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The name as RFC 8446 spells it, e.g. {@code illegal_parameter}. */
    public String rfcName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The description with this code, or {@code null} for a code we do not name. */
    public static AlertDescription byCode(int code) {
        for (AlertDescription d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }
}
