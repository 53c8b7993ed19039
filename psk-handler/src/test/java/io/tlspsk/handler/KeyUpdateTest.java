package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KeyUpdate (RFC 8446 section 4.6.3): on request, answered by the peer, automatic after a record count, and in the
 * middle of a transfer. Records are protected, so a KeyUpdate is recognised on the wire by its length: a 5-byte
 * handshake message, the inner content type and the 16-byte AES-GCM tag make 22 bytes. The test data never
 * makes a record of that length.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyUpdateTest {

    static final ExternalPsk PSK = ExternalPsk.of("key-update", WireTap.pattern(32, 41), HashAlgorithm.SHA256);
    static final int KEY_UPDATE = 4 + 1 + 1 + 16;
    static final int OVERHEAD = 1 + 16;
    static final int FULL = 16384 + OVERHEAD;

    static EmbeddedPair newPair(long clientLimit, long serverLimit) {
        PskTlsContext.Builder client = PskTlsContext.forClient().addPsk(PSK);
        PskTlsContext.Builder server = PskTlsContext.forServer(PSK);
        if (clientLimit > 0) {
            client.keyUpdateAfterRecords(clientLimit);
        }
        if (serverLimit > 0) {
            server.keyUpdateAfterRecords(serverLimit);
        }
        EmbeddedPair pair = new EmbeddedPair(client.build(), server.build());
        pair.handshake();
        return pair;
    }

    @Test
    void updateKeysWithoutRequestSendsOneKeyUpdateAndDataStillFlowsBothWays() {
        try (EmbeddedPair pair = newPair(-1, -1)) {
            for (int round = 0; round < 3; round++) {
                ChannelFuture update = pair.clientHandler().updateKeys(false);
                List<ByteBuf> out = WireTap.take(pair.client);
                assertEquals(List.of(KEY_UPDATE), WireTap.lengths(out), "one KeyUpdate record");
                assertTrue(update.isSuccess(), () -> "updateKeys: " + update.cause());
                WireTap.deliver(out, pair.server);
                List<ByteBuf> answer = WireTap.take(pair.server);
                assertEquals(List.of(), WireTap.lengths(answer), "update_not_requested is not answered");
                assertDataFlowsBothWays(pair, round);
            }
        }
    }

    @Test
    void updateKeysWithRequestIsAnsweredByThePeerAndDataStillFlowsBothWays() {
        try (EmbeddedPair pair = newPair(-1, -1)) {
            for (int round = 0; round < 4; round++) {
                boolean clientAsks = round % 2 == 0;
                EmbeddedChannel asker = clientAsks ? pair.client : pair.server;
                EmbeddedChannel peer = clientAsks ? pair.server : pair.client;
                PskHandshakeHandler handler = clientAsks ? pair.clientHandler() : pair.serverHandler();

                ChannelFuture update = handler.updateKeys(true);
                List<ByteBuf> out = WireTap.take(asker);
                assertEquals(List.of(KEY_UPDATE), WireTap.lengths(out));
                assertTrue(update.isSuccess(), () -> "updateKeys: " + update.cause());
                WireTap.deliver(out, peer);
                List<ByteBuf> answer = WireTap.take(peer);
                assertEquals(List.of(KEY_UPDATE), WireTap.lengths(answer), "the peer answers with its own KeyUpdate");
                WireTap.deliver(answer, asker);
                assertEquals(List.of(), WireTap.lengths(WireTap.take(asker)), "an answer is not answered");
                assertDataFlowsBothWays(pair, round);
            }
        }
    }

    @Test
    void simultaneousKeyUpdateRequestsFromBothSidesKeepTheConnectionWorking() {
        try (EmbeddedPair pair = newPair(-1, -1)) {
            ChannelFuture c = pair.clientHandler().updateKeys(true);
            ChannelFuture s = pair.serverHandler().updateKeys(true);
            List<ByteBuf> fromClient = WireTap.take(pair.client);
            List<ByteBuf> fromServer = WireTap.take(pair.server);
            WireTap.deliver(fromClient, pair.server);
            WireTap.deliver(fromServer, pair.client);
            pair.pump();
            assertTrue(c.isSuccess() && s.isSuccess());
            assertDataFlowsBothWays(pair, 7);
            assertTrue(pair.client.isOpen() && pair.server.isOpen());
        }
    }

    @Test
    void automaticKeyUpdateAfterTheConfiguredNumberOfRecords() {
        try (EmbeddedPair pair = newPair(3, -1)) {
            byte[] data = WireTap.pattern(100, 3);
            for (int i = 0; i < 10; i++) {
                pair.client.writeAndFlush(Unpooled.wrappedBuffer(data, i * 10, 10));
            }
            List<ByteBuf> out = WireTap.take(pair.client);
            int app = 10 + OVERHEAD;
            assertEquals(List.of(app, app, app, KEY_UPDATE, app, app, app, KEY_UPDATE, app, app, app, KEY_UPDATE, app),
                    WireTap.lengths(out), "a KeyUpdate before every fourth record under one key");
            WireTap.deliver(out, pair.server);
            assertArrayEquals(data, WireTap.drainBytes(pair.serverEvents));
            assertEquals(List.of(), WireTap.lengths(WireTap.take(pair.server)), "the server is not asked to update");
            assertDataFlowsBothWays(pair, 1);
        }
    }

    @Test
    void automaticKeyUpdatesInsideOneLargeWriteOnBothSides() {
        try (EmbeddedPair pair = newPair(2, 2)) {
            int size = 100 * 1024; // six full records and one of 4 KiB
            List<Integer> expected = List.of(FULL, FULL, KEY_UPDATE, FULL, FULL, KEY_UPDATE, FULL, FULL, KEY_UPDATE,
                    4096 + OVERHEAD);
            byte[] up = WireTap.pattern(size, 4);
            byte[] down = WireTap.pattern(size, 5);
            pair.client.writeAndFlush(Unpooled.wrappedBuffer(up));
            pair.server.writeAndFlush(Unpooled.wrappedBuffer(down));
            List<ByteBuf> fromClient = WireTap.take(pair.client);
            List<ByteBuf> fromServer = WireTap.take(pair.server);
            assertEquals(expected, WireTap.lengths(fromClient));
            assertEquals(expected, WireTap.lengths(fromServer));
            // Everything in one read: records after each KeyUpdate must be opened with the next key.
            WireTap.deliverCoalesced(fromClient, pair.server);
            WireTap.deliverCoalesced(fromServer, pair.client);
            assertArrayEquals(up, WireTap.drainBytes(pair.serverEvents));
            assertArrayEquals(down, WireTap.drainBytes(pair.clientEvents));
            assertDataFlowsBothWays(pair, 2);
        }
    }

    @Test
    void requestedKeyUpdateInTheMiddleOfAMultiRecordTransfer() {
        transferWithKeyUpdateInTheMiddle(0);
    }

    @Test
    void requestedKeyUpdateInTheMiddleOfATransferDeliveredInSmallReads() {
        transferWithKeyUpdateInTheMiddle(777);
    }

    private static void transferWithKeyUpdateInTheMiddle(int chunk) {
        try (EmbeddedPair pair = newPair(-1, -1)) {
            byte[] first = WireTap.pattern(40 * 1024, 6);
            byte[] second = WireTap.pattern(40 * 1024, 7);
            byte[] down = WireTap.pattern(40 * 1024, 8);
            pair.client.writeAndFlush(Unpooled.wrappedBuffer(first));
            ChannelFuture update = pair.clientHandler().updateKeys(true);
            pair.client.runPendingTasks();
            pair.client.writeAndFlush(Unpooled.wrappedBuffer(second));
            // The server sends data of its own before it sees the request: still under its old key.
            pair.server.writeAndFlush(Unpooled.wrappedBuffer(down));

            List<ByteBuf> fromClient = WireTap.take(pair.client);
            assertEquals(List.of(FULL, FULL, 8192 + OVERHEAD, KEY_UPDATE, FULL, FULL, 8192 + OVERHEAD),
                    WireTap.lengths(fromClient));
            List<ByteBuf> fromServer = WireTap.take(pair.server);
            if (chunk > 0) {
                WireTap.deliverInChunks(fromClient, pair.server, chunk);
                WireTap.deliverInChunks(fromServer, pair.client, chunk);
            } else {
                WireTap.deliverCoalesced(fromClient, pair.server);
                WireTap.deliver(fromServer, pair.client);
            }
            assertTrue(update.isSuccess());
            byte[] both = new byte[first.length + second.length];
            System.arraycopy(first, 0, both, 0, first.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            assertArrayEquals(both, WireTap.drainBytes(pair.serverEvents));
            assertArrayEquals(down, WireTap.drainBytes(pair.clientEvents));

            List<ByteBuf> answer = WireTap.take(pair.server);
            assertEquals(List.of(KEY_UPDATE), WireTap.lengths(answer), "the server answered the request");
            WireTap.deliver(answer, pair.client);
            assertDataFlowsBothWays(pair, 3);
        }
    }

    @Test
    void updateKeysBeforeTheHandshakeFails() {
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(),
                PskTlsContext.forServer(PSK).build())) {
            ChannelFuture update = pair.clientHandler().updateKeys(true);
            pair.client.runPendingTasks();
            assertTrue(update.isDone());
            assertInstanceOf(IllegalStateException.class, update.cause());
            pair.handshake(); // the failed request did no harm
        }
    }

    @Test
    void updateKeysAfterCloseFails() {
        try (EmbeddedPair pair = newPair(-1, -1)) {
            PskHandshakeHandler client = pair.clientHandler();
            pair.client.close();
            pair.pump();
            ChannelFuture update = client.updateKeys(false);
            pair.client.runPendingTasks();
            assertTrue(update.isDone(), "a KeyUpdate on a closed connection is settled");
            assertTrue(!update.isSuccess(), "and fails");
        }
    }

    /**
     * updateKeys returns a promise; whatever goes wrong inside, the promise must be settled. After the handler is
     * removed from the pipeline (its record layer is destroyed) the KeyUpdate cannot be sealed.
     */
    @Test
    void updateKeysAfterTheHandlerWasRemovedSettlesItsPromise() {
        try (EmbeddedPair pair = newPair(-1, -1)) {
            PskHandshakeHandler client = pair.clientHandler();
            pair.client.pipeline().remove(client);
            ChannelFuture update = client.updateKeys(false);
            Throwable escaped = null;
            try {
                pair.client.runPendingTasks();
                pair.client.checkException();
            } catch (Throwable t) {
                escaped = t;
            }
            assertTrue(update.isDone(), "the promise is never completed; the task threw instead: " + escaped);
            assertTrue(!update.isSuccess());
        }
    }

    private static void assertDataFlowsBothWays(EmbeddedPair pair, int round) {
        byte[] up = WireTap.pattern(3000 + round, 100 + round);
        byte[] down = WireTap.pattern(2000 + round, 200 + round);
        pair.client.writeAndFlush(Unpooled.wrappedBuffer(up));
        pair.server.writeAndFlush(Unpooled.wrappedBuffer(down));
        pair.pump();
        assertArrayEquals(up, WireTap.drainBytes(pair.serverEvents), "client to server after the update");
        assertArrayEquals(down, WireTap.drainBytes(pair.clientEvents), "server to client after the update");
        assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "client: " + pair.clientEvents.exceptions);
        assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "server: " + pair.serverEvents.exceptions);
    }
}
