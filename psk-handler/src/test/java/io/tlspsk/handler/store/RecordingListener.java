package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a store tells its listeners, as "changed dev1", "promoted dev1 main-2", "revoked dev1", "all". */
final class RecordingListener implements PskStoreListener {

    final LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();

    @Override
    public void changed(PskIdentity identity) {
        heard.add("changed " + identity);
    }

    @Override
    public void promoted(PskIdentity identity, KeyLabel newMain) {
        heard.add("promoted " + identity + " " + newMain);
    }

    @Override
    public void revoked(PskIdentity identity) {
        heard.add("revoked " + identity);
    }

    @Override
    public void allChanged() {
        heard.add("all");
    }

    /** Waits (bounded) for the next notification and checks it. */
    void expect(String expected) throws InterruptedException {
        String next = heard.poll(10, TimeUnit.SECONDS);
        assertNotNull(next, "no notification; expected " + expected);
        assertEquals(expected, next);
    }

    /** Waits (bounded) until {@code expected} is heard, skipping other notifications. */
    void awaitHeard(String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String next = heard.poll(100, TimeUnit.MILLISECONDS);
            if (expected.equals(next)) {
                return;
            }
        }
        throw new AssertionError("never heard " + expected);
    }
}
