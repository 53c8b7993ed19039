package io.tlspsk.handler;

/**
 * TLS 1.2 client: chooses the PSK to use once the server's identity hint is known (RFC 4279 section 2), like
 * OpenSSL's {@code SSL_psk_client_cb_func}. Called on the event loop; it must not block.
 */
@FunctionalInterface
public interface PskHintCallback {

    /**
     * @param identityHint the server's hint decoded as UTF-8, or {@code null} when the server sent none
     * @return the PSK to use, or {@code null} to abort the handshake
     */
    ExternalPsk choose(String identityHint);
}
