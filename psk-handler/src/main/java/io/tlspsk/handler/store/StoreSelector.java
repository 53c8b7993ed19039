package io.tlspsk.handler.store;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.OfferedPsk;
import io.tlspsk.handler.PskSelection;
import io.tlspsk.handler.PskSelectionRequest;
import io.tlspsk.handler.PskSelector;
import io.tlspsk.handler.PskTlsSession;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link PskSelector} over a {@link PskStore} ({@link PskSelector#fromStore}): one batched store request per
 * ClientHello with every offered identity; the first identity in the client's wire order that the store knows is
 * chosen, with the store's candidates for it. When a handshake completes, the store learns which key verified
 * ({@link PskStore#authenticated}): a {@link RotatingPskStore} promotes a backup key then. Promotions run
 * asynchronously; their outcomes are counted here, and a failure is logged (identity and label, never a key) and
 * left for the next handshake with the backup key to retry, as the rotation procedure asks.
 *
 * <p>The application learns of a promotion from the store, not from the channel (the connection may be gone by the
 * time a shared store has answered): {@link PskStoreListener#promoted} on the store's listeners. Every gateway sharing
 * a {@link RedisPskStore} hears it; gateways sharing a {@link FilePskStore} other than the one that promoted hear
 * {@link PskStoreListener#changed} when they reload the file.
 */
public final class StoreSelector implements PskSelector {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(StoreSelector.class);

    private final PskStore store;
    private final LongAdder promotions = new LongAdder();
    private final LongAdder stalePromotions = new LongAdder();
    private final LongAdder promotionFailures = new LongAdder();

    /** Use {@link PskSelector#fromStore}. */
    public StoreSelector(PskStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public CompletionStage<PskSelection> select(PskSelectionRequest request) {
        List<OfferedPsk> offered = request.offeredPsks();
        List<PskIdentity> ids = new ArrayList<>(offered.size());
        for (OfferedPsk o : offered) {
            ids.add(PskIdentity.of(o.identity()));
        }
        // A client may repeat an identity; the store is asked once for each.
        Set<PskIdentity> distinct = new LinkedHashSet<>(ids);
        return store.lookup(List.copyOf(distinct)).thenApply(found -> choose(offered, ids, found));
    }

    private static PskSelection choose(List<OfferedPsk> offered, List<PskIdentity> ids,
                                       Map<PskIdentity, List<ExternalPsk>> found) {
        if (found == null) {
            throw new PskStoreException("PSK store answered null");
        }
        for (int i = 0; i < offered.size(); i++) {
            List<ExternalPsk> keys = found.get(ids.get(i));
            if (keys != null && !keys.isEmpty()) {
                return PskSelection.of(offered.get(i), keys);
            }
        }
        return PskSelection.none();
    }

    @Override
    public void authenticated(PskSelectionRequest request, ExternalPsk key, PskTlsSession session) {
        PskIdentity identity = PskIdentity.of(session.identity());
        CompletionStage<Promotion> outcome;
        try {
            outcome = store.authenticated(identity, key);
        } catch (RuntimeException e) {
            failed(identity, key, e);
            return;
        }
        outcome.whenComplete((promotion, failure) -> {
            if (failure != null) {
                failed(identity, key, failure);
            } else if (promotion == Promotion.PROMOTED) {
                promotions.increment();
                logger.debug("promoted key {} of PSK identity {} to main key", key.label(), identity);
            } else if (promotion == Promotion.STALE) {
                stalePromotions.increment();
            }
        });
    }

    private void failed(PskIdentity identity, ExternalPsk key, Throwable failure) {
        promotionFailures.increment();
        // Store exceptions name identities and fields, never keys; the key's label is public.
        logger.warn("promotion of key {} of PSK identity {} failed; the next handshake with it retries: {}",
                key.label(), identity, String.valueOf(failure));
    }

    /** Backup keys promoted to main key after a handshake authenticated with them. */
    public long promotions() {
        return promotions.sum();
    }

    /** Promotions that found the key already promoted or superseded (by another gateway, or a newer rotation). */
    public long stalePromotions() {
        return stalePromotions.sum();
    }

    /** Promotions that failed (the store was unreachable, or refused); the key stays the backup key. */
    public long promotionFailures() {
        return promotionFailures.sum();
    }

    /** The store this selector reads. */
    public PskStore store() {
        return store;
    }
}
