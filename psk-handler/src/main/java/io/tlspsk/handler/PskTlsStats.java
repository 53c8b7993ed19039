package io.tlspsk.handler;

/**
 * An immutable snapshot of a {@link PskTlsContext}'s counters, from {@link PskTlsContext#stats()}: totals over
 * every channel the context made a handler for. Each counter is read separately, so a snapshot taken while
 * handshakes run may be a few handshakes apart between its fields.
 *
 * <p>The limit counters count connections ended by a limit: each such connection sent the alert named in the
 * getter's description (except a timeout, which sends user_canceled and close_notify), closed, and counts once, in
 * one limit counter and in {@link #handshakesFailed()} when it failed a handshake. A peer that goes on after the
 * first violation adds nothing.
 */
public final class PskTlsStats {

    private final long handshakesSucceeded;
    private final long handshakesFailed;
    private final long authenticationFailures;
    private final long oversizedRecords;
    private final long oversizedHandshakeMessages;
    private final long tooManyIdentities;
    private final long oversizedIdentities;
    private final long lookupBufferOverflows;
    private final long handshakeTimeouts;
    private final long lookupsRefused;
    private final long earlyDataOverflows;
    private final long tooManyKeyUpdates;
    private final long tooManyRenegotiations;
    private final long tooManyRecordsWithoutProgress;

    PskTlsStats(long handshakesSucceeded, long handshakesFailed, long authenticationFailures, long oversizedRecords,
                long oversizedHandshakeMessages, long tooManyIdentities, long oversizedIdentities,
                long lookupBufferOverflows, long handshakeTimeouts, long lookupsRefused, long earlyDataOverflows,
                long tooManyKeyUpdates, long tooManyRenegotiations, long tooManyRecordsWithoutProgress) {
        this.handshakesSucceeded = handshakesSucceeded;
        this.handshakesFailed = handshakesFailed;
        this.authenticationFailures = authenticationFailures;
        this.oversizedRecords = oversizedRecords;
        this.oversizedHandshakeMessages = oversizedHandshakeMessages;
        this.tooManyIdentities = tooManyIdentities;
        this.oversizedIdentities = oversizedIdentities;
        this.lookupBufferOverflows = lookupBufferOverflows;
        this.handshakeTimeouts = handshakeTimeouts;
        this.lookupsRefused = lookupsRefused;
        this.earlyDataOverflows = earlyDataOverflows;
        this.tooManyKeyUpdates = tooManyKeyUpdates;
        this.tooManyRenegotiations = tooManyRenegotiations;
        this.tooManyRecordsWithoutProgress = tooManyRecordsWithoutProgress;
    }

    /** Both sides of a client-and-server context: every counter added. */
    PskTlsStats plus(PskTlsStats o) {
        return new PskTlsStats(handshakesSucceeded + o.handshakesSucceeded, handshakesFailed + o.handshakesFailed,
                authenticationFailures + o.authenticationFailures, oversizedRecords + o.oversizedRecords,
                oversizedHandshakeMessages + o.oversizedHandshakeMessages, tooManyIdentities + o.tooManyIdentities,
                oversizedIdentities + o.oversizedIdentities, lookupBufferOverflows + o.lookupBufferOverflows,
                handshakeTimeouts + o.handshakeTimeouts, lookupsRefused + o.lookupsRefused,
                earlyDataOverflows + o.earlyDataOverflows,
                tooManyKeyUpdates + o.tooManyKeyUpdates, tooManyRenegotiations + o.tooManyRenegotiations,
                tooManyRecordsWithoutProgress + o.tooManyRecordsWithoutProgress);
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

    /**
     * Connections ended by a record longer than the protocol allows (record_overflow): an unprotected record longer
     * than 2^14 bytes (RFC 8446 section 5.1, RFC 5246 section 6.2.1); a protected one longer than 2^14+256 bytes in
     * TLS 1.3 (RFC 8446 section 5.2) or 2^14+2048 in TLS 1.2 (RFC 5246 section 6.2.3); once decrypted, a TLS 1.3
     * inner plaintext longer than 2^14+1 bytes, content type and padding included (RFC 8446 section 5.4), or a TLS
     * 1.2 plaintext longer than 2^14 bytes.
     */
    public long oversizedRecords() {
        return oversizedRecords;
    }

    /** Connections ended by a handshake message longer than {@code maxHandshakeMessageSize} (illegal_parameter). */
    public long oversizedHandshakeMessages() {
        return oversizedHandshakeMessages;
    }

    /** Server: ClientHellos refused for offering more than {@code maxOfferedIdentities} PSK identities (illegal_parameter). */
    public long tooManyIdentities() {
        return tooManyIdentities;
    }

    /**
     * Server: handshakes refused for a PSK identity longer than {@code maxIdentityLength}, in a ClientHello or a
     * TLS 1.2 ClientKeyExchange (illegal_parameter).
     */
    public long oversizedIdentities() {
        return oversizedIdentities;
    }

    /**
     * Server: handshakes ended because the client sent more than the 64 KiB held while its PSK lookup was pending
     * (unexpected_message).
     */
    public long lookupBufferOverflows() {
        return lookupBufferOverflows;
    }

    /**
     * Handshakes that did not complete within {@code handshakeTimeout} (a user_canceled warning and a close_notify
     * are sent, then the channel is closed).
     */
    public long handshakeTimeouts() {
        return handshakeTimeouts;
    }

    /** Server: handshakes refused because {@code maxPendingLookups} lookups were already pending (internal_error). */
    public long lookupsRefused() {
        return lookupsRefused;
    }

    /**
     * Server: handshakes ended because the client sent more 0-RTT data than the 64 KiB a server that refuses it
     * skips (unexpected_message, RFC 8446 section 4.6.1). This library never accepts early data.
     */
    public long earlyDataOverflows() {
        return earlyDataOverflows;
    }

    /**
     * TLS 1.3: connections ended because the peer sent more than {@code maxConsecutiveKeyUpdates} KeyUpdates in a row
     * with no application data between them (unexpected_message).
     */
    public long tooManyKeyUpdates() {
        return tooManyKeyUpdates;
    }

    /**
     * TLS 1.2: connections ended because the peer tried to renegotiate more than
     * {@value PskTlsContext#MAX_REFUSED_RENEGOTIATIONS} times in a row, with no application data between the
     * attempts, after each was refused with a no_renegotiation warning (unexpected_message).
     */
    public long tooManyRenegotiations() {
        return tooManyRenegotiations;
    }

    /**
     * Connections ended because the peer sent more than {@code maxRecordsWithoutProgress} records in a row that
     * carry nothing for the application or the handshake: empty application data, warning alerts (TLS 1.2),
     * user_canceled, change_cipher_spec, a HelloRequest or NewSessionTicket that is ignored (unexpected_message).
     */
    public long tooManyRecordsWithoutProgress() {
        return tooManyRecordsWithoutProgress;
    }

    @Override
    public String toString() {
        return "PskTlsStats(succeeded=" + handshakesSucceeded + ", failed=" + handshakesFailed
                + ", authenticationFailures=" + authenticationFailures + ", oversizedRecords=" + oversizedRecords
                + ", oversizedHandshakeMessages=" + oversizedHandshakeMessages
                + ", tooManyIdentities=" + tooManyIdentities + ", oversizedIdentities=" + oversizedIdentities
                + ", lookupBufferOverflows=" + lookupBufferOverflows + ", handshakeTimeouts=" + handshakeTimeouts
                + ", lookupsRefused=" + lookupsRefused + ", earlyDataOverflows=" + earlyDataOverflows
                + ", tooManyKeyUpdates=" + tooManyKeyUpdates
                + ", tooManyRenegotiations=" + tooManyRenegotiations
                + ", tooManyRecordsWithoutProgress=" + tooManyRecordsWithoutProgress + ")";
    }
}
