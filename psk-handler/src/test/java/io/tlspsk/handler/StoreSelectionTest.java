package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.store.InMemoryPskStore;
import io.tlspsk.handler.store.KeyLabel;
import io.tlspsk.handler.store.LiveChannelRegistry;
import io.tlspsk.handler.store.PskIdentity;
import io.tlspsk.handler.store.PskStore;
import io.tlspsk.handler.store.PskStoreListener;
import io.tlspsk.handler.store.StoreSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handshakes through {@link PskSelector#fromStore}: one batched store request per ClientHello, wire-order choice,
 * promotion of a backup key after a handshake with it (TLS 1.3 and TLS 1.2), revocation of live connections, and a
 * store that answers late or never.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreSelectionTest {

    static final byte[] MAIN = WireTap.pattern(32, 41);
    static final byte[] BACKUP = WireTap.pattern(32, 42);

    static EventLoopGroup group;

    @BeforeAll
    static void startEventLoops() {
        group = LocalPair.newGroup();
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        LocalPair.shutdown(group);
    }

    /** The in-memory store, counting lookups and keeping the identities of each (a real store behind a counter). */
    static final class CountingStore implements PskStore {
        final PskStore inner;
        final List<List<String>> calls = new CopyOnWriteArrayList<>();

        CountingStore(PskStore inner) {
            this.inner = inner;
        }

        @Override
        public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
            List<String> ids = new ArrayList<>();
            identities.forEach(i -> ids.add(i.asString()));
            calls.add(ids);
            return inner.lookup(identities);
        }
    }

    static ExternalPsk clientKey(String identity, byte[] secret) {
        return ExternalPsk.of(identity, secret, HashAlgorithm.SHA256);
    }

    static InMemoryPskStore storeWith(String... identities) {
        InMemoryPskStore store = InMemoryPskStore.create();
        for (String id : identities) {
            store.add(PskIdentity.of(id), MAIN, HashAlgorithm.SHA256).toCompletableFuture().join();
        }
        return store;
    }

    @Test
    void oneClientHelloMakesOneStoreRequestWithEveryOfferedIdentity() {
        CountingStore store = new CountingStore(storeWith("known"));
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(store)).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(clientKey("ghost-1", BACKUP))
                .addPsk(clientKey("known", MAIN)).addPsk(clientKey("ghost-2", BACKUP)).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals(List.of(List.of("ghost-1", "known", "ghost-2")), store.calls);
            assertEquals("known", pair.serverHandler().session().identityAsString());
            assertEquals("main-1", pair.serverHandler().session().keyLabel());
        }
    }

    @Test
    void theFirstOfferedIdentityTheStoreKnowsWins() {
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(storeWith("a", "b"))).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(clientKey("b", MAIN)).addPsk(clientKey("a", MAIN))
                .build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("b", pair.serverHandler().session().identityAsString());
        }
    }

    @Test
    void aTls13HandshakeWithTheBackupKeyPromotesIt() throws Exception {
        handshakeWithBackupPromotes(CipherSuite.TLS_AES_128_GCM_SHA256);
    }

    @Test
    void aTls12HandshakeWithTheBackupKeyPromotesIt() throws Exception {
        handshakeWithBackupPromotes(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
    }

    private static void handshakeWithBackupPromotes(CipherSuite suite) throws Exception {
        InMemoryPskStore store = storeWith("device-7");
        PskIdentity id = PskIdentity.of("device-7");
        store.stageBackup(id, BACKUP).toCompletableFuture().join();
        List<String> heard = new CopyOnWriteArrayList<>();
        store.addListener(new PskStoreListener() {
            @Override
            public void promoted(PskIdentity identity, KeyLabel newMain) {
                heard.add(identity + " " + newMain);
            }
        });
        StoreSelector selector = PskSelector.fromStore(store);
        PskTlsContext server = PskTlsContext.forServer(selector).cipherSuites(suite).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(clientKey("device-7", BACKUP)).cipherSuites(suite)
                .build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("backup-2", pair.serverHandler().session().keyLabel());
        }
        assertEquals(List.of("device-7 main-2"), heard);
        assertEquals(1, selector.promotions());
        assertEquals("main-2 backup-1", labels(store, id));
        // The device reconnects with the same key, now the main key: nothing more to promote.
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("main-2", pair.serverHandler().session().keyLabel());
        }
        assertEquals(1, selector.promotions());
        assertEquals("main-2 backup-1", labels(store, id));
    }

    @Test
    void aFailedPromotionIsCountedAndTheBackupStaysForTheNextHandshake() throws Exception {
        InMemoryPskStore store = storeWith("device-14");
        PskIdentity id = PskIdentity.of("device-14");
        store.stageBackup(id, BACKUP).toCompletableFuture().join();
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        PskStore flaky = new PskStore() {
            @Override
            public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
                return store.lookup(identities);
            }

            @Override
            public CompletionStage<io.tlspsk.handler.store.Promotion> authenticated(PskIdentity identity,
                                                                                   ExternalPsk key) {
                return down.get() ? CompletableFuture.failedFuture(
                        new io.tlspsk.handler.store.PskStoreException("key service unavailable"))
                        : store.authenticated(identity, key);
            }
        };
        StoreSelector selector = PskSelector.fromStore(flaky);
        PskTlsContext server = PskTlsContext.forServer(selector).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(clientKey("device-14", BACKUP)).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
        }
        assertEquals(1, selector.promotionFailures());
        assertEquals("main-1 backup-2", labels(store, id), "nothing changed");
        down.set(false);
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("backup-2", pair.serverHandler().session().keyLabel());
        }
        assertEquals(1, selector.promotions(), "the next handshake with the backup key promoted it");
        assertEquals("main-2 backup-1", labels(store, id));
    }

    @Test
    void aHandshakeWithTheMainKeyPromotesNothing() throws Exception {
        InMemoryPskStore store = storeWith("device-8");
        PskIdentity id = PskIdentity.of("device-8");
        store.stageBackup(id, BACKUP).toCompletableFuture().join();
        StoreSelector selector = PskSelector.fromStore(store);
        PskTlsContext server = PskTlsContext.forServer(selector).build();
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(clientKey("device-8", MAIN)).build(),
                server)) {
            pair.handshake();
            assertEquals("main-1", pair.serverHandler().session().keyLabel());
        }
        assertEquals(0, selector.promotions());
        assertEquals("main-1 backup-2", labels(store, id));
    }

    private static String labels(InMemoryPskStore store, PskIdentity id) {
        return store.describe(id).toCompletableFuture().join()
                .map(i -> i.main() + (i.backup() != null ? " " + i.backup() : "")).orElse("absent");
    }

    @Test
    void revokingAnIdentityClosesItsLiveConnectionWithCloseNotifyAndRefusesItsNextHandshake() throws Exception {
        InMemoryPskStore store = storeWith("device-9", "device-10");
        LiveChannelRegistry live = new LiveChannelRegistry();
        store.addListener(live);
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(store)).liveChannels(live).build();
        PskTlsContext client9 = PskTlsContext.forClient().addPsk(clientKey("device-9", MAIN)).build();
        PskTlsContext client10 = PskTlsContext.forClient().addPsk(clientKey("device-10", MAIN)).build();
        try (LocalPair nine = new LocalPair(group, client9, server);
             LocalPair ten = new LocalPair(group, client10, server)) {
            nine.awaitHandshakes();
            ten.awaitHandshakes();
            assertEquals(List.of(nine.server), live.channels(PskIdentity.of("device-9")));

            store.revoke(PskIdentity.of("device-9")).toCompletableFuture().join();
            nine.clientEvents.awaitEvent(PskCloseNotifyEvent.class);
            assertTrue(nine.server.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "server side closed");
            assertTrue(ten.server.isActive(), "another identity's connection stays");
            assertEquals(1, live.closedByRevocation());
            assertTrue(live.channels(PskIdentity.of("device-9")).isEmpty());
        }
        try (EmbeddedPair pair = new EmbeddedPair(client9, server)) {
            pair.pump();
            PskAlertException e = PskSelectionTest.alert(pair.serverHandler().handshakeFuture());
            assertEquals(AlertDescription.DECRYPT_ERROR, e.description(), "as for an unknown identity (like a wrong key)");
        }
    }

    @Test
    void aClosedConnectionLeavesTheRegistry() throws Exception {
        LiveChannelRegistry live = new LiveChannelRegistry();
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(storeWith("device-11")))
                .liveChannels(live).build();
        try (LocalPair pair = new LocalPair(group, PskTlsContext.forClient().addPsk(clientKey("device-11", MAIN))
                .build(), server)) {
            pair.awaitHandshakes();
            assertEquals(1, live.identities());
            pair.client.close().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(pair.server.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            LocalPair.drainEventLoop(pair.server);
            assertEquals(0, live.identities());
        }
    }

    /** A real store whose answers are held until the test releases them. */
    static final class LateStore implements PskStore {
        final PskStore inner;
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final CompletableFuture<Void> asked = new CompletableFuture<>();

        LateStore(PskStore inner) {
            this.inner = inner;
        }

        @Override
        public CompletionStage<Map<PskIdentity, List<ExternalPsk>>> lookup(Collection<PskIdentity> identities) {
            asked.complete(null);
            return release.thenCompose(v -> inner.lookup(identities));
        }
    }

    @Test
    void aStoreAnswerAfterTheChannelClosedIsDropped() throws Exception {
        LateStore store = new LateStore(storeWith("device-12"));
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(store)).build();
        try (LocalPair pair = new LocalPair(group, PskTlsContext.forClient().addPsk(clientKey("device-12", MAIN))
                .build(), server)) {
            store.asked.get(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS);
            pair.client.close().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            Throwable cause = pair.serverHandshake().cause();
            assertInstanceOf(SSLException.class, cause);
            store.release.complete(null); // the store answers now, on this thread
            LocalPair.drainEventLoop(pair.server);
            assertEquals(cause, pair.serverHandshake().cause());
            assertEquals(1, pair.serverEvents.events(PskHandshakeCompletionEvent.class).size());
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "server: " + pair.serverEvents.exceptions);
            assertEquals(0, server.pendingLookups(), "the lookup slot went back once");
        }
    }

    @Test
    void aStoreThatNeverAnswersEndsAtTheHandshakeTimeout() throws Exception {
        LateStore store = new LateStore(storeWith("device-13"));
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(store))
                .handshakeTimeout(Duration.ofMillis(300)).build();
        try (LocalPair pair = new LocalPair(group, PskTlsContext.forClient().addPsk(clientKey("device-13", MAIN))
                .build(), server)) {
            assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "timed out");
            assertInstanceOf(PskHandshakeTimeoutException.class, pair.serverHandshake().cause());
            assertTrue(pair.server.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(1, server.stats().handshakeTimeouts());
            assertEquals(0, server.pendingLookups());
        }
    }

    @Test
    void aFailingStoreFailsTheHandshakeWithInternalError() {
        PskStore broken = ids -> CompletableFuture.failedFuture(
                new io.tlspsk.handler.store.PskStoreException("key service unavailable"));
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(broken)).build();
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(clientKey("x", MAIN)).build(),
                server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            PskSelectionTest.assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
        }
    }

    @Test
    void aGatewayWithDerivedKeysAcceptsBothGenerationsDuringTheGracePeriod() {
        byte[] master1 = WireTap.pattern(32, 71);
        byte[] master2 = WireTap.pattern(32, 72);
        try (io.tlspsk.handler.store.DerivedPskStore store =
                     io.tlspsk.handler.store.DerivedPskStore.builder(1, master1).build()) {
            PskIdentity id = PskIdentity.of("device-derived");
            byte[] oldKey = store.deriveKey(id);
            store.rotateMaster(2, master2);
            byte[] newKey = store.deriveKey(id);
            PskTlsContext server = PskTlsContext.forServer(PskSelector.fromStore(store)).build();
            for (Object[] device : new Object[][] {{oldKey, "gen-1"}, {newKey, "gen-2"}}) {
                try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient()
                        .addPsk(clientKey("device-derived", (byte[]) device[0])).build(), server)) {
                    pair.handshake();
                    assertEquals(device[1], pair.serverHandler().session().keyLabel());
                }
            }
        }
    }

    @Test
    void aLiveChannelRegistryIsForServers() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> PskTlsContext.forClient().liveChannels(new LiveChannelRegistry()));
    }
}
