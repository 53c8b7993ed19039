package io.tlspsk.handler.store;

import io.tlspsk.handler.ExternalPsk;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real store behind a counter: records every lookup's identities and the key lists it handed out, and can hold its
 * answers back until released (a slow key service) or fail them (a broken one).
 */
final class CountingStore implements PskStore {

    final PskStore inner;
    final List<List<PskIdentity>> calls = new CopyOnWriteArrayList<>();
    final List<ExternalPsk> handedOut = new CopyOnWriteArrayList<>();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile RuntimeException failure;

    CountingStore(PskStore inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
        calls.add(new ArrayList<>(identities));
        RuntimeException f = failure;
        if (f != null) {
            return CompletableFuture.failedFuture(f);
        }
        return gate.thenCompose(v -> inner.lookup(identities)).thenApply(m -> {
            m.values().forEach(handedOut::addAll);
            return m;
        });
    }

    @Override
    public CompletionStage<Promotion> authenticated(PskIdentity identity, ExternalPsk key) {
        return inner.authenticated(identity, key);
    }

    @Override
    public void addListener(PskStoreListener listener) {
        inner.addListener(listener);
    }

    @Override
    public void removeListener(PskStoreListener listener) {
        inner.removeListener(listener);
    }

    /** How many lookups asked about {@code id}. */
    long askedAbout(PskIdentity id) {
        return calls.stream().filter(c -> c.contains(id)).count();
    }
}
