package io.tlspsk.handler;

import io.tlspsk.handler.store.PskStore;
import io.tlspsk.handler.store.StoreSelector;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The server's PSK selection hook. It sees every identity the client offered, in wire order, and answers with a
 * {@link PskSelection}: one identity and its candidate keys, or none.
 *
 * <p>It is asynchronous: the returned stage may complete later, on any thread (a database or key service
 * answering). While it is pending the handler reads nothing more from the channel and holds what already
 * arrived; it resumes on the channel's event loop. A channel closed meanwhile, a stage that fails, and a stage
 * that outlasts the handshake timeout each end the handshake cleanly. {@link #select} is called on the event
 * loop: it must not block. At most {@link PskTlsContext.Builder#maxPendingLookups} lookups of one context are
 * pending at once; beyond that a handshake is refused with internal_error without calling {@link #select}.
 */
@FunctionalInterface
public interface PskSelector {

    /**
     * Chooses a PSK for this ClientHello. Called once per handshake (a HelloRetryRequest reuses the answer).
     * Throwing or returning {@code null} fails the handshake with {@code internal_error}.
     */
    CompletionStage<PskSelection> select(PskSelectionRequest request);

    /**
     * The handshake this selector chose a key for has completed: the client proved {@code key} (TLS 1.3: its binder
     * verified; TLS 1.2: its Finished opened and verified) and its Finished verified, which is the "successful
     * authentication" after which a device's backup key may be promoted to main key (see
     * {@link io.tlspsk.handler.store.RotatingPskStore}). Called once per completed server handshake, on the channel's
     * event loop, after the {@link PskHandshakeCompletionEvent}; it must not block (start asynchronous work and
     * return). What it throws is logged and otherwise ignored: the handshake has completed. The default does nothing.
     *
     * @param request what this selector was asked for this handshake
     * @param key the candidate that verified, with its {@link ExternalPsk#label() label}
     * @param session the negotiated session
     */
    default void authenticated(PskSelectionRequest request, ExternalPsk key, PskTlsSession session) {
    }

    /**
     * The default rule (s2n-tls's): the first PSK in {@code keys} whose identity the client offered. Every key in
     * {@code keys} with that identity becomes a candidate, in list order, so a main and a backup key for one
     * device identity are both tried. The keys are indexed by identity once, here: a selection costs one map
     * lookup per offered identity, whatever the number of keys.
     *
     * @throws IllegalArgumentException when {@code keys} is empty
     */
    static PskSelector fromKeys(List<ExternalPsk> keys) {
        return new FixedKeySelector(keys);
    }

    /**
     * Chooses keys from {@code store}: every identity of a ClientHello in one store request
     * ({@link PskStore#lookup}), the first identity in the client's wire order that the store knows wins, with the
     * store's candidates for it (main key first, then backup). When a handshake completes with a backup key the
     * store is told ({@link PskStore#authenticated}), so that a {@link io.tlspsk.handler.store.RotatingPskStore}
     * promotes it. The returned selector counts promotions and their failures.
     */
    static StoreSelector fromStore(PskStore store) {
        return new StoreSelector(store);
    }

    /**
     * Looks identities up one at a time, in the client's wire order, with an asynchronous {@code lookup} (for
     * example a key service). The first identity for which the lookup returns a non-empty list is chosen, with
     * that list as its candidate keys (main key first, then backup). A ClientHello offering several identities makes
     * several lookups, one after the other: {@link #fromStore} asks once for all of them.
     */
    static PskSelector byIdentity(Function<OfferedPsk, CompletionStage<List<ExternalPsk>>> lookup) {
        Objects.requireNonNull(lookup, "lookup");
        return request -> lookupFrom(lookup, request.offeredPsks(), 0);
    }

    /** Adapts a hook written against Netty's {@link io.netty.util.concurrent.Future}. */
    static PskSelector fromNettyFuture(
            Function<PskSelectionRequest, io.netty.util.concurrent.Future<PskSelection>> hook) {
        Objects.requireNonNull(hook, "hook");
        return request -> {
            CompletableFuture<PskSelection> result = new CompletableFuture<>();
            hook.apply(request).addListener(f -> {
                if (f.isSuccess()) {
                    result.complete((PskSelection) f.getNow());
                } else {
                    result.completeExceptionally(f.cause());
                }
            });
            return result;
        };
    }

    private static CompletionStage<PskSelection> lookupFrom(
            Function<OfferedPsk, CompletionStage<List<ExternalPsk>>> lookup, List<OfferedPsk> offered, int i) {
        if (i == offered.size()) {
            return CompletableFuture.completedFuture(PskSelection.none());
        }
        OfferedPsk candidate = offered.get(i);
        return lookup.apply(candidate).thenCompose(keys -> keys == null || keys.isEmpty()
                ? lookupFrom(lookup, offered, i + 1)
                : CompletableFuture.completedFuture(PskSelection.of(candidate, keys)));
    }
}
