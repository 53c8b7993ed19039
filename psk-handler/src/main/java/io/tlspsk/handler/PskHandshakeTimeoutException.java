package io.tlspsk.handler;

import javax.net.ssl.SSLHandshakeException;

/** The handshake, including any pending PSK lookup, did not complete within the configured timeout. */
public final class PskHandshakeTimeoutException extends SSLHandshakeException {

    PskHandshakeTimeoutException(String message) {
        super(message);
    }
}
