package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.timeout.IdleStateEvent;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idle connections hold key bytes, not ciphers: a TLS 1.3 connection makes its ciphers on the first application
 * record, and drops them on {@link PskHandshakeHandler#releaseIdleResources()} or an IdleStateEvent, with no
 * effect on the data that follows (including a KeyUpdate).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IdleResourcesTest {

    static final ExternalPsk PSK = ExternalPsk.of("idle-device", WireTap.pattern(32, 41), HashAlgorithm.SHA256);

    static EmbeddedPair newPair() {
        return new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(), PskTlsContext.forServer(PSK).build());
    }

    private static void assertCiphers(PskHandshakeHandler h, boolean read, boolean write, String when) {
        assertEquals(read, h.recordLayer().holdsCipher(true), when + ": read cipher");
        assertEquals(write, h.recordLayer().holdsCipher(false), when + ": write cipher");
    }

    private static void exchange(EmbeddedPair pair, int seed) {
        byte[] up = WireTap.pattern(3000, seed);
        byte[] down = WireTap.pattern(20_000, seed + 1);
        pair.client.writeAndFlush(Unpooled.wrappedBuffer(up));
        pair.server.writeAndFlush(Unpooled.wrappedBuffer(down));
        pair.pump();
        assertArrayEquals(up, WireTap.drainBytes(pair.serverEvents));
        assertArrayEquals(down, WireTap.drainBytes(pair.clientEvents));
    }

    @Test
    void noCipherAfterTheHandshakeUntilTheFirstRecordOfEachDirection() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            assertCiphers(pair.serverHandler(), false, false, "server after the handshake");
            assertCiphers(pair.clientHandler(), false, false, "client after the handshake");
            pair.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
            pair.pump();
            assertArrayEquals(new byte[] {1, 2, 3}, WireTap.drainBytes(pair.serverEvents));
            assertCiphers(pair.clientHandler(), false, true, "client after writing");
            assertCiphers(pair.serverHandler(), true, false, "server after reading");
            exchange(pair, 1);
            assertCiphers(pair.serverHandler(), true, true, "server after data both ways");
        }
    }

    @Test
    void idleStateEventsReleaseTheIdleDirectionAndPassOn() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            exchange(pair, 2);
            pair.server.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
            assertCiphers(pair.serverHandler(), false, true, "after reader idle");
            pair.server.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);
            assertCiphers(pair.serverHandler(), false, false, "after writer idle");
            exchange(pair, 3);
            assertCiphers(pair.serverHandler(), true, true, "after data again");
            pair.server.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
            assertCiphers(pair.serverHandler(), false, false, "after all idle");
            assertEquals(3, pair.serverEvents.events.stream().filter(e -> e instanceof IdleStateEvent).count(),
                    "the events reach the handlers after ours");
            exchange(pair, 4);
            assertTrue(pair.server.isOpen());
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "" + pair.serverEvents.exceptions);
        }
    }

    @Test
    void releaseFromAnotherThreadThenKeyUpdateAndDataStillWork() throws Exception {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            exchange(pair, 5);
            // EmbeddedChannel's executor is not this thread's event loop from another thread's view: the call is
            // queued and runs with the channel's pending tasks.
            CompletableFuture.runAsync(() -> pair.serverHandler().releaseIdleResources()).get(10, TimeUnit.SECONDS);
            pair.server.runPendingTasks();
            assertCiphers(pair.serverHandler(), false, false, "after releaseIdleResources");
            pair.clientHandler().releaseIdleResources();
            assertCiphers(pair.clientHandler(), false, false, "client after releaseIdleResources");
            ChannelFuture update = pair.serverHandler().updateKeys(true);
            pair.server.runPendingTasks();
            pair.pump();
            assertTrue(update.isSuccess(), () -> "KeyUpdate: " + update.cause());
            exchange(pair, 6);
            assertNotNull(pair.serverHandler().session());
        }
    }

    /**
     * Before the handshake completed (the server has answered the ClientHello and waits for the client's Finished)
     * releaseIdleResources changes no cipher, writes nothing, and the handshake completes; after close it writes
     * nothing and raises nothing.
     */
    @Test
    void releaseBeforeTheHandshakeOrAfterCloseDoesNothing() {
        try (EmbeddedPair pair = newPair()) {
            pair.client.runPendingTasks();
            WireTap.deliver(WireTap.take(pair.client), pair.server); // the ClientHello
            pair.server.runPendingTasks();
            assertTrue(pair.server.outboundMessages().size() > 0, "the server answered the ClientHello");
            boolean read = pair.serverHandler().recordLayer().holdsCipher(true);
            boolean write = pair.serverHandler().recordLayer().holdsCipher(false);
            int queued = pair.server.outboundMessages().size();
            pair.serverHandler().releaseIdleResources();
            pair.clientHandler().releaseIdleResources();
            pair.server.runPendingTasks();
            assertCiphers(pair.serverHandler(), read, write, "server mid-handshake, after releaseIdleResources");
            assertEquals(queued, pair.server.outboundMessages().size(), "releaseIdleResources wrote something");
            assertTrue(pair.client.outboundMessages().isEmpty(), "releaseIdleResources wrote something");
            pair.handshake();
            exchange(pair, 7);
            pair.client.close();
            pair.pump();
            assertFalse(pair.client.isOpen());
            pair.clientHandler().releaseIdleResources();
            pair.client.runPendingTasks();
            assertTrue(pair.client.outboundMessages().isEmpty(), "releaseIdleResources wrote after close");
            assertCiphers(pair.clientHandler(), false, false, "client after close");
            assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "" + pair.clientEvents.exceptions);
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "" + pair.serverEvents.exceptions);
        }
    }
}
