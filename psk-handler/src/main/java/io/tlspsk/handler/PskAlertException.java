package io.tlspsk.handler;

import io.tlspsk.codec.alert.AlertDescription;
import javax.net.ssl.SSLHandshakeException;

/**
 * A connection ended by a fatal TLS alert: one we sent because the peer broke the protocol (or a key did not
 * match), or one the peer sent us. {@link #description()} names the alert; {@link #isReceived()} says who sent it.
 */
public final class PskAlertException extends SSLHandshakeException {

    private final AlertDescription description;
    private final int code;
    private final boolean received;
    private final String reason;

    PskAlertException(AlertDescription description, int code, boolean received, String message, String reason,
                      Throwable cause) {
        super(message);
        this.description = description;
        this.code = code;
        this.received = received;
        this.reason = reason;
        if (cause != null) {
            initCause(cause);
        }
    }

    static PskAlertException sent(AlertDescription description, String why, Throwable cause) {
        return new PskAlertException(description, description.code(), false,
                "sent fatal alert " + description.rfcName() + " (" + description.code() + "): " + why, why, cause);
    }

    static PskAlertException received(int code) {
        AlertDescription d = AlertDescription.byCode(code);
        String name = d != null ? d.rfcName() : "unknown";
        return new PskAlertException(d, code, true, "received fatal alert " + name + " (" + code + ")", null, null);
    }

    /** The alert, or {@code null} when the peer sent a code this library does not name (see {@link #code()}). */
    public AlertDescription description() {
        return description;
    }

    /** The alert code on the wire. */
    public int code() {
        return code;
    }

    /** Why this side sent the alert; {@code null} for an alert the peer sent (it gives no reason). */
    public String reason() {
        return reason;
    }

    /** True when the peer sent the alert; false when this side sent it. */
    public boolean isReceived() {
        return received;
    }
}
