package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a handshake's outcome is announced: the completion event, the future, the channel attribute. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandshakeEventsTest {

    static final ExternalPsk PSK = ExternalPsk.of("events", WireTap.pattern(32, 61), HashAlgorithm.SHA256);
    static final ExternalPsk WRONG = ExternalPsk.of("events", WireTap.pattern(32, 62), HashAlgorithm.SHA256);

    static EventLoopGroup group;

    @BeforeAll
    static void startEventLoops() {
        group = LocalPair.newGroup();
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        LocalPair.shutdown(group);
    }

    @Test
    void completionEventCarriesTheSessionOnSuccess() {
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(),
                PskTlsContext.forServer(PSK).build())) {
            pair.handshake();
            for (EmbeddedPair.Recorder r : List.of(pair.clientEvents, pair.serverEvents)) {
                List<PskHandshakeCompletionEvent> events = WireTap.events(r, PskHandshakeCompletionEvent.class);
                assertEquals(1, events.size(), "exactly one completion event");
                assertTrue(events.get(0).isSuccess());
                assertNull(events.get(0).cause());
            }
            PskTlsSession client = WireTap.events(pair.clientEvents, PskHandshakeCompletionEvent.class).get(0).session();
            PskTlsSession server = WireTap.events(pair.serverEvents, PskHandshakeCompletionEvent.class).get(0).session();
            assertSame(pair.clientHandler().session(), client);
            assertSame(pair.serverHandler().session(), server);
            assertSame(client, pair.clientHandler().handshakeFuture().getNow());
            assertSame(server, pair.serverHandler().handshakeFuture().getNow());
            assertSame(client, PskTlsSession.of(pair.client));
            assertSame(server, PskTlsSession.of(pair.server));
            assertEquals("events", server.identityAsString());
            assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, server.cipherSuite());
            assertTrue(server.toString().contains("events"), server::toString);
        }
    }

    @Test
    void completionEventCarriesTheCauseOnFailure() {
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(WRONG).build(),
                PskTlsContext.forServer(PSK).build())) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            for (EmbeddedPair.Recorder r : List.of(pair.clientEvents, pair.serverEvents)) {
                List<PskHandshakeCompletionEvent> events = WireTap.events(r, PskHandshakeCompletionEvent.class);
                assertEquals(1, events.size(), "exactly one completion event");
                assertFalse(events.get(0).isSuccess());
                assertNull(events.get(0).session());
                assertNotNull(events.get(0).cause());
            }
            assertSame(h.client().handshakeFuture().cause(),
                    WireTap.events(pair.clientEvents, PskHandshakeCompletionEvent.class).get(0).cause());
            assertSame(h.server().handshakeFuture().cause(),
                    WireTap.events(pair.serverEvents, PskHandshakeCompletionEvent.class).get(0).cause());
            assertNull(h.client().session());
            assertNull(h.server().session());
            assertNull(PskTlsSession.of(pair.client));
            assertNull(PskTlsSession.of(pair.server));
        }
    }

    @Test
    void nothingIsAnnouncedBeforeTheHandshakeCompletes() {
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(),
                PskTlsContext.forServer(PSK).build())) {
            assertFalse(pair.clientHandler().handshakeFuture().isDone());
            assertNull(pair.clientHandler().session());
            assertNull(PskTlsSession.of(pair.client));
            assertTrue(WireTap.events(pair.clientEvents, PskHandshakeCompletionEvent.class).isEmpty());
            pair.handshake();
            assertNotNull(PskTlsSession.of(pair.client));
        }
    }

    @Test
    void applicationMayWriteFromTheCompletionEvent() {
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(),
                PskTlsContext.forServer(PSK).build())) {
            pair.server.pipeline().addBefore(pair.server.pipeline().context(pair.serverEvents).name(), "greeter",
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof PskHandshakeCompletionEvent
                                    && ((PskHandshakeCompletionEvent) evt).isSuccess()) {
                                ctx.writeAndFlush(Unpooled.copiedBuffer("welcome "
                                        + ((PskHandshakeCompletionEvent) evt).session().identityAsString(),
                                        StandardCharsets.UTF_8));
                            }
                            ctx.fireUserEventTriggered(evt);
                        }
                    });
            pair.handshake();
            pair.pump();
            assertEquals("welcome events", pair.clientEvents.drainText());
        }
    }

    @Test
    void handshakeFutureListenersRunOnTheEventLoop() throws Exception {
        CountDownLatch done = new CountDownLatch(4);
        AtomicReference<String> problem = new AtomicReference<>();
        AtomicReference<PskHandshakeHandler> clientHandler = new AtomicReference<>();
        AtomicReference<PskHandshakeHandler> serverHandler = new AtomicReference<>();
        // Listeners added before the handshake starts, while the handlers are not yet in a pipeline.
        try (LocalPair pair = new LocalPair(group,
                PskTlsContext.forClient().addPsk(PSK).build(), PskTlsContext.forServer(PSK).build(),
                h -> {
                    clientHandler.set(h);
                    h.handshakeFuture().addListener(onEventLoop(clientHandler, problem, done, "client/early"));
                },
                h -> {
                    serverHandler.set(h);
                    h.handshakeFuture().addListener(onEventLoop(serverHandler, problem, done, "server/early"));
                })) {
            pair.awaitHandshakes();
            // Listeners added from the test thread after completion.
            pair.clientHandler().handshakeFuture().addListener(onEventLoop(clientHandler, problem, done, "client/late"));
            pair.serverHandler().handshakeFuture().addListener(onEventLoop(serverHandler, problem, done, "server/late"));
            assertTrue(done.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "all listeners ran");
            assertNull(problem.get(), problem::get);
            assertSame(pair.clientHandler().session(), PskTlsSession.of(pair.client));
            assertSame(pair.serverHandler().session(), PskTlsSession.of(pair.server));
        }
    }

    @Test
    void handshakeFutureListenersRunOnTheEventLoopOnFailure() throws Exception {
        CountDownLatch done = new CountDownLatch(2);
        AtomicReference<String> problem = new AtomicReference<>();
        AtomicReference<PskHandshakeHandler> clientHandler = new AtomicReference<>();
        AtomicReference<PskHandshakeHandler> serverHandler = new AtomicReference<>();
        try (LocalPair pair = new LocalPair(group,
                PskTlsContext.forClient().addPsk(WRONG).build(), PskTlsContext.forServer(PSK).build(),
                h -> {
                    clientHandler.set(h);
                    h.handshakeFuture().addListener(onEventLoop(clientHandler, problem, done, "client"));
                },
                h -> {
                    serverHandler.set(h);
                    h.handshakeFuture().addListener(onEventLoop(serverHandler, problem, done, "server"));
                })) {
            assertTrue(done.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "both listeners ran");
            assertNull(problem.get(), problem::get);
            assertFalse(pair.clientHandshake().isSuccess());
            assertFalse(pair.serverHandshake().isSuccess());
        }
    }

    @Test
    void clientHandshakeTimesOutWhenTheServerNeverAnswers() throws Exception {
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK)
                .handshakeTimeout(java.time.Duration.ofMillis(300)).build();
        PskTlsContext server = PskTlsContext.forServer(r -> new java.util.concurrent.CompletableFuture<>()).build();
        try (LocalPair pair = new LocalPair(group, client, server)) {
            assertTrue(pair.clientHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(pair.clientHandshake().cause() instanceof PskHandshakeTimeoutException,
                    () -> "cause: " + pair.clientHandshake().cause());
            PskHandshakeCompletionEvent event = pair.clientEvents.awaitEvent(PskHandshakeCompletionEvent.class);
            assertSame(pair.clientHandshake().cause(), event.cause());
            assertTrue(pair.client.closeFuture().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "client closed");
            assertTrue(pair.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "server sees the end");
            assertFalse(pair.serverHandshake().isSuccess());
        }
    }

    private static GenericFutureListener<Future<PskTlsSession>> onEventLoop(
            AtomicReference<PskHandshakeHandler> handler, AtomicReference<String> problem, CountDownLatch done,
            String name) {
        return f -> {
            try {
                ChannelHandlerContext ctx = ctxOf(handler.get());
                if (ctx == null || !ctx.channel().eventLoop().inEventLoop()) {
                    problem.compareAndSet(null, name + " listener ran on " + Thread.currentThread().getName());
                }
            } finally {
                done.countDown();
            }
        };
    }

    private static ChannelHandlerContext ctxOf(PskHandshakeHandler handler) {
        return handler.ctx();
    }
}
