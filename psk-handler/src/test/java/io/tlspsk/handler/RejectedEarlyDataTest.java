package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 0-RTT data the server refuses (it never accepts early data), RFC 8446 section 4.2.10: a client that offered
 * early_data may have sent 0-RTT records before it learnt that. Answered with a ServerHello, the server skips records
 * that do not open under the client's handshake key; answered with a HelloRetryRequest, it skips records of outer
 * type application_data until the second ClientHello. Either way at most
 * {@link PskHandshakeHandler#EARLY_DATA_SKIP_LIMIT} bytes; more is unexpected_message (section 4.6.1), counted in
 * {@link PskTlsStats#earlyDataOverflows()}.
 */
class RejectedEarlyDataTest {

    /** Most a record may carry here: 2^14 bytes, so that the limit is reached after exactly four. */
    static final int RECORD = 1 << 14;

    /** A 0-RTT record as a server without the early keys sees it: application_data it cannot open. */
    static byte[] zeroRtt(int length, int seed) {
        return HostileWire.record(ContentType.APPLICATION_DATA, HostileWire.pattern(length, seed));
    }

    /** {@code records} full 0-RTT records of {@link #RECORD} bytes. */
    static byte[] fullZeroRttRecords(int records) {
        byte[][] out = new byte[records][];
        for (int i = 0; i < records; i++) {
            out[i] = zeroRtt(RECORD, i);
        }
        return HostileWire.concat(out);
    }

    private static void offerEarlyData(HostileClientHello h) {
        h.addBeforePsk(ExtensionType.EARLY_DATA, new byte[0]);
    }

    /** The second ClientHello, after the compatibility change_cipher_spec, must be answered with a ServerHello. */
    private static void assertSecondHelloAnswered(HostileClient c, ServerHelloRetryRejectionTest.Retry r)
            throws Exception {
        c.send(HostileWire.concat(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}),
                ServerHelloRetryRejectionTest.secondHello(c, r).record()));
        assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
        List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
        assertEquals(ContentType.HANDSHAKE, out.get(0).type(), () -> "server answered " + out);
        ServerHello sh = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(out.get(0).fragment())));
        assertFalse(sh.isHelloRetryRequest());
    }

    // ---- answered with a HelloRetryRequest: skipped by outer type until the second ClientHello ----

    @Test
    void skipsZeroRttRecordsBetweenTheHelloRetryRequestAndTheSecondClientHello() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            ServerHelloRetryRejectionTest.Retry r = ServerHelloRetryRejectionTest.retry(c, RejectedEarlyDataTest::offerEarlyData);
            c.send(HostileWire.concat(zeroRtt(100, 1), zeroRtt(RECORD, 2), zeroRtt(1, 3)));
            assertEquals(0, c.takeOutbound().length, "the server answered 0-RTT records");
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            assertSecondHelloAnswered(c, r);
        }
    }

    @Test
    void skipsExactlyTheLimitAndRefusesOneByteMoreWithUnexpectedMessage() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk()).protocols(TlsVersion.TLS_1_3).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            ServerHelloRetryRejectionTest.retry(c, RejectedEarlyDataTest::offerEarlyData);
            assertEquals(PskHandshakeHandler.EARLY_DATA_SKIP_LIMIT, 4 * RECORD);
            c.send(fullZeroRttRecords(4));
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            c.send(zeroRtt(1, 9));
            // RFC 8446 section 4.6.1: more 0-RTT data than allowed is unexpected_message. No keys yet: in clear.
            PskAlertException e = c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
            assertTrue(e.getMessage().contains("0-RTT"), e.getMessage());
        }
        LimitsTest.assertHandshakeEndedByLimit("earlyDataOverflows", before, server.stats());
    }

    @Test
    void emptyZeroRttRecordsCostTheirHeaderSoAFloodOfThemEndsAtTheLimit() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk()).protocols(TlsVersion.TLS_1_3).build();
        PskTlsStats before = server.stats();
        int free = PskHandshakeHandler.EARLY_DATA_SKIP_LIMIT / RecordLimits.HEADER_LENGTH;
        try (HostileClient c = new HostileClient(server)) {
            ServerHelloRetryRejectionTest.retry(c, RejectedEarlyDataTest::offerEarlyData);
            byte[][] empty = new byte[free][];
            Arrays.fill(empty, zeroRtt(0, 0));
            c.send(HostileWire.concat(empty));
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            c.send(zeroRtt(0, 0));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
        LimitsTest.assertHandshakeEndedByLimit("earlyDataOverflows", before, server.stats());
    }

    @Test
    void skipsZeroRttThatArrivesWithTheFirstClientHello() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello first = c.validHello();
            first.replace(ExtensionType.SUPPORTED_GROUPS,
                    HostileClientHello.u16List(2, HostileClientHello.X25519, HostileClientHello.SECP256R1));
            first.replace(ExtensionType.KEY_SHARE, new byte[] {0, 0});
            offerEarlyData(first);
            byte[] ch1 = first.message();
            c.send(HostileWire.concat(HostileWire.record(ContentType.HANDSHAKE, ch1), fullZeroRttRecords(2)));
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertEquals(List.of(ContentType.HANDSHAKE, ContentType.CHANGE_CIPHER_SPEC),
                    out.stream().map(HostileWire.Rec::type).toList(), () -> "server answered " + out);
            assertSecondHelloAnswered(c, new ServerHelloRetryRejectionTest.Retry(ch1, out.get(0).fragment(),
                    ServerHelloRetryRejectionTest.retryTranscript(ch1, out.get(0).fragment())));
        }
    }

    @Test
    void skipsZeroRttHeldWhileTheLookupWasPending() throws Exception {
        LimitsTest.ManualSelector selector = new LimitsTest.ManualSelector();
        try (HostileClient c = new HostileClient(PskTlsContext.forServer(selector).protocols(TlsVersion.TLS_1_3)
                .build())) {
            HostileClientHello first = c.validHello();
            first.replace(ExtensionType.SUPPORTED_GROUPS,
                    HostileClientHello.u16List(2, HostileClientHello.X25519, HostileClientHello.SECP256R1));
            first.replace(ExtensionType.KEY_SHARE, new byte[] {0, 0});
            offerEarlyData(first);
            byte[] ch1 = first.message();
            c.send(HostileWire.concat(HostileWire.record(ContentType.HANDSHAKE, ch1), zeroRtt(1000, 1)));
            assertEquals(1, selector.calls());
            assertEquals(0, c.takeOutbound().length);
            selector.answer(0); // the held 0-RTT record is replayed after the HelloRetryRequest went out
            c.channel.runPendingTasks();
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertEquals(ContentType.HANDSHAKE, out.get(0).type(), () -> "server answered " + out);
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            assertSecondHelloAnswered(c, new ServerHelloRetryRejectionTest.Retry(ch1, out.get(0).fragment(),
                    ServerHelloRetryRejectionTest.retryTranscript(ch1, out.get(0).fragment())));
        }
    }

    @Test
    void applicationDataAfterAHelloRetryRequestIsUnexpectedWithoutAnEarlyDataOffer() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            ServerHelloRetryRejectionTest.retry(c, h -> { });
            c.send(zeroRtt(100, 1));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    // ---- answered with a ServerHello: skipped while they do not open ----

    @Test
    void skipsZeroRttThatDoesNotOpenAndCompletesWithTheClientsFinished() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            offerEarlyData(hello);
            c.runServerFlight(hello);
            // Exactly the limit, in records of several sizes.
            c.send(HostileWire.concat(zeroRtt(100, 1), fullZeroRttRecords(3), zeroRtt(RECORD - 100, 2)));
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            c.sendFinished();
            assertTrue(c.handshakeFuture().isSuccess(), () -> String.valueOf(c.handshakeFuture().cause()));
        }
    }

    @Test
    void refusesZeroRttThatDoesNotOpenBeyondTheLimitWithUnexpectedMessage() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk()).protocols(TlsVersion.TLS_1_3).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            offerEarlyData(hello);
            c.runServerFlight(hello);
            c.send(fullZeroRttRecords(4));
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            c.send(zeroRtt(1, 9));
            // RFC 8446 section 4.6.1 rather than bad_record_mac: it is more 0-RTT than allowed, not a forged record.
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
        LimitsTest.assertHandshakeEndedByLimit("earlyDataOverflows", before, server.stats());
    }

    @Test
    void onceARecordOpensAnotherThatDoesNotIsBadRecordMac() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            offerEarlyData(hello);
            c.runServerFlight(hello);
            c.send(zeroRtt(100, 1));
            c.sendFinished(); // opens: the client's second flight has begun, nothing more is skipped
            assertTrue(c.handshakeFuture().isSuccess(), () -> String.valueOf(c.handshakeFuture().cause()));
            c.send(zeroRtt(100, 2));
            c.assertProtectedFatalAlertSent(AlertDescription.BAD_RECORD_MAC);
        }
    }
}
