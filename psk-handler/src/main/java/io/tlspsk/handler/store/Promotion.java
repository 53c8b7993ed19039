package io.tlspsk.handler.store;

/** What became of a key that authenticated a handshake ({@link PskStore#authenticated}, {@link RotatingPskStore#promote}). */
public enum Promotion {
    /** The key was not a backup key, or the store does not rotate keys: nothing to do. */
    NONE,
    /** The backup key became the main key; the previous main key is kept as the backup until the next rotation. */
    PROMOTED,
    /**
     * The key is no longer the identity's backup key: another gateway promoted it first, a newer backup key was
     * staged since, or the identity was revoked. Nothing changed.
     */
    STALE
}
