package io.tlspsk.handler;

/**
 * Fired as a user event when a handshake ends, like Netty's {@code SslHandshakeCompletionEvent}: either with the
 * negotiated {@link PskTlsSession} or with the cause of the failure.
 */
public final class PskHandshakeCompletionEvent {

    private final PskTlsSession session;
    private final Throwable cause;

    PskHandshakeCompletionEvent(PskTlsSession session, Throwable cause) {
        this.session = session;
        this.cause = cause;
    }

    public boolean isSuccess() {
        return cause == null;
    }

    /** The negotiated session, or {@code null} on failure. */
    public PskTlsSession session() {
        return session;
    }

    /**
     * The label of the key that authenticated the session ({@link PskTlsSession#keyLabel()}), or {@code null} on
     * failure or for an unlabelled key.
     */
    public String keyLabel() {
        return session == null ? null : session.keyLabel();
    }

    /** Why the handshake failed, or {@code null} on success. */
    public Throwable cause() {
        return cause;
    }

    @Override
    public String toString() {
        return isSuccess() ? "PskHandshakeCompletionEvent(SUCCESS, " + session + ")"
                : "PskHandshakeCompletionEvent(" + cause + ")";
    }
}
