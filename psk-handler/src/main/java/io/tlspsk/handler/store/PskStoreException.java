package io.tlspsk.handler.store;

/**
 * A store could not do what it was asked: the backing service failed or timed out, it holds data that is not a
 * valid key record, or a management operation does not fit the identity's state (adding an identity that exists,
 * rotating one that does not). Messages name the identity and the field, never a key.
 *
 * <p>A lookup that fails with it fails the handshake with internal_error (RFC 8446 section 6.2: an error unrelated to
 * the peer).
 */
public class PskStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PskStoreException(String message) {
        super(message);
    }

    public PskStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
