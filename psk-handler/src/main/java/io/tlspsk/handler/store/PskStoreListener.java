package io.tlspsk.handler.store;

/**
 * Told when a {@link PskStore}'s keys change, so that what was read from it can be dropped: a cache
 * ({@link CachingPskStore}) invalidates the identity, a {@link LiveChannelRegistry} closes a revoked identity's
 * connections. Shared stores report changes made by any gateway (Redis: through pub/sub).
 *
 * <p>Methods are called on the store's own threads (or the caller's, for an in-memory store): they must be quick and
 * must not block. Every method defaults to doing nothing.
 */
public interface PskStoreListener {

    /** {@code identity}'s keys changed: a key was added, a backup staged or promoted. */
    default void changed(PskIdentity identity) {
    }

    /**
     * {@code identity} was promoted: its backup key, now labelled {@code newMain}, became the main key. The default
     * treats it as {@link #changed}.
     */
    default void promoted(PskIdentity identity, KeyLabel newMain) {
        changed(identity);
    }

    /** {@code identity} was revoked: later handshakes fail as for an unknown identity. */
    default void revoked(PskIdentity identity) {
    }

    /**
     * Any identity may have changed and the store cannot say which: after reconnecting to a shared store whose change
     * notifications may have been missed meanwhile, or after a reload of the whole key set.
     */
    default void allChanged() {
    }
}
