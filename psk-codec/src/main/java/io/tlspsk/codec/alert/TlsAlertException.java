package io.tlspsk.codec.alert;

/**
 * A protocol violation found while decoding or processing, carrying the alert to send. Thrown by parsers and
 * the state machine; the handler turns it into a fatal alert on the wire and a failed handshake, never letting it
 * escape the pipeline. Messages never contain secret material.
 */
public class TlsAlertException extends Exception {

    private final AlertDescription description;
    private final String detail;

    public TlsAlertException(AlertDescription description, String message) {
        super(description.rfcName() + ": " + message);
        this.description = description;
        this.detail = message;
    }

    public TlsAlertException(AlertDescription description, String message, Throwable cause) {
        super(description.rfcName() + ": " + message, cause);
        this.description = description;
        this.detail = message;
    }

    /** What went wrong, without the alert name. */
    public String detail() {
        return detail;
    }

    public AlertDescription description() {
        return description;
    }

    public static TlsAlertException decodeError(String message) {
        return new TlsAlertException(AlertDescription.DECODE_ERROR, message);
    }

    public static TlsAlertException illegalParameter(String message) {
        return new TlsAlertException(AlertDescription.ILLEGAL_PARAMETER, message);
    }

    public static TlsAlertException unexpectedMessage(String message) {
        return new TlsAlertException(AlertDescription.UNEXPECTED_MESSAGE, message);
    }
}
