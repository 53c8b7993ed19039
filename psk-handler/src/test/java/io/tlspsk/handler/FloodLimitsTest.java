package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.record.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a peer can make us do for free, bounded (issue 9, items 1, 2 and 9): KeyUpdate requests are answered once per
 * read and capped in a row; renegotiation attempts are refused with a warning a few times, then fatally; records
 * that carry no progress are capped in a row; and reading stops while the channel is not writable, so that no answer
 * can pile up behind a peer that does not read. Each limit ends the connection with unexpected_message and counts
 * once in its {@link PskTlsStats} counter, every other limit counter staying still.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FloodLimitsTest {

    static final ExternalPsk PSK = KeyUpdateTest.PSK;
    static final int KEY_UPDATE = KeyUpdateTest.KEY_UPDATE;
    static final byte[] CLIENT_HELLO = HostileClientHello.tls12Only(Tls12RejectionTest.PSK_GCM).message();

    static EmbeddedPair tls13Pair(Consumer<PskTlsContext.Builder> serverSettings) {
        PskTlsContext.Builder server = PskTlsContext.forServer(PSK);
        serverSettings.accept(server);
        EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(), server.build());
        pair.handshake();
        return pair;
    }

    static EmbeddedPair tls12Pair(Consumer<PskTlsContext.Builder> serverSettings) {
        PskTlsContext.Builder server = PskTlsContext.forServer(Tls12RejectionTest.PSK)
                .cipherSuites(Tls12RejectionTest.PSK_GCM);
        serverSettings.accept(server);
        EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(Tls12RejectionTest.PSK)
                .cipherSuites(Tls12RejectionTest.PSK_GCM).build(), server.build());
        pair.handshake();
        assertEquals("TLSv1.2", pair.serverHandler().session().protocol());
        return pair;
    }

    static PskTlsStats stats(PskHandshakeHandler handler) {
        return handler.context().stats();
    }

    /** The established side {@code handler} sent the fatal alert {@code d} for {@code reason}, and closed. */
    static void assertEndedBySending(PskHandshakeHandler handler, EmbeddedPair.Recorder events, EmbeddedChannel ch,
                                     AlertDescription d, String reason) {
        assertTrue(handler.handshakeFuture().isSuccess(), "a completed handshake stays completed");
        assertEquals(1, events.exceptions.size(), () -> "exceptions: " + events.exceptions);
        PskAlertException e = assertInstanceOf(PskAlertException.class, events.exceptions.get(0));
        assertEquals(d, e.description(), e::getMessage);
        assertFalse(e.isReceived());
        assertEquals(reason, e.reason());
        assertFalse(ch.isOpen(), "closed after the fatal alert");
    }

    /** {@code counter} counted one connection; every other limit counter and the handshake counters did not move. */
    static void assertCountedOnceAfterTheHandshake(String counter, PskTlsStats before, PskTlsStats after) {
        LimitsTest.assertCountedOnce(counter, before, after);
        assertEquals(before.handshakesFailed(), after.handshakesFailed(), "handshakesFailed");
        assertEquals(before.handshakesSucceeded(), after.handshakesSucceeded(), "handshakesSucceeded");
    }

    /** {@code from}'s outbound delivered to {@code to} as one read; returns what {@code to} wrote back. */
    static List<ByteBuf> deliverAsOneRead(EmbeddedChannel from, EmbeddedChannel to) {
        WireTap.deliverCoalesced(WireTap.take(from), to);
        return WireTap.take(to);
    }

    // ==== KeyUpdate (RFC 8446 section 4.6.3) ====

    /** Ten requests that arrive in one read, while the server is silent, get one answer, as 4.6.3 allows. */
    @Test
    void keyUpdateRequestsReceivedInOneReadAreAnsweredWithOneKeyUpdate() {
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            for (int i = 0; i < 10; i++) {
                pair.clientHandler().updateKeys(true);
            }
            List<ByteBuf> requests = WireTap.take(pair.client);
            assertEquals(Collections.nCopies(10, KEY_UPDATE), WireTap.lengths(requests));
            WireTap.deliverCoalesced(requests, pair.server);
            List<ByteBuf> answer = WireTap.take(pair.server);
            assertEquals(List.of(KEY_UPDATE), WireTap.lengths(answer), "one KeyUpdate answers all ten");
            WireTap.deliver(answer, pair.client);
            pair.assertDataFlowsBothWays("after ten requests", "one answer");
            assertTrue(pair.serverEvents.exceptions.isEmpty() && pair.clientEvents.exceptions.isEmpty());
        }
    }

    /**
     * A request followed by data the server echoes while reading: the answer goes out before the echo (the next
     * application data record), and not again at the end of the read.
     */
    @Test
    void keyUpdateAnswerPrecedesTheNextApplicationDataAndIsSentOnce() {
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            pair.server.pipeline().addAfter(pair.server.pipeline().context(PskHandshakeHandler.class).name(), "echo",
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    });
            pair.clientHandler().updateKeys(true);
            pair.client.runPendingTasks(); // updateKeys runs as a task: the request goes out before the data
            pair.client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            List<ByteBuf> answer = deliverAsOneRead(pair.client, pair.server);
            assertEquals(List.of(KEY_UPDATE, 4 + KeyUpdateTest.OVERHEAD), WireTap.lengths(answer),
                    "the KeyUpdate, then the echo under the new key, and nothing more");
            WireTap.deliver(answer, pair.client);
            assertEquals("ping", pair.clientEvents.drainText());
            assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "client: " + pair.clientEvents.exceptions);
        }
    }

    @Test
    void keyUpdatesBeyondTheLimitWithoutApplicationDataAreUnexpectedMessageCountedOnce() {
        try (EmbeddedPair pair = tls13Pair(b -> b.maxConsecutiveKeyUpdates(4))) {
            PskHandshakeHandler server = pair.serverHandler();
            PskTlsStats before = stats(server);
            for (int i = 0; i < 4; i++) {
                pair.clientHandler().updateKeys(i % 2 == 0);
                WireTap.deliver(WireTap.take(pair.client), pair.server);
                WireTap.deliver(WireTap.take(pair.server), pair.client);
            }
            assertTrue(pair.server.isOpen(), "four in a row are within the limit");
            pair.clientHandler().updateKeys(false);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertEndedBySending(server, pair.serverEvents, pair.server, AlertDescription.UNEXPECTED_MESSAGE,
                    "more than 4 KeyUpdates in a row without application data");
            assertCountedOnceAfterTheHandshake("tooManyKeyUpdates", before, stats(server));
        }
    }

    /** 160 requests, 32 at a time with a byte of data between: never more than 32 in a row, so all are answered. */
    @Test
    void applicationDataBetweenKeyUpdatesStartsTheirCountAgain() {
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < PskTlsContext.DEFAULT_MAX_CONSECUTIVE_KEY_UPDATES; i++) {
                    pair.clientHandler().updateKeys(true);
                    WireTap.deliver(WireTap.take(pair.client), pair.server);
                    List<ByteBuf> answer = WireTap.take(pair.server);
                    assertEquals(List.of(KEY_UPDATE), WireTap.lengths(answer));
                    WireTap.deliver(answer, pair.client);
                }
                pair.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) round}));
                WireTap.deliver(WireTap.take(pair.client), pair.server);
                assertTrue(pair.server.isOpen(), "closed in round " + round);
            }
            assertEquals(5, WireTap.drainBytes(pair.serverEvents).length);
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "server: " + pair.serverEvents.exceptions);
        }
    }

    /**
     * The peer's KeyUpdate that answers our own request is not one it chose to send: it does not count. With a limit
     * of one, the server asks five times in a row and stays open; then two unsolicited ones from the client end it.
     */
    @Test
    void answersToOurOwnRequestsDoNotCountTowardsTheLimit() {
        try (EmbeddedPair pair = tls13Pair(b -> b.maxConsecutiveKeyUpdates(1))) {
            for (int i = 0; i < 5; i++) {
                pair.serverHandler().updateKeys(true);
                WireTap.deliver(WireTap.take(pair.server), pair.client);
                List<ByteBuf> answer = WireTap.take(pair.client);
                assertEquals(List.of(KEY_UPDATE), WireTap.lengths(answer));
                WireTap.deliver(answer, pair.server);
                assertTrue(pair.server.isOpen(), "closed at answer " + i);
            }
            pair.assertDataFlowsBothWays("asked five times", "answered five times");
            PskTlsStats before = stats(pair.serverHandler());
            for (int i = 0; i < 2; i++) {
                pair.clientHandler().updateKeys(false);
                WireTap.deliver(WireTap.take(pair.client), pair.server);
            }
            assertEndedBySending(pair.serverHandler(), pair.serverEvents, pair.server,
                    AlertDescription.UNEXPECTED_MESSAGE, "more than 1 KeyUpdates in a row without application data");
            assertCountedOnceAfterTheHandshake("tooManyKeyUpdates", before, stats(pair.serverHandler()));
        }
    }

    // ==== TLS 1.2 renegotiation ====

    @Test
    void renegotiationAskedForAgainAfterThreeRefusalsIsUnexpectedMessageCountedOnce() {
        try (EmbeddedPair pair = tls12Pair(b -> { })) {
            PskHandshakeHandler server = pair.serverHandler();
            PskTlsStats before = stats(server);
            WireTap.RecordSpy clientSpy = WireTap.spy(pair.client);
            for (int i = 0; i < PskTlsContext.MAX_REFUSED_RENEGOTIATIONS; i++) {
                clientSpy.send(ContentType.HANDSHAKE, CLIENT_HELLO);
                WireTap.deliver(WireTap.take(pair.client), pair.server);
                WireTap.deliver(WireTap.take(pair.server), pair.client);
            }
            assertEquals(PskTlsContext.MAX_REFUSED_RENEGOTIATIONS, clientSpy.received(ContentType.ALERT).size());
            for (HostileWire.Rec warning : clientSpy.received(ContentType.ALERT)) {
                assertArrayEquals(Tls12RejectionTest.NO_RENEGOTIATION_WARNING, warning.fragment());
            }
            assertTrue(pair.server.isOpen());
            clientSpy.send(ContentType.HANDSHAKE, CLIENT_HELLO);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertEndedBySending(server, pair.serverEvents, pair.server, AlertDescription.UNEXPECTED_MESSAGE,
                    "renegotiation asked for again after 3 refusals");
            assertCountedOnceAfterTheHandshake("tooManyRenegotiations", before, stats(server));
        }
    }

    @Test
    void clientEndsAServerThatAsksToRenegotiateAgainAfterThreeRefusals() {
        try (EmbeddedPair pair = tls12Pair(b -> { })) {
            PskHandshakeHandler client = pair.clientHandler();
            WireTap.RecordSpy serverSpy = WireTap.spy(pair.server);
            for (int i = 0; i <= PskTlsContext.MAX_REFUSED_RENEGOTIATIONS; i++) {
                serverSpy.send(ContentType.HANDSHAKE, Tls12RejectionTest.HELLO_REQUEST);
                WireTap.deliver(WireTap.take(pair.server), pair.client);
                WireTap.deliver(WireTap.take(pair.client), pair.server);
            }
            assertEquals(PskTlsContext.MAX_REFUSED_RENEGOTIATIONS + 1, serverSpy.received(ContentType.ALERT).size());
            assertArrayEquals(new byte[] {2, (byte) AlertDescription.UNEXPECTED_MESSAGE.code()},
                    serverSpy.received(ContentType.ALERT).get(PskTlsContext.MAX_REFUSED_RENEGOTIATIONS).fragment());
            assertEndedBySending(client, pair.clientEvents, pair.client, AlertDescription.UNEXPECTED_MESSAGE,
                    "renegotiation asked for again after 3 refusals");
        }
    }

    /** A peer that renegotiates now and then, with data between, is refused politely every time. */
    @Test
    void renegotiationAttemptsSeparatedByApplicationDataAreEachRefusedWithAWarning() {
        try (EmbeddedPair pair = tls12Pair(b -> { })) {
            WireTap.RecordSpy clientSpy = WireTap.spy(pair.client);
            for (int i = 0; i < 10; i++) {
                clientSpy.send(ContentType.HANDSHAKE, CLIENT_HELLO);
                pair.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
                WireTap.deliver(WireTap.take(pair.client), pair.server);
                WireTap.deliver(WireTap.take(pair.server), pair.client);
            }
            assertEquals(10, clientSpy.received(ContentType.ALERT).size());
            assertEquals(10, WireTap.drainBytes(pair.serverEvents).length);
            pair.assertDataFlowsBothWays("ten refusals", "all polite");
        }
    }

    // ==== records without progress ====

    /** Established TLS 1.3: empty application data records, or user_canceled warnings, past the default limit. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"empty application data record", "user_canceled alert"})
    void recordsWithoutProgressBeyondTheLimitAreUnexpectedMessageCountedOnce(String what) {
        boolean empty = what.startsWith("empty");
        int type = empty ? ContentType.APPLICATION_DATA : ContentType.ALERT;
        byte[] content = empty ? new byte[0] : new byte[] {1, (byte) AlertDescription.USER_CANCELED.code()};
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            PskHandshakeHandler server = pair.serverHandler();
            PskTlsStats before = stats(server);
            WireTap.RecordSpy clientSpy = WireTap.spy(pair.client);
            for (int i = 0; i < PskTlsContext.DEFAULT_MAX_RECORDS_WITHOUT_PROGRESS; i++) {
                clientSpy.send(type, content);
            }
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertTrue(pair.server.isOpen(), "32 in a row are within the limit");
            assertEquals(0, WireTap.take(pair.server).size(), "nothing to answer");
            clientSpy.send(type, content);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertEndedBySending(server, pair.serverEvents, pair.server, AlertDescription.UNEXPECTED_MESSAGE,
                    "more than 32 records in a row without progress (last: " + what + ")");
            assertCountedOnceAfterTheHandshake("tooManyRecordsWithoutProgress", before, stats(server));
        }
    }

    @Test
    void tls12WarningAlertsBeyondTheConfiguredLimitAreUnexpectedMessage() {
        try (EmbeddedPair pair = tls12Pair(b -> b.maxRecordsWithoutProgress(5))) {
            PskHandshakeHandler server = pair.serverHandler();
            PskTlsStats before = stats(server);
            WireTap.RecordSpy clientSpy = WireTap.spy(pair.client);
            for (int i = 0; i < 5; i++) {
                clientSpy.send(ContentType.ALERT, Tls12RejectionTest.NO_RENEGOTIATION_WARNING);
            }
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertTrue(pair.server.isOpen(), "five in a row are within the limit");
            clientSpy.send(ContentType.ALERT, Tls12RejectionTest.NO_RENEGOTIATION_WARNING);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertEndedBySending(server, pair.serverEvents, pair.server, AlertDescription.UNEXPECTED_MESSAGE,
                    "more than 5 records in a row without progress (last: warning alert 100)");
            assertCountedOnceAfterTheHandshake("tooManyRecordsWithoutProgress", before, stats(server));
        }
    }

    /** Empty records interleaved with data: never more than the limit in a row, so the connection carries on. */
    @Test
    void applicationDataStartsTheCountOfRecordsWithoutProgressAgain() {
        try (EmbeddedPair pair = tls13Pair(b -> b.maxRecordsWithoutProgress(3))) {
            WireTap.RecordSpy clientSpy = WireTap.spy(pair.client);
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 3; i++) {
                    clientSpy.send(ContentType.APPLICATION_DATA, new byte[0]);
                }
                clientSpy.send(ContentType.APPLICATION_DATA, new byte[] {(byte) round});
            }
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            assertTrue(pair.server.isOpen());
            assertEquals(20, WireTap.drainBytes(pair.serverEvents).length);
            pair.assertDataFlowsBothWays("sixty empty records", "twenty with data");
        }
    }

    /** TLS 1.3 server, between its flight and the client's Finished: change_cipher_spec records past the limit. */
    @Test
    void changeCipherSpecFloodDuringTheHandshakeIsUnexpectedMessage() throws Exception {
        PskTlsContext context = PskTlsContext.forServer(HostileClientHello.psk()).build();
        PskTlsStats before = context.stats();
        try (HostileClient c = new HostileClient(context)) {
            c.runServerFlight(c.validHello());
            byte[] ccs = HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1});
            List<byte[]> flood = new ArrayList<>(Collections.nCopies(PskTlsContext.DEFAULT_MAX_RECORDS_WITHOUT_PROGRESS,
                    ccs));
            c.send(HostileWire.concat(flood.toArray(new byte[0][])));
            assertFalse(c.handshakeFuture().isDone(), "32 are within the limit");
            c.send(ccs);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
            PskAlertException e = c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            assertEquals("more than 32 records in a row without progress (last: change_cipher_spec)", e.reason());
        }
        LimitsTest.assertHandshakeEndedByLimit("tooManyRecordsWithoutProgress", before, context.stats());
    }

    /** TLS 1.2 client: HelloRequests are ignored during a handshake (RFC 5246 section 7.4.1.1), but not without end. */
    @Test
    void helloRequestFloodDuringATls12HandshakeIsUnexpectedMessage() {
        PskTlsContext clientContext = PskTlsContext.forClient().addPsk(Tls12RejectionTest.PSK)
                .cipherSuites(Tls12RejectionTest.PSK_GCM).maxRecordsWithoutProgress(4).build();
        EmbeddedPair pair = new EmbeddedPair(clientContext, PskTlsContext.forServer(Tls12RejectionTest.PSK)
                .cipherSuites(Tls12RejectionTest.PSK_GCM).build());
        try (pair) {
            PskHandshakeHandler client = pair.clientHandler();
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            List<ByteBuf> flight = WireTap.take(pair.server);
            List<HostileWire.Rec> records = HostileWire.records(WireTap.concat(flight));
            WireTap.release(flight);
            byte[] helloRequest = HostileWire.record(ContentType.HANDSHAKE, Tls12RejectionTest.HELLO_REQUEST);
            byte[] wire = HostileWire.record(ContentType.HANDSHAKE, records.get(0).fragment()); // ServerHello
            for (int i = 0; i < 5; i++) {
                wire = HostileWire.concat(wire, helloRequest);
            }
            pair.client.writeInbound(Unpooled.wrappedBuffer(wire));
            List<ByteBuf> alert = WireTap.take(pair.client);
            assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.UNEXPECTED_MESSAGE), WireTap.concat(alert));
            WireTap.release(alert);
            PskAlertException e = assertInstanceOf(PskAlertException.class, client.handshakeFuture().cause());
            assertEquals("more than 4 records in a row without progress (last: HelloRequest during the handshake)",
                    e.reason());
            assertEquals(1, clientContext.stats().tooManyRecordsWithoutProgress());
        }
    }

    // ==== reading held off while the channel is not writable ====

    /** Counts the read() calls that reach the transport. */
    static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    static void setWritable(EmbeddedChannel ch, boolean writable) {
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        ch.runPendingTasks(); // the change is announced from a task
        assertEquals(writable, ch.isWritable());
    }

    @Test
    void readingIsHeldOffWhileTheChannelIsNotWritableAndResumesAfter() {
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            assertTrue(pair.server.config().isAutoRead());
            setWritable(pair.server, false);
            assertFalse(pair.server.config().isAutoRead(), "still reading while the peer does not read");
            setWritable(pair.server, true);
            assertTrue(pair.server.config().isAutoRead(), "reading again");
            pair.assertDataFlowsBothWays("held", "and resumed");
        }
    }

    @Test
    void removingTheHandlerWhileReadingIsHeldOffGivesAutoReadBack() {
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            setWritable(pair.server, false);
            assertFalse(pair.server.config().isAutoRead());
            pair.server.pipeline().remove(pair.serverHandler());
            assertTrue(pair.server.config().isAutoRead(), "no handler is left to end the hold");
        }
    }

    /**
     * An application that reads on demand (autoRead off) keeps it so; a read() it asks for while reading is held
     * off reaches the transport once the hold ends, and only then.
     */
    @Test
    void applicationThatReadsOnDemandGetsTheReadItAskedForWhenTheHoldEnds() {
        try (EmbeddedPair pair = tls13Pair(b -> { })) {
            ReadCounter counter = new ReadCounter();
            pair.server.pipeline().addFirst(counter);
            pair.server.config().setAutoRead(false);
            setWritable(pair.server, false);
            setWritable(pair.server, true);
            assertEquals(0, counter.reads, "no read was asked for, none is made");
            assertFalse(pair.server.config().isAutoRead());

            setWritable(pair.server, false);
            pair.server.read();
            pair.server.read();
            assertEquals(0, counter.reads, "held off");
            setWritable(pair.server, true);
            assertEquals(1, counter.reads, "the read asked for, once");
            assertFalse(pair.server.config().isAutoRead(), "the application's choice is kept");
            pair.server.read();
            assertEquals(2, counter.reads, "reads pass straight through again");
        }
    }

    /** Two reasons to hold reading off: a pending PSK lookup and an unwritable channel. Reading resumes after both. */
    @ParameterizedTest(name = "lookup answered first: {0}")
    @ValueSource(booleans = {true, false})
    void readingResumesOnlyWhenNeitherThePskLookupNorUnwritabilityHoldsItOff(boolean lookupFirst) {
        LimitsTest.ManualSelector selector = new LimitsTest.ManualSelector();
        try (HostileClient c = LimitsTest.pendingClient(PskTlsContext.forServer(selector).build())) {
            assertFalse(c.channel.config().isAutoRead(), "held off during the lookup");
            setWritable(c.channel, false);
            if (lookupFirst) {
                selector.answer(0);
                c.channel.runPendingTasks();
                assertFalse(c.channel.config().isAutoRead(), "the channel is still not writable");
                setWritable(c.channel, true);
            } else {
                setWritable(c.channel, true);
                assertFalse(c.channel.config().isAutoRead(), "the lookup is still pending");
                selector.answer(0);
                c.channel.runPendingTasks();
            }
            assertTrue(c.channel.config().isAutoRead(), "reading again");
            assertTrue(c.takeOutbound().length > 0, "the server answered its ClientHello");
        }
    }

    // ==== settings ====

    @Test
    void builderChecksTheFloodLimits() {
        Consumer<Consumer<PskTlsContext.Builder>> refused = setting -> {
            PskTlsContext.Builder b = PskTlsContext.forServer(PSK);
            setting.accept(b);
            assertThrows(IllegalStateException.class, b::build);
        };
        refused.accept(b -> b.maxConsecutiveKeyUpdates(0));
        refused.accept(b -> b.maxConsecutiveKeyUpdates(65537));
        refused.accept(b -> b.maxRecordsWithoutProgress(0));
        refused.accept(b -> b.maxRecordsWithoutProgress(-1));
        refused.accept(b -> b.maxRecordsWithoutProgress(65537));
        assertEquals("maxConsecutiveKeyUpdates must be between 1 and 65536", assertThrows(IllegalStateException.class,
                () -> PskTlsContext.forServer(PSK).maxConsecutiveKeyUpdates(0).build()).getMessage());
        PskTlsContext extremes = PskTlsContext.forClient().addPsk(PSK).maxConsecutiveKeyUpdates(1)
                .maxRecordsWithoutProgress(65536).build();
        assertEquals(1, extremes.maxConsecutiveKeyUpdates);
        assertEquals(65536, extremes.maxRecordsWithoutProgress);
        PskTlsContext defaults = PskTlsContext.forServer(PSK).build();
        assertEquals(32, defaults.maxConsecutiveKeyUpdates);
        assertEquals(32, defaults.maxRecordsWithoutProgress);
        assertEquals(3, PskTlsContext.MAX_REFUSED_RENEGOTIATIONS);
    }
}
