package io.tlspsk.handler;

/**
 * How a server that refused a client's 0-RTT data skips it (RFC 8446 section 4.2.10; this library never accepts
 * early data), at most {@link PskHandshakeHandler#EARLY_DATA_SKIP_LIMIT} bytes of it. More is unexpected_message,
 * the alert section 4.6.1 recommends for 0-RTT data beyond what the server allows.
 */
enum EarlyDataSkip {
    /** Nothing is skipped: a record that does not open is bad_record_mac, application data before keys is refused. */
    NONE,
    /**
     * The ClientHello was answered with a ServerHello: records that fail to open under the client's handshake key
     * are skipped, until the first that opens, which starts the client's second flight.
     */
    UNDECRYPTABLE_RECORDS,
    /**
     * The ClientHello was answered with a HelloRetryRequest: records of outer type application_data (0-RTT the client
     * sent before it saw the request) are skipped, until the second ClientHello arrives.
     */
    APPLICATION_DATA_RECORDS
}
