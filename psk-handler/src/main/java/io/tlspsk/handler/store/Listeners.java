package io.tlspsk.handler.store;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A store's {@link PskStoreListener}s; one failing listener is logged and does not keep the others from hearing. */
final class Listeners {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Listeners.class);

    private final CopyOnWriteArrayList<PskStoreListener> listeners = new CopyOnWriteArrayList<>();

    void add(PskStoreListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(PskStoreListener listener) {
        listeners.remove(listener);
    }

    void changed(PskIdentity identity) {
        each(l -> l.changed(identity));
    }

    void promoted(PskIdentity identity, KeyLabel newMain) {
        each(l -> l.promoted(identity, newMain));
    }

    void revoked(PskIdentity identity) {
        each(l -> l.revoked(identity));
    }

    void allChanged() {
        each(PskStoreListener::allChanged);
    }

    private void each(Consumer<PskStoreListener> call) {
        for (PskStoreListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                logger.warn("PSK store listener {} failed", l, e);
            }
        }
    }
}
