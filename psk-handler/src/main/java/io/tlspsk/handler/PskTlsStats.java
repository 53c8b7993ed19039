package io.tlspsk.handler;

/**
 * An immutable snapshot of a {@link PskTlsContext}'s counters, from {@link PskTlsContext#stats()}: totals over
 * every channel the context made a handler for. Each counter is read separately, so a snapshot taken while
 * handshakes run may be a few handshakes apart between its fields.
 */
public final class PskTlsStats {

    private final long handshakesSucceeded;
    private final long handshakesFailed;
    private final long authenticationFailures;

    PskTlsStats(long handshakesSucceeded, long handshakesFailed, long authenticationFailures) {
        this.handshakesSucceeded = handshakesSucceeded;
        this.handshakesFailed = handshakesFailed;
        this.authenticationFailures = authenticationFailures;
    }

    /** Handshakes that completed. */
    public long handshakesSucceeded() {
        return handshakesSucceeded;
    }

    /** Handshakes that failed for any reason: alert, timeout, connection closed, handler removed. */
    public long handshakesFailed() {
        return handshakesFailed;
    }

    /**
     * Server handshakes in which a known identity's key was not proven (each also fired a
     * {@link PskAuthenticationFailedEvent} and counts in {@link #handshakesFailed()}).
     */
    public long authenticationFailures() {
        return authenticationFailures;
    }

    @Override
    public String toString() {
        return "PskTlsStats(succeeded=" + handshakesSucceeded + ", failed=" + handshakesFailed
                + ", authenticationFailures=" + authenticationFailures + ")";
    }
}
