package io.tlspsk.codec.alert;

import java.util.Objects;

/**
 * A {@link TlsAlertException} raised because the peer went past a size or count limit (a protocol limit or one set
 * in the configuration), rather than because it broke the protocol's syntax. It carries the alert like any other and
 * says which {@link Limit} was exceeded, so that the handler can count it without parsing messages.
 */
public final class TlsLimitExceededException extends TlsAlertException {

    /** The limits whose violation is reported this way. */
    public enum Limit {
        /** A record longer than the protocol allows (RFC 8446 section 5.2, RFC 5246 section 6.2.3). */
        RECORD_SIZE,
        /** A handshake message longer than the configured maximum. */
        HANDSHAKE_MESSAGE_SIZE,
        /** More PSK identities in one ClientHello than the configured maximum. */
        OFFERED_IDENTITIES,
        /** A PSK identity longer than the configured maximum. */
        IDENTITY_LENGTH,
        /** More bytes sent by the peer while a PSK lookup was pending than are held for it (raised by the handler). */
        BUFFERED_DURING_LOOKUP,
        /** A PSK lookup refused because the server already has its maximum of lookups pending (raised by the handler). */
        PENDING_LOOKUPS,
        /** More 0-RTT data than a server that refused it skips (RFC 8446 section 4.6.1; raised by the handler). */
        EARLY_DATA,
        /** More KeyUpdates in a row, with no application data between them, than the configured maximum (handler). */
        KEY_UPDATES,
        /** More TLS 1.2 renegotiation attempts in a row, each refused, than the handler tolerates (handler). */
        RENEGOTIATIONS,
        /**
         * More records in a row that carry nothing for the application or the handshake (empty application data,
         * warning alerts, change_cipher_spec, ...) than the configured maximum (raised by the handler).
         */
        RECORDS_WITHOUT_PROGRESS
    }

    private final Limit limit;

    public TlsLimitExceededException(AlertDescription description, String message, Limit limit) {
        super(description, message);
        this.limit = Objects.requireNonNull(limit, "limit");
    }

    /** Which limit was exceeded. */
    public Limit limit() {
        return limit;
    }
}
