package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the server chooses a PSK: the default rule, what a {@link PskSelector} sees, main and backup keys for one
 * identity, and the asynchronous contract (waiting, holding records, failing, timing out, closing meanwhile).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PskSelectionTest {

    static final ExternalPsk A = psk("a", 1);
    static final ExternalPsk B = psk("b", 2);
    static final ExternalPsk MAIN = psk("device-7", 3);
    static final ExternalPsk BACKUP = psk("device-7", 4);
    static final ExternalPsk STALE = psk("device-7", 5);

    static EventLoopGroup group;

    @BeforeAll
    static void startEventLoops() {
        group = LocalPair.newGroup();
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        LocalPair.shutdown(group);
    }

    static ExternalPsk psk(String identity, int seed) {
        return ExternalPsk.of(identity, WireTap.pattern(32, seed), HashAlgorithm.SHA256);
    }

    static PskTlsContext.Builder clientWith(ExternalPsk... keys) {
        PskTlsContext.Builder b = PskTlsContext.forClient();
        for (ExternalPsk k : keys) {
            b.addPsk(k);
        }
        return b;
    }

    static PskAlertException alert(io.netty.util.concurrent.Future<?> handshake) {
        assertTrue(handshake.isDone(), "handshake still running");
        assertFalse(handshake.isSuccess(), "handshake succeeded");
        return assertInstanceOf(PskAlertException.class, handshake.cause());
    }

    static void assertSentAndReceived(EmbeddedPair pair, WireTap.Handlers h, AlertDescription expected) {
        PskAlertException sent = alert(h.server().handshakeFuture());
        assertEquals(expected, sent.description(), sent::getMessage);
        assertFalse(sent.isReceived());
        PskAlertException received = alert(h.client().handshakeFuture());
        assertEquals(expected, received.description(), received::getMessage);
        assertTrue(received.isReceived());
        assertFalse(pair.server.isOpen(), "server closes after a fatal alert");
        assertFalse(pair.client.isOpen(), "client closes after a fatal alert");
    }

    static boolean causedBy(Throwable t, Throwable expected) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c == expected) {
                return true;
            }
        }
        return false;
    }

    // ---- default rule and what the selector sees ----

    @Test
    void defaultRulePicksTheFirstServerKeyThatTheClientOffered() {
        PskTlsContext server = PskTlsContext.forServer(A, B).build();
        PskTlsContext client = clientWith(B, A).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.handshake();
            assertEquals("a", pair.serverHandler().session().identityAsString());
            assertEquals("a", pair.clientHandler().session().identityAsString());
        }
    }

    @Test
    void selectorSeesEveryOfferedIdentityInWireOrder() {
        List<PskSelectionRequest> requests = new ArrayList<>();
        ExternalPsk z = psk("z", 9);
        PskSelector known = PskSelector.fromKeys(List.of(z));
        PskTlsContext server = PskTlsContext.forServer(request -> {
            requests.add(request);
            return known.select(request);
        }).build();
        PskTlsContext client = clientWith(psk("x", 7), psk("y", 8), z).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.handshake();
            assertEquals(1, requests.size(), "one selection per handshake");
            List<OfferedPsk> offered = requests.get(0).offeredPsks();
            assertEquals(3, offered.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, offered.get(i).index());
                assertEquals(List.of("x", "y", "z").get(i), offered.get(i).identityAsString());
            }
            assertNotNull(requests.get(0).remoteAddress(), "the request carries the peer's address");
            assertEquals("z", pair.serverHandler().session().identityAsString());
            assertEquals("z", pair.clientHandler().session().identityAsString());
        }
    }

    // ---- main and backup keys ----

    @Test
    void serverTriesBackupKeyWhenMainKeyBinderFails() {
        PskTlsContext server = PskTlsContext.forServer(MAIN, BACKUP).build();
        PskTlsContext client = clientWith(BACKUP).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.handshake();
            assertEquals("device-7", pair.serverHandler().session().identityAsString());
            assertDataFlows(pair);
        }
    }

    @Test
    void explicitSelectionWithMainAndBackupCandidatesAcceptsTheBackup() {
        PskTlsContext server = PskTlsContext.forServer(request ->
                CompletableFuture.completedFuture(PskSelection.of(request.offeredPsks().get(0), MAIN, BACKUP)))
                .build();
        PskTlsContext client = clientWith(BACKUP).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.handshake();
            assertDataFlows(pair);
        }
    }

    @Test
    void clientHoldingNeitherMainNorBackupKeyFailsWithDecryptError() {
        PskTlsContext server = PskTlsContext.forServer(MAIN, BACKUP).build();
        PskTlsContext client = clientWith(STALE).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void selectionRejectsCandidateOfAnotherIdentity() {
        List<Throwable> thrown = new ArrayList<>();
        PskTlsContext server = PskTlsContext.forServer(request -> {
            try {
                return CompletableFuture.completedFuture(PskSelection.of(request.offeredPsks().get(0), A));
            } catch (IllegalArgumentException e) {
                thrown.add(e);
                throw e;
            }
        }).build();
        PskTlsContext client = clientWith(MAIN).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertEquals(1, thrown.size(), "PskSelection.of refuses a key of another identity");
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
        }
    }

    /**
     * ExternalPsk.destroy() promises that using the key in a handshake afterwards fails. Two keys with different
     * secrets, both destroyed (the server revoked its key; the client stands for an attacker who knows the public
     * identity and uses an all-zero secret), must not complete a handshake.
     */
    @Test
    void destroyedKeysNeverCompleteAHandshake() {
        ExternalPsk serverKey = psk("revoked", 70);
        ExternalPsk attackerKey = psk("revoked", 71);
        PskTlsContext server = PskTlsContext.forServer(serverKey).build();
        PskTlsContext client = clientWith(attackerKey).build();
        serverKey.destroy();
        attackerKey.destroy(); // now all zeros, as any TLS stack can be told to use
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertTrue(h.server().handshakeFuture().isDone(), "the handshake ended");
            assertFalse(h.server().handshakeFuture().isSuccess(),
                    "a destroyed server key accepted a client that used an all-zero secret: "
                            + h.server().session());
        }
    }

    // ---- the selector's failures ----

    @Test
    void selectorThatThrowsFailsWithInternalError() {
        IllegalStateException boom = new IllegalStateException("key store down");
        PskTlsContext server = PskTlsContext.forServer(request -> {
            throw boom;
        }).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
            assertTrue(causedBy(h.server().handshakeFuture().cause(), boom));
        }
    }

    @Test
    void selectorReturningNullFailsWithInternalError() {
        PskTlsContext server = PskTlsContext.forServer(request -> null).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
        }
    }

    @Test
    void selectionCompletingWithNullFailsWithInternalError() {
        PskTlsContext server = PskTlsContext.forServer(request -> CompletableFuture.completedFuture(null)).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
        }
    }

    @Test
    void selectionOfNoneFailsLikeAWrongKey() {
        // An unknown identity is answered as a binder that does not verify (rejectUnknownIdentity is off).
        PskTlsContext server = PskTlsContext.forServer(
                request -> CompletableFuture.completedFuture(PskSelection.none())).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void selectionOfNoneFailsWithHandshakeFailureWhenUnknownIdentitiesAreRejected() {
        PskTlsContext server = PskTlsContext.forServer(
                request -> CompletableFuture.completedFuture(PskSelection.none())).rejectUnknownIdentity(true).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    @Test
    void defaultRuleWithNoKnownIdentityFailsLikeAWrongKey() {
        PskTlsContext server = PskTlsContext.forServer(A).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(B).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void selectionAlreadyFailedFailsWithInternalError() {
        RuntimeException boom = new RuntimeException("lookup failed");
        PskTlsContext server = PskTlsContext.forServer(request -> CompletableFuture.failedFuture(boom)).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
            assertTrue(causedBy(h.server().handshakeFuture().cause(), boom));
        }
    }

    @Test
    void selectionFailingLaterFailsWithInternalErrorAndReleasesTheHeldHello() {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        PskTlsContext server = PskTlsContext.forServer(request -> pending).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertFalse(pair.serverHandler().handshakeFuture().isDone(), "waiting for the selection");
            assertFalse(pair.clientHandler().handshakeFuture().isDone(), "waiting for the server");

            RuntimeException boom = new RuntimeException("key service unavailable");
            pending.completeExceptionally(boom);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
            assertTrue(causedBy(h.server().handshakeFuture().cause(), boom));
            // The leak extension checks that the retained ClientHello was released.
        }
    }

    // ---- records arriving while the selection is pending ----

    @Test
    void recordsArrivingDuringPendingSelectionAreHeldThenProcessedInOrder() {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            return pending;
        }).build();
        PskTlsContext client = clientWith(A).middleboxCompatibility(false).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertNotNull(request.get(), "selector called");
            // A dummy change_cipher_spec (allowed right after a ClientHello) and then a fatal alert arrive.
            pair.server.writeInbound(Unpooled.wrappedBuffer(new byte[] {20, 3, 3, 0, 1, 1}));
            pair.server.writeInbound(Unpooled.wrappedBuffer(
                    new byte[] {21, 3, 3, 0, 2, 2, (byte) AlertDescription.ACCESS_DENIED.code()}));
            assertFalse(pair.serverHandler().handshakeFuture().isDone(), "the alert is held, not yet processed");
            assertTrue(pair.server.isOpen());

            pending.complete(PskSelection.of(request.get().offeredPsks().get(0), A));
            pair.pump();
            PskAlertException cause = alert(h.server().handshakeFuture());
            assertTrue(cause.isReceived(), "the held alert was processed after the selection");
            assertEquals(AlertDescription.ACCESS_DENIED, cause.description());
            assertFalse(pair.server.isOpen());
        }
    }

    @Test
    void heldChangeCipherSpecDoesNotDisturbTheHandshake() {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            return pending;
        }).build();
        PskTlsContext client = clientWith(A).middleboxCompatibility(false).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            pair.server.writeInbound(Unpooled.wrappedBuffer(new byte[] {20, 3, 3, 0, 1, 1}));
            pending.complete(PskSelection.of(request.get().offeredPsks().get(0), A));
            pair.handshake();
            assertDataFlows(pair);
        }
    }

    // ---- asynchronous selection on real event loops ----

    @Test
    void asyncSelectionCompletedOnAnotherThreadLetsTheHandshakeFinish() throws Exception {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        AtomicReference<Thread> selectorThread = new AtomicReference<>();
        CountDownLatch selected = new CountDownLatch(1);
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            selectorThread.set(Thread.currentThread());
            selected.countDown();
            return pending;
        }).build();
        PskTlsContext client = clientWith(A).middleboxCompatibility(false).build();
        try (LocalPair pair = new LocalPair(group, client, server)) {
            assertTrue(selected.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "selector called");
            assertTrue(pair.server.eventLoop().inEventLoop(selectorThread.get()), "select runs on the event loop");
            assertNotNull(request.get().remoteAddress());
            // A record arriving while the lookup is pending: a dummy change_cipher_spec, written raw.
            pair.client.pipeline().firstContext()
                    .writeAndFlush(Unpooled.wrappedBuffer(new byte[] {20, 3, 3, 0, 1, 1})).sync();
            Thread.sleep(200);
            assertFalse(pair.serverHandshake().isDone(), "server waits for the selection");
            assertFalse(pair.clientHandshake().isDone(), "client waits for the server");

            Thread completer = new Thread(() ->
                    pending.complete(PskSelection.of(request.get().offeredPsks().get(0), A)), "key-service");
            completer.start();
            completer.join(TimeUnit.SECONDS.toMillis(LocalPair.WAIT_SECONDS));
            pair.awaitHandshakes();
            assertEquals("a", pair.serverHandshake().getNow().identityAsString());

            pair.client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            assertEquals("ping", new String(pair.serverEvents.awaitBytes(4), StandardCharsets.UTF_8));
            pair.server.writeAndFlush(Unpooled.copiedBuffer("pong", StandardCharsets.UTF_8));
            assertEquals("pong", new String(pair.clientEvents.awaitBytes(4), StandardCharsets.UTF_8));
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "server: " + pair.serverEvents.exceptions);
        }
    }

    @Test
    void selectionThatNeverCompletesTimesOutAndCloses() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(r -> new CompletableFuture<>())
                .handshakeTimeout(java.time.Duration.ofMillis(300)).build();
        long start = System.nanoTime();
        try (LocalPair pair = new LocalPair(group, clientWith(A).build(), server)) {
            assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "timed out");
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(PskHandshakeTimeoutException.class, pair.serverHandshake().cause());
            assertTrue(elapsedMillis >= 250, "not before the timeout: " + elapsedMillis + " ms");
            assertTrue(pair.server.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "server closed");
            assertTrue(pair.clientHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            assertFalse(pair.clientHandshake().isSuccess(), "client sees the connection end");
            PskHandshakeCompletionEvent event = pair.serverEvents.awaitEvent(PskHandshakeCompletionEvent.class);
            assertSame(pair.serverHandshake().cause(), event.cause());
        }
    }

    @Test
    void peerClosingWhileSelectionPendsFailsHandshakeAndLateCompletionIsIgnored() throws Exception {
        closingWhileSelectionPends(true);
    }

    @Test
    void serverClosingWhileSelectionPendsFailsHandshakeAndLateCompletionIsIgnored() throws Exception {
        closingWhileSelectionPends(false);
    }

    private void closingWhileSelectionPends(boolean clientCloses) throws Exception {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        CountDownLatch selected = new CountDownLatch(1);
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            selected.countDown();
            return pending;
        }).build();
        try (LocalPair pair = new LocalPair(group, clientWith(A).build(), server)) {
            assertTrue(selected.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "selector called");
            (clientCloses ? pair.client : pair.server).close().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            Throwable cause = pair.serverHandshake().cause();
            assertInstanceOf(SSLException.class, cause);
            assertTrue(pair.server.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));

            // The lookup answers after all: nothing may happen, on another thread or the event loop.
            Thread completer = new Thread(() ->
                    pending.complete(PskSelection.of(request.get().offeredPsks().get(0), A)), "key-service");
            completer.start();
            completer.join(TimeUnit.SECONDS.toMillis(LocalPair.WAIT_SECONDS));
            LocalPair.drainEventLoop(pair.server);
            assertSame(cause, pair.serverHandshake().cause(), "the failure stands");
            assertEquals(1, pair.serverEvents.events(PskHandshakeCompletionEvent.class).size());
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "server: " + pair.serverEvents.exceptions);
        }
    }

    /**
     * Any CompletionStage is a valid answer, including the JDK's minimal stages
     * ({@link CompletableFuture#completedStage} and {@link CompletableFuture#minimalCompletionStage}), which are
     * CompletableFuture subclasses whose isDone() and join() throw UnsupportedOperationException.
     */
    @Test
    void selectorMayAnswerWithACompletedMinimalStage() {
        PskTlsContext server = PskTlsContext.forServer(r ->
                CompletableFuture.completedStage(PskSelection.of(r.offeredPsks().get(0), A))).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertTrue(h.server().handshakeFuture().isSuccess(), () -> "server: " + h.server().handshakeFuture().cause());
            assertTrue(h.client().handshakeFuture().isSuccess(), () -> "client: " + h.client().handshakeFuture().cause());
        }
    }

    @Test
    void selectorMayAnswerWithAPendingMinimalStage() {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            return pending.minimalCompletionStage();
        }).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertFalse(h.server().handshakeFuture().isDone(), () -> "ended early: " + h.server().handshakeFuture().cause());
            pending.complete(PskSelection.of(request.get().offeredPsks().get(0), A));
            pair.pump();
            assertTrue(h.server().handshakeFuture().isSuccess(), () -> "server: " + h.server().handshakeFuture().cause());
            assertTrue(h.client().handshakeFuture().isSuccess());
        }
    }

    // ---- adapters ----

    @Test
    void fromNettyFutureAdaptsAPromiseCompletedLaterOnAnotherExecutor() throws Exception {
        DefaultEventExecutor keyService = new DefaultEventExecutor();
        try {
            AtomicReference<Promise<PskSelection>> promise = new AtomicReference<>();
            AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
            CountDownLatch selected = new CountDownLatch(1);
            PskTlsContext server = PskTlsContext.forServer(PskSelector.fromNettyFuture(r -> {
                Promise<PskSelection> p = keyService.newPromise();
                promise.set(p);
                request.set(r);
                selected.countDown();
                return p;
            })).build();
            try (LocalPair pair = new LocalPair(group, clientWith(B).build(), server)) {
                assertTrue(selected.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
                Thread.sleep(100);
                assertFalse(pair.serverHandshake().isDone());
                keyService.execute(() -> promise.get().setSuccess(PskSelection.of(request.get().offeredPsks().get(0), B)));
                pair.awaitHandshakes();
                assertEquals("b", pair.clientHandshake().getNow().identityAsString());
            }
        } finally {
            keyService.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void fromNettyFutureAcceptsAnAlreadyCompletedFuture() {
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromNettyFuture(r ->
                ImmediateEventExecutor.INSTANCE.newSucceededFuture(PskSelection.of(r.offeredPsks().get(0), A))))
                .build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.handshake();
            assertEquals("a", pair.serverHandler().session().identityAsString());
        }
    }

    @Test
    void fromNettyFutureThatFailsFailsWithInternalError() {
        RuntimeException boom = new RuntimeException("no keys today");
        PskTlsContext server = PskTlsContext.forServer(PskSelector.fromNettyFuture(r ->
                ImmediateEventExecutor.INSTANCE.<PskSelection>newFailedFuture(boom))).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertSentAndReceived(pair, h, AlertDescription.INTERNAL_ERROR);
            assertTrue(causedBy(h.server().handshakeFuture().cause(), boom));
        }
    }

    @Test
    void byIdentityLooksUpIdentitiesInWireOrderUntilOneIsKnown() throws Exception {
        List<String> lookups = new CopyOnWriteArrayList<>();
        Executor later = CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS);
        PskTlsContext server = PskTlsContext.forServer(PskSelector.byIdentity(offered -> {
            lookups.add(offered.identityAsString());
            List<ExternalPsk> keys = "device-7".equals(offered.identityAsString()) ? List.of(MAIN, BACKUP) : List.of();
            return CompletableFuture.supplyAsync(() -> keys, later);
        })).build();
        PskTlsContext client = clientWith(psk("ghost", 20), BACKUP).build();
        try (LocalPair pair = new LocalPair(group, client, server)) {
            pair.awaitHandshakes();
            assertEquals(List.of("ghost", "device-7"), lookups);
            assertEquals("device-7", pair.serverHandshake().getNow().identityAsString());
            assertEquals("device-7", pair.clientHandshake().getNow().identityAsString());
        }
    }

    @Test
    void byIdentityWithNoKnownIdentityFailsLikeAWrongKey() {
        List<String> lookups = new ArrayList<>();
        PskTlsContext server = PskTlsContext.forServer(PskSelector.byIdentity(offered -> {
            lookups.add(offered.identityAsString());
            return CompletableFuture.completedFuture(null);
        })).build();
        try (EmbeddedPair pair = new EmbeddedPair(clientWith(A, B).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertEquals(List.of("a", "b"), lookups);
            assertSentAndReceived(pair, h, AlertDescription.DECRYPT_ERROR);
            assertNull(h.server().session());
        }
    }

    private static void assertDataFlows(EmbeddedPair pair) {
        pair.client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        pair.server.writeAndFlush(Unpooled.copiedBuffer("world", StandardCharsets.UTF_8));
        pair.pump();
        assertEquals("hello", pair.serverEvents.drainText());
        assertEquals("world", pair.clientEvents.drainText());
    }
}
