package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.tls12.Tls12Messages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every limit of the issue "Hardening / Limits": a peer that exceeds it gets a clear alert (decoded from the
 * server's bytes), a closed channel and a failed handshake future with a message that says which limit, and the
 * limit's counter in {@link PskTlsStats} goes up by exactly one while every other limit counter stays at zero. Then
 * the cap on concurrent PSK lookups: refused without asking the selector, freed by a completion, a close or a
 * removal, exactly once whatever the stage does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LimitsTest {

    static final ExternalPsk PSK = HostileClientHello.psk();
    static final CipherSuite PSK_GCM = CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256;

    static EventLoopGroup group;

    @BeforeAll
    static void startEventLoops() {
        group = LocalPair.newGroup();
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        LocalPair.shutdown(group);
    }

    // ---- counters ----

    static Map<String, Long> limitCounters(PskTlsStats s) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("oversizedRecords", s.oversizedRecords());
        m.put("oversizedHandshakeMessages", s.oversizedHandshakeMessages());
        m.put("tooManyIdentities", s.tooManyIdentities());
        m.put("oversizedIdentities", s.oversizedIdentities());
        m.put("lookupBufferOverflows", s.lookupBufferOverflows());
        m.put("handshakeTimeouts", s.handshakeTimeouts());
        m.put("lookupsRefused", s.lookupsRefused());
        m.put("earlyDataOverflows", s.earlyDataOverflows());
        m.put("tooManyKeyUpdates", s.tooManyKeyUpdates());
        m.put("tooManyRenegotiations", s.tooManyRenegotiations());
        m.put("tooManyRecordsWithoutProgress", s.tooManyRecordsWithoutProgress());
        return m;
    }

    /** {@code counter} went up by exactly one between the snapshots, every other limit counter not at all. */
    static void assertCountedOnce(String counter, PskTlsStats before, PskTlsStats after) {
        Map<String, Long> b = limitCounters(before);
        Map<String, Long> a = limitCounters(after);
        assertTrue(a.containsKey(counter), counter);
        for (String name : a.keySet()) {
            long expected = b.get(name) + (name.equals(counter) ? 1 : 0);
            assertEquals(expected, a.get(name), () -> name + " in " + after);
        }
    }

    /** As above, for a connection that failed its handshake (and so counts once in handshakesFailed too). */
    static void assertHandshakeEndedByLimit(String counter, PskTlsStats before, PskTlsStats after) {
        assertCountedOnce(counter, before, after);
        assertEquals(before.handshakesFailed() + 1, after.handshakesFailed(), "handshakesFailed");
        assertEquals(before.handshakesSucceeded(), after.handshakesSucceeded(), "handshakesSucceeded");
        assertEquals(before.authenticationFailures(), after.authenticationFailures(), "authenticationFailures");
    }

    /** A selector that answers later: each request and its stage are kept for the test to complete. */
    static final class ManualSelector implements PskSelector {
        final List<PskSelectionRequest> requests = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<PskSelection>> stages = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<PskSelection> select(PskSelectionRequest request) {
            CompletableFuture<PskSelection> stage = new CompletableFuture<>();
            requests.add(request);
            stages.add(stage);
            return stage;
        }

        int calls() {
            return requests.size();
        }

        /** Answers request {@code i} with its first offered identity and {@link #PSK}. */
        void answer(int i) {
            stages.get(i).complete(PskSelection.of(requests.get(i).offeredPsks().get(0), PSK));
        }
    }

    /** A selector that answers every request at once with {@link PskSelection#none()}, counting its calls. */
    static final class CountingSelector implements PskSelector {
        final List<byte[]> identitiesSeen = new ArrayList<>();

        @Override
        public CompletableFuture<PskSelection> select(PskSelectionRequest request) {
            for (OfferedPsk o : request.offeredPsks()) {
                identitiesSeen.add(o.identityBytes());
            }
            return CompletableFuture.completedFuture(PskSelection.none());
        }
    }

    static String repeat(char c, int n) {
        char[] a = new char[n];
        Arrays.fill(a, c);
        return new String(a);
    }

    /** Sends a valid ClientHello; the server, waiting for its selector, must answer nothing yet. */
    static HostileClient pendingClient(PskTlsContext server) {
        HostileClient c = new HostileClient(server);
        c.send(c.validHello().record());
        assertEquals(0, c.takeOutbound().length, "the server answered before its PSK lookup completed");
        assertTrue(c.channel.isOpen());
        assertFalse(c.handshakeFuture().isDone(), () -> "handshake ended: " + c.handshakeFuture().cause());
        return c;
    }

    // ---- record size ----

    @Test
    void recordLongerThanTheProtocolAllowsIsRecordOverflowCountedOnce() {
        PskTlsContext server = PskTlsContext.forServer(PSK).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            int length = RecordLimits.MAX_CIPHERTEXT_LENGTH + 1;
            byte[] header = {ContentType.HANDSHAKE, 3, 3, (byte) (length >>> 8), (byte) length};
            c.send(HostileWire.concat(header, header, header)); // the first ends the connection
            PskAlertException e = c.assertRejectedInClear(AlertDescription.RECORD_OVERFLOW);
            assertEquals("unprotected handshake record of " + length + " bytes exceeds "
                    + RecordLimits.MAX_PLAINTEXT_LENGTH, e.reason());
            assertFalse(c.send(header), "the channel is closed");
        }
        assertHandshakeEndedByLimit("oversizedRecords", before, server.stats());
    }

    @Test
    void recordOverflowOnAnEstablishedTls12ConnectionIsCountedWithoutAFailedHandshake() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(PSK).cipherSuites(PSK_GCM).build();
        try (HostileClient c = new HostileClient(server)) {
            c.completeTls12Handshake(HostileClientHello.tls12Only(PSK_GCM));
            PskTlsStats before = server.stats();
            int length = RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH + 1;
            c.send(new byte[] {ContentType.APPLICATION_DATA, 3, 3, (byte) (length >>> 8), (byte) length});
            c.assertTls12ProtectedFatalAlertSent(AlertDescription.RECORD_OVERFLOW);
            assertFalse(c.channel.isOpen());
            assertEquals(1, c.recorder.exceptions.size(), () -> "" + c.recorder.exceptions);
            PskAlertException e = assertInstanceOf(PskAlertException.class, c.recorder.exceptions.get(0));
            assertEquals(AlertDescription.RECORD_OVERFLOW, e.description());
            PskTlsStats after = server.stats();
            assertCountedOnce("oversizedRecords", before, after);
            assertEquals(1, after.handshakesSucceeded());
            assertEquals(0, after.handshakesFailed(), "the handshake had succeeded");
        }
    }

    /**
     * RFC 8446 section 5.1: an unprotected record carries at most 2^14 bytes. A ClientHello of 2^14 + 1 bytes in one
     * record is record_overflow; the same ClientHello in two records is served (the limit is the record's, not the
     * message's).
     */
    @Test
    void clientHelloRecordOver2To14IsRecordOverflowCountedOnce() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(PSK).build();
        PskTlsStats before = server.stats();
        int length = RecordLimits.MAX_PLAINTEXT_LENGTH + 1;
        try (HostileClient c = new HostileClient(server)) {
            byte[] ch = helloOfLength(c, length);
            c.send(HostileWire.record(ContentType.HANDSHAKE, ch));
            PskAlertException e = c.assertRejectedInClear(AlertDescription.RECORD_OVERFLOW);
            assertEquals("unprotected handshake record of 16385 bytes exceeds 16384", e.reason());
        }
        assertHandshakeEndedByLimit("oversizedRecords", before, server.stats());
        try (HostileClient c = new HostileClient(server)) {
            byte[] ch = helloOfLength(c, length);
            c.sendAndOpenServerFlight(ch, HostileWire.concat(
                    HostileWire.record(ContentType.HANDSHAKE, Arrays.copyOf(ch, length - 1)),
                    HostileWire.record(ContentType.HANDSHAKE, Arrays.copyOfRange(ch, length - 1, length))));
            assertTrue(c.channel.isOpen());
        }
    }

    /** A valid ClientHello of {@code length} bytes (header included), padded with RFC 7685's extension. */
    private static byte[] helloOfLength(HostileClient c, int length) {
        int unpadded = c.validHello().message().length;
        byte[] ch = c.validHello().addBeforePsk(21, new byte[length - unpadded - 4]).message();
        assertEquals(length, ch.length);
        return ch;
    }

    /**
     * RFC 5246 section 6.2.1: in TLS 1.2 too an unprotected record carries at most 2^14 bytes, although protected
     * ones may carry 2^14 + 2048 once the version is known (section 6.2.3).
     */
    @Test
    void unprotectedTls12HandshakeRecordOver2To14IsRecordOverflowCountedOnce() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(PSK).cipherSuites(PSK_GCM).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            c.sendTls12Hello(HostileClientHello.tls12Only(PSK_GCM));
            byte[] identity = new byte[RecordLimits.MAX_PLAINTEXT_LENGTH + 1 - 4 - 2];
            byte[] cke = HostileWire.handshake(Tls12Messages.CLIENT_KEY_EXCHANGE, HostileWire.concat(
                    new byte[] {(byte) (identity.length >>> 8), (byte) identity.length}, identity));
            c.send(HostileWire.record(ContentType.HANDSHAKE, cke));
            PskAlertException e = c.assertRejectedInClear(AlertDescription.RECORD_OVERFLOW);
            assertEquals("unprotected handshake record of 16385 bytes exceeds 16384", e.reason());
        }
        assertHandshakeEndedByLimit("oversizedRecords", before, server.stats());
    }

    /**
     * RFC 8446 section 5.4: the TLSInnerPlaintext, padding included, is at most 2^14 + 1 bytes. 2^14 bytes of data
     * with its type byte are delivered; the same with 200 bytes of padding is record_overflow, counted once on an
     * established connection, and none of its data reaches the application.
     */
    @Test
    void paddedInnerPlaintextOver2To14Plus1IsRecordOverflowCountedOnce() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(PSK).protocols(TlsVersion.TLS_1_3).build();
        try (HostileClient c = new HostileClient(server)) {
            c.completeHandshake();
            PskTlsStats before = server.stats();
            byte[] data = HostileWire.pattern(RecordLimits.MAX_PLAINTEXT_LENGTH, 3);
            byte[] type = {ContentType.APPLICATION_DATA};
            c.send(c.sealInnerPlaintext(HostileWire.concat(data, type)));
            assertArrayEquals(data, c.recorder.drainBytes());
            c.send(c.sealInnerPlaintext(HostileWire.concat(data, type, new byte[200])));
            assertEquals(0, c.recorder.drainBytes().length, "data of an oversized record reached the application");
            c.assertProtectedFatalAlertSent(AlertDescription.RECORD_OVERFLOW);
            assertFalse(c.channel.isOpen());
            assertEquals(1, c.recorder.exceptions.size(), () -> "" + c.recorder.exceptions);
            PskAlertException e = assertInstanceOf(PskAlertException.class, c.recorder.exceptions.get(0));
            assertEquals("inner plaintext of 16585 bytes exceeds 2^14 + 1", e.reason());
            PskTlsStats after = server.stats();
            assertCountedOnce("oversizedRecords", before, after);
            assertEquals(before.handshakesFailed(), after.handshakesFailed(), "the handshake had succeeded");
        }
    }

    /**
     * TLS 1.2 after change_cipher_spec: every record type is protected and may be longer than 2^14 (RFC 5246
     * section 6.2.3), so a protected alert record of 2^14 bytes of plaintext gets past the record limits and is
     * judged by its content: an alert is two bytes (decode_error), not a record_overflow.
     */
    @Test
    void protectedTls12RecordOfAnyTypeMayExceed2To14() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(PSK).cipherSuites(PSK_GCM).build();
        try (HostileClient c = new HostileClient(server)) {
            c.completeTls12Handshake(HostileClientHello.tls12Only(PSK_GCM));
            PskTlsStats before = server.stats();
            byte[] alert = c.seal12(ContentType.ALERT, new byte[RecordLimits.MAX_PLAINTEXT_LENGTH]);
            assertTrue(alert.length - RecordLimits.HEADER_LENGTH > RecordLimits.MAX_PLAINTEXT_LENGTH);
            c.send(alert);
            c.assertTls12ProtectedFatalAlertSent(AlertDescription.DECODE_ERROR);
            assertEquals(before.oversizedRecords(), server.stats().oversizedRecords());
        }
    }

    // ---- handshake message size ----

    @Test
    void handshakeMessageOverMaxHandshakeMessageSizeIsIllegalParameterCountedOnce() {
        PskTlsContext server = PskTlsContext.forServer(PSK).maxHandshakeMessageSize(1024).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            // Only the header, declaring 1025 bytes: refused before the body is buffered.
            c.send(HostileWire.record(ContentType.HANDSHAKE, new byte[] {HandshakeType.CLIENT_HELLO, 0, 4, 1}));
            PskAlertException e = c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            assertTrue(e.reason().endsWith("of 1025 bytes exceeds the limit of 1024"), e.reason());
        }
        assertHandshakeEndedByLimit("oversizedHandshakeMessages", before, server.stats());
    }

    // ---- identities ----

    @Test
    void clientHelloWithMoreIdentitiesThanMaxOfferedIdentitiesIsIllegalParameterAndNeverReachesTheSelector() {
        CountingSelector selector = new CountingSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).maxOfferedIdentities(2).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            hello.psk(List.of("a", "b", HostileClientHello.IDENTITY), 32, 32, 32);
            c.send(hello.record());
            PskAlertException e = c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            assertEquals("more than 2 PSK identities offered", e.reason());
        }
        assertTrue(selector.identitiesSeen.isEmpty(), "the selector was asked");
        assertHandshakeEndedByLimit("tooManyIdentities", before, server.stats());
    }

    @Test
    void tls13IdentityLongerThanMaxIdentityLengthIsIllegalParameterAndNeverReachesTheSelector() {
        CountingSelector selector = new CountingSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).build(); // the default: 1024 bytes
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            hello.psk(List.of(HostileClientHello.IDENTITY, repeat('x', 1025)), 32, 32);
            c.send(hello.record());
            PskAlertException e = c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            assertEquals("PSK identity of 1025 bytes exceeds the limit of 1024", e.reason());
            assertFalse(e.getMessage().contains("xxx"), "the identity itself is not in the message");
        }
        assertTrue(selector.identitiesSeen.isEmpty(), "the selector was asked");
        assertHandshakeEndedByLimit("oversizedIdentities", before, server.stats());
    }

    @Test
    void tls13IdentityOfExactlyMaxIdentityLengthReachesTheSelector() {
        CountingSelector selector = new CountingSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            hello.psk(List.of(repeat('x', PskTlsContext.DEFAULT_MAX_IDENTITY_LENGTH)), 32);
            c.send(hello.record());
            // The selector knows no such identity: answered like a wrong key.
            c.assertRejectedInClear(AlertDescription.DECRYPT_ERROR);
        }
        assertEquals(1, selector.identitiesSeen.size());
        assertEquals(1024, selector.identitiesSeen.get(0).length);
        assertEquals(limitCounters(before), limitCounters(server.stats()), "no limit was exceeded");
    }

    @Test
    void tls12IdentityLongerThanMaxIdentityLengthIsIllegalParameterAtTheClientKeyExchange() throws Exception {
        CountingSelector selector = new CountingSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).cipherSuites(PSK_GCM).maxIdentityLength(128).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = new HostileClient(server)) {
            c.sendTls12Hello(HostileClientHello.tls12Only(PSK_GCM));
            byte[] cke = c.tls12ClientKeyExchange(repeat('y', 129).getBytes(StandardCharsets.US_ASCII),
                    HostileClientHello.KEY);
            c.send(HostileWire.record(ContentType.HANDSHAKE, cke));
            PskAlertException e = c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            assertEquals("PSK identity of 129 bytes exceeds the limit of 128", e.reason());
        }
        assertTrue(selector.identitiesSeen.isEmpty(), "the selector was asked");
        assertHandshakeEndedByLimit("oversizedIdentities", before, server.stats());

        // Control: 128 bytes is within the limit and goes to the selector.
        try (HostileClient c = new HostileClient(server)) {
            c.sendTls12Hello(HostileClientHello.tls12Only(PSK_GCM));
            c.send(HostileWire.record(ContentType.HANDSHAKE, c.tls12ClientKeyExchange(
                    repeat('y', 128).getBytes(StandardCharsets.US_ASCII), HostileClientHello.KEY)));
            assertEquals(1, selector.identitiesSeen.size());
            assertEquals(128, selector.identitiesSeen.get(0).length);
            assertTrue(c.channel.isOpen(), "an unknown identity is hidden until the Finished (RFC 4279 section 2)");
        }
        assertEquals(1, server.stats().oversizedIdentities());
    }

    // ---- bytes held while the lookup is pending ----

    @Test
    void floodWhileTheLookupIsPendingIsUnexpectedMessageCountedOnce() {
        ManualSelector selector = new ManualSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = pendingClient(server)) {
            assertEquals(1, server.pendingLookups());
            // As on a real socket, the alert is not written at once: the channel stays open meanwhile, so the records
            // after the one that passed the limit reach the record layer too.
            FaultToleranceTest.StalledTransport transport = new FaultToleranceTest.StalledTransport();
            c.channel.pipeline().addFirst(transport);
            byte[] full = HostileWire.record(ContentType.APPLICATION_DATA, new byte[RecordLimits.MAX_PLAINTEXT_LENGTH]);
            // One read of six full records: the fourth passes the 64 KiB held, the two after it pass it again.
            c.send(HostileWire.concat(full, full, full, full, full, full));
            assertTrue(c.handshakeFuture().isDone(), "the handshake failed at the fourth record");
            assertTrue(c.channel.isOpen(), "closed before the alert was written");
            assertEquals(1, server.stats().lookupBufferOverflows(), "one connection, one count");
            transport.drain();
            PskAlertException e = c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
            assertEquals("peer sent more than " + PskTlsContext.DEFAULT_MAX_BYTES_HELD_DURING_LOOKUP
                    + " bytes while its ClientHello was being answered", e.reason());
            assertEquals(0, server.pendingLookups(), "the failed handshake gave its lookup slot back");
            selector.answer(0); // too late: ignored
            c.channel.runPendingTasks();
            assertEquals(0, c.takeOutbound().length);
            assertEquals(0, server.pendingLookups());
        }
        assertHandshakeEndedByLimit("lookupBufferOverflows", before, server.stats());
    }

    /** The held-bytes limit is a setting: a 1 KiB limit keeps 1 KiB and refuses the record that would pass it. */
    @Test
    void heldBytesLimitIsASetting() {
        ManualSelector selector = new ManualSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).maxBytesHeldDuringLookup(1024).build();
        PskTlsStats before = server.stats();
        try (HostileClient c = pendingClient(server)) {
            c.send(HostileWire.record(ContentType.APPLICATION_DATA, new byte[1024 - 5]));
            assertFalse(c.handshakeFuture().isDone(), "exactly at the limit: still waiting for the lookup");
            c.send(HostileWire.record(ContentType.APPLICATION_DATA, new byte[1]));
            PskAlertException e = c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
            assertEquals("peer sent more than 1024 bytes while its ClientHello was being answered", e.reason());
            assertEquals(0, server.pendingLookups());
        }
        assertHandshakeEndedByLimit("lookupBufferOverflows", before, server.stats());
    }

    // ---- handshake timeout ----

    @Test
    void handshakeTimeoutSendsUserCanceledAndCloseNotifyAndIsCountedOnce() {
        ManualSelector selector = new ManualSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).handshakeTimeout(Duration.ofMillis(300)).build();
        PskTlsStats before = server.stats();
        EmbeddedPair.Recorder events = new EmbeddedPair.Recorder();
        EmbeddedChannel ch = FaultToleranceTest.frozenServer(server, events);
        PskHandshakeHandler handler = ch.pipeline().get(PskHandshakeHandler.class);
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(HostileClientHello.valid(new byte[32]).record()));
            assertEquals(1, selector.calls());
            assertEquals(1, server.pendingLookups());
            FaultToleranceTest.advance(ch, 290);
            assertTrue(ch.isOpen(), "not yet");
            assertNull(ch.readOutbound(), "nothing sent while the lookup is pending");
            FaultToleranceTest.advance(ch, 20);
            assertFalse(ch.isOpen(), "closed at the timeout");
            PskHandshakeTimeoutException e =
                    assertInstanceOf(PskHandshakeTimeoutException.class, handler.handshakeFuture().cause());
            assertEquals("handshake did not complete within 300 ms", e.getMessage());
            // RFC 8446 section 6.1: user_canceled (a warning), then close_notify; in clear, as no key exists yet.
            assertArrayEquals(HostileWire.concat(HostileWire.alertRecord(1, AlertDescription.USER_CANCELED.code()),
                    HostileWire.alertRecord(1, AlertDescription.CLOSE_NOTIFY.code())), HostileWire.takeOutbound(ch));
            assertEquals(0, server.pendingLookups(), "the timed-out handshake gave its lookup slot back");
            FaultToleranceTest.advance(ch, 10_000);
            selector.answer(0); // too late: ignored
            ch.runPendingTasks();
            assertNull(ch.readOutbound());
            assertEquals(0, server.pendingLookups());
        } finally {
            ch.finishAndReleaseAll();
            events.releaseAll();
        }
        assertHandshakeEndedByLimit("handshakeTimeouts", before, server.stats());
    }

    // ---- concurrent pending lookups ----

    @Test
    void clientHelloBeyondMaxPendingLookupsIsRefusedWithInternalErrorWithoutAskingTheSelector() throws Exception {
        ManualSelector selector = new ManualSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).maxPendingLookups(3).build();
        List<HostileClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(pendingClient(server));
                assertEquals(i + 1, server.pendingLookups());
            }
            PskTlsStats before = server.stats();
            try (HostileClient refused = new HostileClient(server)) {
                refused.send(refused.validHello().record());
                PskAlertException e = refused.assertRejectedInClear(AlertDescription.INTERNAL_ERROR);
                assertEquals("too many pending PSK lookups (limit 3)", e.reason());
                assertEquals("sent fatal alert internal_error (80): too many pending PSK lookups (limit 3)",
                        e.getMessage());
            }
            assertEquals(3, selector.calls(), "the refused handshake's selector was called");
            assertEquals(3, server.pendingLookups());
            assertHandshakeEndedByLimit("lookupsRefused", before, server.stats());

            // A lookup completes: its slot is free and its handshake goes on.
            selector.answer(0);
            clients.get(0).channel.runPendingTasks();
            assertEquals(2, server.pendingLookups());
            List<HostileWire.Rec> flight = HostileWire.records(clients.get(0).takeOutbound());
            assertEquals(ContentType.HANDSHAKE, flight.get(0).type(), "no ServerHello after the lookup completed");
            clients.add(pendingClient(server));
            assertEquals(4, selector.calls(), "a new handshake is accepted again");
            assertEquals(3, server.pendingLookups());

            // A channel closed, and a handler removed, while their lookups pend: both slots are freed.
            clients.get(1).channel.close();
            assertEquals(2, server.pendingLookups());
            clients.get(2).channel.pipeline().remove(clients.get(2).handler);
            assertEquals(1, server.pendingLookups());
            clients.add(pendingClient(server));
            assertEquals(2, server.pendingLookups());

            for (int i = 1; i < selector.stages.size(); i++) {
                selector.answer(i); // closed ones are ignored, open ones go on
            }
            for (HostileClient c : clients) {
                c.channel.runPendingTasks();
            }
            assertEquals(0, server.pendingLookups());
            assertEquals(1, server.stats().lookupsRefused());
        } finally {
            for (HostileClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void tls12HandshakeBeyondMaxPendingLookupsIsRefusedAtItsClientKeyExchange() throws Exception {
        ManualSelector selector = new ManualSelector();
        PskTlsContext server = PskTlsContext.forServer(selector).maxPendingLookups(1).build(); // TLS 1.3 and 1.2
        byte[] identity = HostileClientHello.IDENTITY.getBytes(StandardCharsets.US_ASCII);
        try (HostileClient tls13 = pendingClient(server)) {
            assertEquals(1, server.pendingLookups());
            PskTlsStats before = server.stats();
            try (HostileClient tls12 = new HostileClient(server)) {
                tls12.sendTls12Hello(HostileClientHello.tls12Only(PSK_GCM)); // no lookup yet: answered
                tls12.send(HostileWire.record(ContentType.HANDSHAKE,
                        tls12.tls12ClientKeyExchange(identity, HostileClientHello.KEY)));
                PskAlertException e = tls12.assertRejectedInClear(AlertDescription.INTERNAL_ERROR);
                assertEquals("too many pending PSK lookups (limit 1)", e.reason());
            }
            assertEquals(1, selector.calls(), "the refused handshake's selector was called");
            assertHandshakeEndedByLimit("lookupsRefused", before, server.stats());

            selector.answer(0);
            tls13.channel.runPendingTasks();
            assertEquals(0, server.pendingLookups());
            try (HostileClient tls12 = new HostileClient(server)) {
                tls12.sendTls12Hello(HostileClientHello.tls12Only(PSK_GCM));
                tls12.send(HostileWire.record(ContentType.HANDSHAKE,
                        tls12.tls12ClientKeyExchange(identity, HostileClientHello.KEY)));
                assertEquals(0, tls12.takeOutbound().length, "refused although the lookup slot was free");
                assertEquals(2, selector.calls());
                assertEquals(1, server.pendingLookups());
            }
            assertEquals(0, server.pendingLookups(), "closing the TLS 1.2 channel freed its slot");
        }
    }

    /** A stage that breaks the CompletionStage contract: it keeps its callback so that a test can call it twice. */
    static final class TwiceCallingStage extends CompletableFuture<PskSelection> {
        final AtomicReference<BiConsumer<? super PskSelection, ? super Throwable>> callback = new AtomicReference<>();

        @Override
        public CompletableFuture<PskSelection> whenComplete(BiConsumer<? super PskSelection, ? super Throwable> action) {
            callback.set(action);
            return new CompletableFuture<>();
        }
    }

    @Test
    void lookupAnsweredTwiceOrAfterItsHandshakeEndedFreesItsSlotExactlyOnce() {
        TwiceCallingStage twice = new TwiceCallingStage();
        CompletableFuture<PskSelection> late = new CompletableFuture<>();
        List<CompletableFuture<PskSelection>> stages = new ArrayList<>(List.of(twice, late));
        List<PskSelectionRequest> requests = new CopyOnWriteArrayList<>();
        PskTlsContext server = PskTlsContext.forServer(r -> {
            requests.add(r);
            return stages.isEmpty() ? new CompletableFuture<>() : stages.remove(0);
        }).maxPendingLookups(1).build();

        // A faulty stage calls back twice: the first answer is used, the second ignored.
        try (HostileClient c = pendingClient(server)) {
            assertEquals(1, server.pendingLookups());
            PskSelection answer = PskSelection.of(requests.get(0).offeredPsks().get(0), PSK);
            twice.callback.get().accept(answer, null);
            c.channel.runPendingTasks();
            assertEquals(0, server.pendingLookups());
            assertFalse(HostileWire.records(c.takeOutbound()).isEmpty(), "the server answered the first callback");
            twice.callback.get().accept(answer, null);
            twice.callback.get().accept(null, new IllegalStateException("and a third, failing"));
            c.channel.runPendingTasks();
            assertEquals(0, server.pendingLookups(), "a second callback gave a slot back again");
            assertTrue(c.channel.isOpen(), () -> "a second callback broke the handshake: " + c.handshakeFuture().cause());
            assertFalse(c.handshakeFuture().isDone());
            assertEquals(0, c.takeOutbound().length);
        }

        // A stage completed after its channel closed, then completed again (a no-op for a CompletableFuture).
        try (HostileClient c = pendingClient(server)) {
            assertEquals(1, server.pendingLookups());
            c.channel.close();
            assertEquals(0, server.pendingLookups());
            late.complete(PskSelection.of(requests.get(1).offeredPsks().get(0), PSK));
            assertFalse(late.completeExceptionally(new IllegalStateException("twice")));
            c.channel.runPendingTasks();
            assertEquals(0, server.pendingLookups(), "a late answer gave a slot back again");
        }

        // The count is exactly 0: with a cap of 1, one lookup is accepted and the next refused.
        PskTlsStats before = server.stats();
        try (HostileClient accepted = pendingClient(server); HostileClient refused = new HostileClient(server)) {
            assertEquals(1, server.pendingLookups());
            refused.send(refused.validHello().record());
            refused.assertRejectedInClear(AlertDescription.INTERNAL_ERROR);
            assertEquals(3, requests.size());
        }
        assertEquals(0, server.pendingLookups());
        assertEquals(before.lookupsRefused() + 1, server.stats().lookupsRefused());
    }

    @Test
    void synchronousSelectorsTakeAndGiveBackTheirSlotWhateverTheyAnswer() throws Exception {
        RuntimeException boom = new RuntimeException("key store down");
        Map<String, PskSelector> selectors = new LinkedHashMap<>();
        selectors.put("throws", r -> {
            throw boom;
        });
        selectors.put("returns null", r -> null);
        selectors.put("already failed", r -> CompletableFuture.failedFuture(boom));
        selectors.put("completed with null", r -> CompletableFuture.completedFuture(null));
        selectors.put("none", r -> CompletableFuture.completedFuture(PskSelection.none()));
        selectors.put("minimal completed stage", r -> CompletableFuture.completedStage(
                PskSelection.of(r.offeredPsks().get(0), PSK)));
        for (Map.Entry<String, PskSelector> s : selectors.entrySet()) {
            PskTlsContext server = PskTlsContext.forServer(s.getValue()).maxPendingLookups(1).build();
            for (int i = 0; i < 2; i++) { // a leaked slot would refuse the second with internal_error
                try (HostileClient c = new HostileClient(server)) {
                    c.send(c.validHello().record());
                    if (s.getKey().startsWith("minimal")) {
                        c.channel.runPendingTasks();
                        assertFalse(c.handshakeFuture().isDone(), () -> "" + c.handshakeFuture().cause());
                    } else {
                        PskAlertException e = assertInstanceOf(PskAlertException.class, c.handshakeFuture().cause());
                        assertFalse(e.reason().contains("too many pending"), s.getKey() + ": " + e.reason());
                    }
                    assertEquals(0, server.pendingLookups(), s.getKey());
                }
            }
            assertEquals(0, server.stats().lookupsRefused(), s.getKey());
        }

        // The default rule (completed futures), whole handshakes in TLS 1.3 and TLS 1.2, one after another.
        PskTlsContext server = PskTlsContext.forServer(PSK).maxPendingLookups(1).build();
        for (int i = 0; i < 2; i++) {
            try (HostileClient c = new HostileClient(server)) {
                c.completeHandshake();
            }
            try (HostileClient c = new HostileClient(server)) {
                c.completeTls12Handshake(HostileClientHello.tls12Only(PSK_GCM));
            }
            assertEquals(0, server.pendingLookups());
        }
        assertEquals(4, server.stats().handshakesSucceeded());
        assertEquals(0, server.stats().lookupsRefused());
    }

    /**
     * On real event loops: the cap counts the lookups of every channel of one context, and a lookup answered on a
     * thread of the key service's gives its slot back there.
     */
    @Test
    void capIsSharedByTheChannelsOfAContextOnRealEventLoops() throws Exception {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch selected = new CountDownLatch(1);
        PskTlsContext server = PskTlsContext.forServer(r -> {
            calls.incrementAndGet();
            request.set(r);
            selected.countDown();
            return pending;
        }).maxPendingLookups(1).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).build();
        try (LocalPair first = new LocalPair(group, client, server)) {
            assertTrue(selected.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "selector called");
            try (LocalPair second = new LocalPair(group, client, server)) {
                assertTrue(second.serverHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
                PskAlertException sent = assertInstanceOf(PskAlertException.class, second.serverHandshake().cause());
                assertEquals(AlertDescription.INTERNAL_ERROR, sent.description());
                assertEquals("too many pending PSK lookups (limit 1)", sent.reason());
                assertTrue(second.clientHandshake().await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS));
                PskAlertException received = assertInstanceOf(PskAlertException.class,
                        second.clientHandshake().cause());
                assertTrue(received.isReceived());
                assertEquals(AlertDescription.INTERNAL_ERROR, received.description());
            }
            assertEquals(1, calls.get());
            Thread keyService = new Thread(() ->
                    pending.complete(PskSelection.of(request.get().offeredPsks().get(0), PSK)), "key-service");
            keyService.start();
            keyService.join(TimeUnit.SECONDS.toMillis(LocalPair.WAIT_SECONDS));
            first.awaitHandshakes();
            assertTrue(first.serverHandshake().isSuccess(), () -> "" + first.serverHandshake().cause());
            assertEquals(0, server.pendingLookups());
        }
        assertEquals(1, server.stats().lookupsRefused());
    }

    /** Threads racing for slots never hold more than the cap together, and the count ends at 0. */
    @Test
    void pendingLookupsNeverExceedTheCapUnderContention() throws Exception {
        int cap = 8;
        PskTlsContext server = PskTlsContext.forServer(PSK).maxPendingLookups(cap).build();
        int threads = 4;
        AtomicInteger overCap = new AtomicInteger();
        AtomicInteger refusals = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int round = 0; round < 2000; round++) {
                    int held = 0;
                    while (server.tryStartLookup()) { // take slots until refused
                        held++;
                        if (server.pendingLookups() > cap || held > cap) {
                            overCap.incrementAndGet();
                        }
                    }
                    refusals.incrementAndGet();
                    for (; held > 0; held--) {
                        server.endLookup();
                    }
                }
            }, "lookup-racer-" + t);
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(w.isAlive(), w.getName() + " did not finish");
        }
        assertEquals(0, overCap.get(), "more than " + cap + " slots were taken at once");
        assertEquals(threads * 2000, refusals.get());
        assertEquals(0, server.pendingLookups());
    }

    // ---- settings ----

    @Test
    void builderValidatesTheNewLimits() {
        Consumer<Consumer<PskTlsContext.Builder>> refused = setting -> {
            PskTlsContext.Builder b = PskTlsContext.forServer(PSK);
            setting.accept(b);
            assertThrows(IllegalStateException.class, b::build);
        };
        refused.accept(b -> b.maxIdentityLength(127));
        refused.accept(b -> b.maxIdentityLength(0));
        refused.accept(b -> b.maxIdentityLength(-1));
        refused.accept(b -> b.maxIdentityLength(65536));
        refused.accept(b -> b.maxPendingLookups(0));
        refused.accept(b -> b.maxPendingLookups(-1));
        refused.accept(b -> b.maxBytesHeldDuringLookup(1023));
        refused.accept(b -> b.maxBytesHeldDuringLookup((16 << 20) + 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PskTlsContext.forServer(PSK).maxIdentityLength(127).build());
        assertEquals("maxIdentityLength must be between 128 and 65535 bytes", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> PskTlsContext.forServer(PSK).maxPendingLookups(0).build());
        assertEquals("maxPendingLookups must be at least 1", e.getMessage());

        assertEquals(128, PskTlsContext.forServer(PSK).maxIdentityLength(128).build().maxIdentityLength);
        assertEquals(65535, PskTlsContext.forServer(PSK).maxIdentityLength(65535).build().maxIdentityLength);
        assertEquals(1, PskTlsContext.forServer(PSK).maxPendingLookups(1).build().maxPendingLookups);
        assertEquals(1024, PskTlsContext.forServer(PSK).maxBytesHeldDuringLookup(1024).build().maxBytesHeldDuringLookup);
        assertEquals(Integer.MAX_VALUE,
                PskTlsContext.forServer(PSK).maxPendingLookups(Integer.MAX_VALUE).build().maxPendingLookups);

        PskTlsContext defaults = PskTlsContext.forServer(PSK).build();
        assertEquals(1024, defaults.maxIdentityLength);
        assertEquals(PskTlsContext.DEFAULT_MAX_IDENTITY_LENGTH, defaults.maxIdentityLength);
        assertEquals(10_000, defaults.maxPendingLookups);
        assertEquals(PskTlsContext.DEFAULT_MAX_PENDING_LOOKUPS, defaults.maxPendingLookups);
    }

    /**
     * Each counter reaches its own getter and its own name in toString(), and each limit its own counter: every
     * counter is given a different count, so a swapped field, getter, label or limit shows.
     */
    @Test
    void statsReportEachCounterUnderItsOwnNameAndValue() {
        PskTlsContext context = PskTlsContext.forServer(PSK).build();
        context.handshakesSucceeded.add(1);
        context.handshakesFailed.add(2);
        context.authenticationFailures.add(3);
        context.handshakeTimeouts.add(4);
        Map<String, TlsLimitExceededException.Limit> limits = new LinkedHashMap<>();
        limits.put("oversizedRecords", TlsLimitExceededException.Limit.RECORD_SIZE);
        limits.put("oversizedHandshakeMessages", TlsLimitExceededException.Limit.HANDSHAKE_MESSAGE_SIZE);
        limits.put("tooManyIdentities", TlsLimitExceededException.Limit.OFFERED_IDENTITIES);
        limits.put("oversizedIdentities", TlsLimitExceededException.Limit.IDENTITY_LENGTH);
        limits.put("lookupBufferOverflows", TlsLimitExceededException.Limit.BUFFERED_DURING_LOOKUP);
        limits.put("lookupsRefused", TlsLimitExceededException.Limit.PENDING_LOOKUPS);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("handshakeTimeouts", 4L);
        long count = 5;
        for (Map.Entry<String, TlsLimitExceededException.Limit> e : limits.entrySet()) {
            for (int i = 0; i < count; i++) {
                context.limitExceeded(e.getValue());
            }
            expected.put(e.getKey(), count++);
        }
        PskTlsStats s = context.stats();
        assertEquals(1, s.handshakesSucceeded());
        assertEquals(2, s.handshakesFailed());
        assertEquals(3, s.authenticationFailures());
        Map<String, Long> counters = limitCounters(s);
        String text = s.toString();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertEquals(e.getValue(), counters.get(e.getKey()), e.getKey());
            assertTrue(text.contains(" " + e.getKey() + "=" + e.getValue() + ",")
                    || text.contains(" " + e.getKey() + "=" + e.getValue() + ")"), () -> e.getKey() + " in " + text);
        }
        assertTrue(text.contains("(succeeded=1,") && text.contains(" failed=2,")
                && text.contains(" authenticationFailures=3,"), text);
    }
}
