package io.tlspsk.handler.store;

import io.tlspsk.handler.ExternalPsk;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a server's PSKs live: the read side of a key store, asked by {@link io.tlspsk.handler.PskSelector#fromStore}
 * for the identities of each ClientHello.
 *
 * <p>{@link #lookup} is batched: every identity one ClientHello offers comes in one call (the TLS 1.3 pre_shared_key
 * extension may carry up to {@code maxOfferedIdentities} of them), and the store answers them together (one MGET, one
 * query, map lookups), so a ClientHello costs at most one request to a key service whatever it offers. It is
 * asynchronous and is called on an event loop: it must never block; a store doing I/O completes the stage later, on
 * its own threads. A failed stage fails the handshake with internal_error.
 *
 * <p>The keys returned belong to the caller (a handshake); the store keeps and zeroes its own copies.
 */
public interface PskStore {

    /**
     * The candidate keys of each of {@code identities} that this store knows, in preference order (main key first,
     * then backup), each key {@link ExternalPsk#label() labelled}. Identities it does not know (or that were revoked)
     * are absent from the map; it never maps an identity to an empty list.
     *
     * @param identities distinct identities, at least one
     */
    CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities);

    /**
     * A handshake completed with {@code key}, one of the candidates this store returned for {@code identity}: the
     * client proved it and its Finished verified. A store that rotates keys promotes a backup key here (see
     * {@link RotatingPskStore#authenticated}); the default does nothing and answers {@link Promotion#NONE}. Called on an
     * event loop: must not block.
     */
    default CompletionStage<Promotion> authenticated(PskIdentity identity, ExternalPsk key) {
        return CompletableFuture.completedFuture(Promotion.NONE);
    }

    /** Registers {@code listener} for changes. The default does nothing: for stores whose keys never change. */
    default void addListener(PskStoreListener listener) {
    }

    /** Unregisters {@code listener}. */
    default void removeListener(PskStoreListener listener) {
    }
}
