package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.record.ContentType;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Application data around the handshake and the end of a connection: queuing before the handshake, what may be
 * written, close_notify, and alerts after the handshake.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApplicationDataTest {

    static final ExternalPsk PSK = ExternalPsk.of("app-data", WireTap.pattern(32, 31), HashAlgorithm.SHA256);
    /** An encrypted alert under AES-128-GCM: 2 bytes, inner content type, 16-byte tag. */
    static final int ALERT_RECORD_LENGTH = 2 + 1 + 16;

    static EmbeddedPair newPair() {
        return new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(), PskTlsContext.forServer(PSK).build());
    }

    static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void writesBeforeTheHandshakeAreQueuedAndDeliveredInOrderAfterIt() {
        try (EmbeddedPair pair = newPair()) {
            ChannelFuture c1 = pair.client.writeAndFlush(text("one,"));
            ChannelFuture c2 = pair.client.write(text("two,"));
            ChannelFuture c3 = pair.client.writeAndFlush(text("three"));
            ChannelFuture s1 = pair.server.writeAndFlush(text("alpha,"));
            ChannelFuture s2 = pair.server.writeAndFlush(text("beta"));
            for (ChannelFuture f : List.of(c1, c2, c3, s1, s2)) {
                assertFalse(f.isDone(), "a write before the handshake waits for it");
            }
            List<ByteBuf> flight = WireTap.take(pair.client);
            assertEquals(List.of(ContentType.HANDSHAKE), WireTap.types(flight), "only the ClientHello goes out");
            WireTap.deliver(flight, pair.server);

            pair.handshake();
            for (ChannelFuture f : List.of(c1, c2, c3, s1, s2)) {
                assertTrue(f.isSuccess(), () -> "queued write failed: " + f.cause());
            }
            assertEquals("one,two,three", pair.serverEvents.drainText());
            assertEquals("alpha,beta", pair.clientEvents.drainText());
        }
    }

    /**
     * Writes keep their order across the handshake's completion: what the application wrote before the handshake
     * must reach the peer before what a completion-event handler or a handshakeFuture listener writes.
     */
    @Test
    void writesQueuedBeforeTheHandshakeGoBeforeWritesMadeWhenItCompletes() {
        try (EmbeddedPair pair = newPair()) {
            pair.client.pipeline().addBefore(pair.client.pipeline().context(pair.clientEvents).name(), "on-complete",
                    new io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof PskHandshakeCompletionEvent) {
                                ctx.channel().writeAndFlush(text("3-from-event,"));
                            }
                            ctx.fireUserEventTriggered(evt);
                        }
                    });
            pair.client.writeAndFlush(text("1-queued,"));
            pair.clientHandler().handshakeFuture().addListener(f -> pair.client.writeAndFlush(text("2-from-listener,")));
            pair.client.writeAndFlush(text("2b-queued,"));
            pair.handshake();
            pair.pump();
            assertEquals("1-queued,2b-queued,2-from-listener,3-from-event,", pair.serverEvents.drainText(),
                    "writes reach the peer in the order they were made");
        }
    }

    @Test
    void clientFinishedAndFirstDataInOneReadAreBothProcessed() {
        try (EmbeddedPair pair = newPair()) {
            pair.client.writeAndFlush(text("early bird"));
            WireTap.deliver(WireTap.take(pair.client), pair.server);   // ClientHello
            WireTap.deliver(WireTap.take(pair.server), pair.client);   // ServerHello .. Finished
            List<ByteBuf> flight = WireTap.take(pair.client);          // [CCS] Finished, data
            assertTrue(WireTap.headers(flight).size() >= 2, "Finished and data in one flight");
            WireTap.deliverCoalesced(flight, pair.server);
            assertTrue(pair.serverHandler().handshakeFuture().isSuccess());
            assertEquals("early bird", pair.serverEvents.drainText());
        }
    }

    @Test
    void newSessionTicketAfterTheHandshakeIsIgnoredByTheClient() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            byte[] body = {0, 0, 14, 16, 1, 2, 3, 4, 1, 9, 0, 4, 't', 'i', 'c', 'k', 0, 0};
            ByteBuf ticket = Unpooled.buffer().writeByte(4).writeMedium(body.length).writeBytes(body);
            pair.serverHandler().sendHandshakeMessage(ticket);
            pair.server.writeAndFlush(text("after ticket"));
            pair.pump();
            assertEquals("after ticket", pair.clientEvents.drainText());
            assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "" + pair.clientEvents.exceptions);
            assertTrue(pair.client.isOpen());
        }
    }

    @Test
    void queuedWritesFailAndAreReleasedWhenTheHandshakeFails() {
        ExternalPsk wrong = ExternalPsk.of("app-data", WireTap.pattern(32, 99), HashAlgorithm.SHA256);
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(wrong).build(),
                PskTlsContext.forServer(PSK).build())) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            ByteBuf data = text("never sent");
            ChannelFuture write = pair.client.writeAndFlush(data);
            pair.pump();
            assertFalse(h.client().handshakeFuture().isSuccess());
            assertTrue(write.isDone() && !write.isSuccess(), "the queued write fails with the handshake");
            assertNotNull(write.cause());
            assertEquals(0, data.refCnt(), "the queued buffer is released");
        }
    }

    @Test
    void nonByteBufWritesFailWithUnsupportedMessageTypeAndAreReleased() {
        try (EmbeddedPair pair = newPair()) {
            // Before the handshake ...
            DefaultByteBufHolder early = new DefaultByteBufHolder(text("holder"));
            ChannelFuture f1 = pair.client.writeAndFlush(early);
            assertInstanceOf(UnsupportedMessageTypeException.class, f1.cause());
            assertEquals(0, early.refCnt(), "a refused message is released");

            pair.handshake();
            // ... and after it.
            DefaultByteBufHolder late = new DefaultByteBufHolder(text("holder"));
            ChannelFuture f2 = pair.client.writeAndFlush(late);
            assertInstanceOf(UnsupportedMessageTypeException.class, f2.cause());
            assertEquals(0, late.refCnt());
            ChannelFuture f3 = pair.server.writeAndFlush("a string");
            assertInstanceOf(UnsupportedMessageTypeException.class, f3.cause());

            // The connection is unharmed.
            pair.client.writeAndFlush(text("still fine"));
            pair.pump();
            assertEquals("still fine", pair.serverEvents.drainText());
            assertTrue(pair.client.isOpen() && pair.server.isOpen());
        }
    }

    @Test
    void closeSendsCloseNotifyAndThePeerFiresTheEventAndCloses() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            ChannelFuture closed = pair.client.close();

            List<ByteBuf> out = WireTap.take(pair.client);
            assertEquals(List.of(new WireTap.Header(ContentType.APPLICATION_DATA, ALERT_RECORD_LENGTH)),
                    WireTap.headers(out), "one protected alert record: close_notify");
            assertTrue(closed.isSuccess(), "the channel closes once close_notify is out");
            WireTap.deliver(out, pair.server);

            assertNotNull(pair.serverEvents.event(PskCloseNotifyEvent.class), "peer fires PskCloseNotifyEvent");
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "" + pair.serverEvents.exceptions);
            assertFalse(pair.server.isOpen(), "the peer closes after close_notify");
            List<ByteBuf> reply = WireTap.take(pair.server);
            assertEquals(List.of(new WireTap.Header(ContentType.APPLICATION_DATA, ALERT_RECORD_LENGTH)),
                    WireTap.headers(reply), "the peer answers with its own close_notify");
            WireTap.release(reply);
        }
    }

    @Test
    void flushedWritesAreDeliveredBeforeCloseNotify() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            ChannelFuture write = pair.client.writeAndFlush(text("last words"));
            pair.client.close();
            pair.pump();
            assertTrue(write.isSuccess());
            assertEquals("last words", pair.serverEvents.drainText());
            assertNotNull(pair.serverEvents.event(PskCloseNotifyEvent.class));
        }
    }

    /**
     * A write that was not flushed when close() is called must not be reported as written while the peer never
     * gets it: either it goes out before close_notify (as SslHandler does), or its promise fails.
     */
    @Test
    void unflushedWriteBeforeCloseIsNotSilentlyLost() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            ChannelFuture write = pair.client.write(text("unflushed"));
            pair.client.close();
            List<ByteBuf> out = WireTap.take(pair.client);
            List<Integer> lengths = WireTap.lengths(out); // close_notify is 19 bytes, the data 9 + 17
            WireTap.deliver(out, pair.server);
            pair.pump();
            assertTrue(write.isDone(), "the write is settled by the close");
            if (write.isSuccess()) {
                assertEquals("unflushed", pair.serverEvents.drainText(),
                        "the write succeeded, so the peer must have received it before close_notify; records sent: "
                                + lengths);
            }
        }
    }

    @Test
    void writesAfterCloseFailAndAreReleased() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            pair.client.close();
            pair.pump();
            ByteBuf data = text("too late");
            ChannelFuture write = pair.client.writeAndFlush(data);
            assertTrue(write.isDone());
            assertInstanceOf(ClosedChannelException.class, write.cause());
            assertEquals(0, data.refCnt());
            assertTrue(pair.serverEvents.drainText().isEmpty());
        }
    }

    @Test
    void receivedFatalAlertAfterTheHandshakeFiresExceptionCaught() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            // A protected record that does not authenticate: the server answers with bad_record_mac.
            byte[] forged = new byte[5 + 40];
            forged[0] = ContentType.APPLICATION_DATA;
            forged[1] = 3;
            forged[2] = 3;
            forged[4] = 40;
            System.arraycopy(WireTap.pattern(40, 5), 0, forged, 5, 40);
            pair.server.writeInbound(Unpooled.wrappedBuffer(forged));
            pair.pump();

            assertEquals(1, pair.clientEvents.exceptions.size(), () -> "" + pair.clientEvents.exceptions);
            PskAlertException received = assertInstanceOf(PskAlertException.class, pair.clientEvents.exceptions.get(0));
            assertTrue(received.isReceived());
            assertEquals(AlertDescription.BAD_RECORD_MAC, received.description());
            assertFalse(pair.client.isOpen(), "a fatal alert closes the connection");

            assertEquals(1, pair.serverEvents.exceptions.size(), () -> "" + pair.serverEvents.exceptions);
            PskAlertException sent = assertInstanceOf(PskAlertException.class, pair.serverEvents.exceptions.get(0));
            assertFalse(sent.isReceived());
            assertEquals(AlertDescription.BAD_RECORD_MAC, sent.description());
            assertFalse(pair.server.isOpen());
        }
    }

    @Test
    void dataSplitAcrossArbitraryReadsArrivesIntact() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            byte[] data = WireTap.pattern(50_000, 17);
            pair.client.write(Unpooled.wrappedBuffer(data, 0, 20_000));
            pair.client.write(Unpooled.wrappedBuffer(data, 20_000, 30_000));
            pair.client.flush();
            WireTap.deliverInChunks(WireTap.take(pair.client), pair.server, 777);
            assertArrayEquals(data, WireTap.drainBytes(pair.serverEvents));
        }
    }

    /**
     * Writes with void promises (no per-record promise is made for them) and writes with real promises, mixed in
     * one flush and across records: every byte arrives in order, every real promise completes, and nothing is
     * reported as an exception.
     */
    @Test
    void voidAndRealPromisesMixedAcrossRecordsAllComplete() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            byte[] data = WireTap.pattern(70_000, 23);
            pair.client.write(Unpooled.wrappedBuffer(data, 0, 20_000), pair.client.voidPromise());
            ChannelFuture real = pair.client.write(Unpooled.wrappedBuffer(data, 20_000, 20_000));
            pair.client.write(Unpooled.wrappedBuffer(data, 40_000, 10_000), pair.client.voidPromise());
            pair.client.flush();
            assertTrue(real.isSuccess(), () -> "write with a promise: " + real.cause());
            pair.client.writeAndFlush(Unpooled.wrappedBuffer(data, 50_000, 20_000), pair.client.voidPromise());
            ChannelFuture last = pair.client.writeAndFlush(Unpooled.EMPTY_BUFFER);
            pair.pump();
            assertTrue(last.isSuccess(), () -> "write after void ones: " + last.cause());
            assertArrayEquals(data, WireTap.drainBytes(pair.serverEvents));
            assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "exceptions: " + pair.clientEvents.exceptions);
            assertTrue(pair.client.isOpen());
        }
    }

    @Test
    void emptyWriteSucceedsAndDeliversNothing() {
        try (EmbeddedPair pair = newPair()) {
            pair.handshake();
            ChannelFuture write = pair.client.writeAndFlush(Unpooled.EMPTY_BUFFER);
            pair.client.writeAndFlush(text("after"));
            pair.pump();
            assertTrue(write.isSuccess(), () -> "empty write: " + write.cause());
            assertEquals("after", pair.serverEvents.drainText());
            assertTrue(pair.server.isOpen());
        }
    }
}
