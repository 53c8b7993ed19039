package io.tlspsk.handler;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsLimitExceededException;

/**
 * Per connection: what the peer made us do in a row without giving the application or the handshake anything, each
 * count bounded. Records a peer can send for almost nothing (an empty application data record, a warning alert, a
 * change_cipher_spec) cost us a decryption each and never reach an application handler, so the application cannot
 * limit them; a KeyUpdate costs a key derivation and, when it requests one, a KeyUpdate of our own; a refused
 * renegotiation costs a warning we must write. Application data of at least one byte starts every count again. Each
 * bound passed is unexpected_message (RFC 8446 section 6.2 and RFC 5246 section 7.2.2: "an inappropriate message was
 * received"), as OpenSSL and BoringSSL answer their own limits of this kind.
 */
final class FloodGuard {

    private final int maxRecordsWithoutProgress;
    private final int maxKeyUpdates;
    private int recordsWithoutProgress;
    private int keyUpdates;
    private int renegotiations;

    FloodGuard(PskTlsContext context) {
        this.maxRecordsWithoutProgress = context.maxRecordsWithoutProgress;
        this.maxKeyUpdates = context.maxConsecutiveKeyUpdates;
    }

    /** Application data of at least one byte arrived: the peer is doing what a connection is for. */
    void applicationData() {
        recordsWithoutProgress = 0;
        keyUpdates = 0;
        renegotiations = 0;
    }

    /** A handshake message moved the handshake on (a finite number of them, bounded by the handshake itself). */
    void handshakeMessage() {
        recordsWithoutProgress = 0;
    }

    /** A record that carries nothing for the application or the handshake, described by {@code what}. */
    void recordWithoutProgress(String what) throws TlsLimitExceededException {
        if (++recordsWithoutProgress > maxRecordsWithoutProgress) {
            throw new TlsLimitExceededException(AlertDescription.UNEXPECTED_MESSAGE,
                    "more than " + maxRecordsWithoutProgress + " records in a row without progress (last: " + what
                    + ")", TlsLimitExceededException.Limit.RECORDS_WITHOUT_PROGRESS);
        }
    }

    /** A KeyUpdate from the peer, other than its answer to our own request. */
    void keyUpdate() throws TlsLimitExceededException {
        if (++keyUpdates > maxKeyUpdates) {
            // RFC 8446 section 4.6.3 sets no limit; BoringSSL stops at 32 in a row with unexpected_message.
            throw new TlsLimitExceededException(AlertDescription.UNEXPECTED_MESSAGE,
                    "more than " + maxKeyUpdates + " KeyUpdates in a row without application data",
                    TlsLimitExceededException.Limit.KEY_UPDATES);
        }
    }

    /**
     * A TLS 1.2 renegotiation attempt, about to be refused with a no_renegotiation warning. Past
     * {@link PskTlsContext#MAX_REFUSED_RENEGOTIATIONS} in a row it is fatal instead: unexpected_message, since
     * no_renegotiation itself "is always a warning" (RFC 5246 section 7.2.2) and handshake_failure would claim that
     * parameters could not be agreed, whereas the peer was told no and asked again.
     */
    void renegotiation() throws TlsLimitExceededException {
        if (++renegotiations > PskTlsContext.MAX_REFUSED_RENEGOTIATIONS) {
            throw new TlsLimitExceededException(AlertDescription.UNEXPECTED_MESSAGE,
                    "renegotiation asked for again after " + PskTlsContext.MAX_REFUSED_RENEGOTIATIONS + " refusals",
                    TlsLimitExceededException.Limit.RENEGOTIATIONS);
        }
    }
}
