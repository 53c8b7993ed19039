package io.tlspsk.handler;

import java.util.ArrayList;
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
     * The default rule (s2n-tls's): the first PSK in {@code keys} whose identity the client offered. Every key in
     * {@code keys} with that identity becomes a candidate, in list order, so a main and a backup key for one
     * device identity are both tried.
     */
    static PskSelector fromKeys(List<ExternalPsk> keys) {
        List<ExternalPsk> copy = List.copyOf(keys);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("at least one PSK is needed");
        }
        return request -> {
            for (ExternalPsk key : copy) {
                for (OfferedPsk offered : request.offeredPsks()) {
                    if (key.hasIdentity(offered.identityBytes())) {
                        return CompletableFuture.completedFuture(PskSelection.of(offered, candidatesFor(copy, offered)));
                    }
                }
            }
            return CompletableFuture.completedFuture(PskSelection.none());
        };
    }

    /**
     * Looks identities up one at a time, in the client's wire order, with an asynchronous {@code lookup} (for
     * example a key service). The first identity for which the lookup returns a non-empty list is chosen, with
     * that list as its candidate keys (main key first, then backup).
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

    private static List<ExternalPsk> candidatesFor(List<ExternalPsk> keys, OfferedPsk offered) {
        List<ExternalPsk> out = new ArrayList<>(2);
        for (ExternalPsk k : keys) {
            if (k.hasIdentity(offered.identityBytes())) {
                out.add(k);
            }
        }
        return out;
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
