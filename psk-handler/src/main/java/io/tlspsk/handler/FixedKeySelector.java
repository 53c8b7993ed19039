package io.tlspsk.handler;

import io.tlspsk.handler.store.PskIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link PskSelector#fromKeys}: a fixed key list indexed by identity. The rule is the list scan's (s2n-tls's): of the
 * identities the client offered, the one whose first key comes earliest in the server's list wins; its candidates are
 * all keys with that identity, in list order; an identity offered twice is taken at its first position on the wire.
 * Here each identity remembers the list position of its first key, so a selection is one map lookup per offered
 * identity instead of a scan of the whole list.
 */
final class FixedKeySelector implements PskSelector {

    /** One identity's keys: the list position of the first, and all of them in list order. */
    private static final class Entry {
        final int firstPosition;
        final List<ExternalPsk> candidates = new ArrayList<>(2);

        Entry(int firstPosition) {
            this.firstPosition = firstPosition;
        }
    }

    private final Map<PskIdentity, Entry> byIdentity;

    FixedKeySelector(List<ExternalPsk> keys) {
        List<ExternalPsk> copy = List.copyOf(keys);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("at least one PSK is needed");
        }
        byIdentity = new HashMap<>(copy.size() * 4 / 3 + 1);
        for (int i = 0; i < copy.size(); i++) {
            ExternalPsk key = copy.get(i);
            int position = i;
            byIdentity.computeIfAbsent(PskIdentity.of(key.identityBytes()), id -> new Entry(position))
                    .candidates.add(key);
        }
    }

    @Override
    public CompletionStage<PskSelection> select(PskSelectionRequest request) {
        OfferedPsk chosen = null;
        Entry best = null;
        for (OfferedPsk offered : request.offeredPsks()) {
            Entry e = byIdentity.get(PskIdentity.of(offered.identityBytes()));
            // Strictly earlier only: a repeated identity keeps its first wire position.
            if (e != null && (best == null || e.firstPosition < best.firstPosition)) {
                best = e;
                chosen = offered;
            }
        }
        return CompletableFuture.completedFuture(best == null ? PskSelection.none()
                : PskSelection.of(chosen, best.candidates));
    }
}
