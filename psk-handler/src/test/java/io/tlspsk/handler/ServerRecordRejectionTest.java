package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real server handler fed records it must refuse: wrong record types at the wrong time, malformed
 * change_cipher_spec and alerts, oversized handshake messages, handshake messages after Finished, and what the
 * client sends after a close_notify or a fatal alert. Failures after keys exist are checked by decrypting the
 * server's alert with keys derived independently by {@link HostileClient}.
 */
class ServerRecordRejectionTest {

    private static final byte[] CLOSE_NOTIFY = {1, 0};

    /** After a completed handshake: the handler reported {@code d} as sent, protected, and closed. */
    private static void assertPostHandshakeFailure(HostileClient c, AlertDescription d) throws Exception {
        c.channel.runPendingTasks();
        assertTrue(c.handshakeFuture().isSuccess(), "a completed handshake must stay completed");
        assertEquals(1, c.recorder.exceptions.size(), () -> "exceptions: " + c.recorder.exceptions);
        PskAlertException e = assertInstanceOf(PskAlertException.class, c.recorder.exceptions.get(0));
        assertEquals(d, e.description(), e::getMessage);
        assertFalse(e.isReceived());
        c.assertProtectedFatalAlertSent(d);
        assertFalse(c.channel.isOpen());
    }

    // ---- before the ClientHello ----

    @Test
    void rejectsApplicationDataBeforeTheHandshake() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(ContentType.APPLICATION_DATA, "GET /".getBytes(StandardCharsets.US_ASCII)));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsChangeCipherSpecBeforeAnyClientHello() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAZeroLengthHandshakeRecord() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(ContentType.HANDSHAKE, new byte[0]));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAnUnknownRecordType() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(24, new byte[] {1, 2, 3})); // heartbeat, not in TLS 1.3
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAnOverlongRecordWithRecordOverflowFromItsHeader() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            int length = RecordLimits.MAX_CIPHERTEXT_LENGTH + 1;
            c.send(new byte[] {ContentType.HANDSHAKE, 3, 3, (byte) (length >>> 8), (byte) length});
            c.assertRejectedInClear(AlertDescription.RECORD_OVERFLOW);
        }
    }

    @Test
    void rejectsNonTlsRecordVersionWithDecodeErrorAndIgnoresWhatFollows() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            byte[] bad = HostileWire.record(ContentType.HANDSHAKE, new byte[] {1});
            bad[1] = 2;
            c.send(HostileWire.concat(bad, c.validHello().record()));
            c.assertRejectedInClear(AlertDescription.DECODE_ERROR); // exactly the alert: no ServerHello
        }
    }

    @Test
    void rejectsAnAlertRecordThatIsNotTwoBytes() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(ContentType.ALERT, new byte[] {2, 40, 0}));
            c.assertRejectedInClear(AlertDescription.DECODE_ERROR);
        }
    }

    // ---- oversized handshake messages ----

    @Test
    void rejectsAHandshakeMessageLargerThanTheLimitFromItsHeaderAlone() {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk()).maxHandshakeMessageSize(1024).build();
        try (HostileClient c = new HostileClient(server)) {
            c.send(HostileWire.record(ContentType.HANDSHAKE, new byte[] {HandshakeType.CLIENT_HELLO, 0, 4, 1}));
            c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAMaximalDeclaredLengthWithTheDefaultLimit() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(ContentType.HANDSHAKE,
                    new byte[] {HandshakeType.CLIENT_HELLO, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0}));
            c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAPaddedClientHelloOverTheLimitButAcceptsOneAtIt() throws Exception {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk()).maxHandshakeMessageSize(1024).build();
        int baseBody = HostileClientHello.valid(new byte[32]).message().length - HandshakeType.HEADER_LENGTH;
        int padToLimit = 1024 - baseBody - 4; // extension header 4 bytes
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            hello.addBeforePsk(21, new byte[padToLimit + 1]); // RFC 7685 padding
            c.send(hello.record());
            c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            hello.addBeforePsk(21, new byte[padToLimit]);
            assertEquals(1024 + HandshakeType.HEADER_LENGTH, hello.message().length);
            c.runServerFlight(hello);
            c.sendFinished();
            assertTrue(c.handshakeFuture().isSuccess(), () -> String.valueOf(c.handshakeFuture().cause()));
        }
    }

    // ---- during the handshake ----

    @Test
    void rejectsAChangeCipherSpecWithValue2() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {2}));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAChangeCipherSpecOfTwoBytes() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1, 1}));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAChangeCipherSpecInsideAFragmentedClientHello() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            byte[] hello = c.validHello().message();
            c.send(HostileWire.concat(HostileWire.record(ContentType.HANDSHAKE, Arrays.copyOf(hello, 20)),
                    HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1})));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAnUnprotectedHandshakeRecordOnceKeysAreInUse() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(c.validHello().record());
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsATamperedProtectedRecordWithBadRecordMac() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            byte[] finished = c.seal(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.FINISHED, new byte[32]));
            finished[finished.length - 1] ^= 1;
            c.send(finished);
            c.assertHandshakeFailedBySending(AlertDescription.BAD_RECORD_MAC);
            c.assertProtectedFatalAlertSent(AlertDescription.BAD_RECORD_MAC);
        }
    }

    @Test
    void rejectsAWrongClientFinishedWithDecryptError() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(c.seal(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.FINISHED, new byte[32])));
            c.assertHandshakeFailedBySending(AlertDescription.DECRYPT_ERROR);
            c.assertProtectedFatalAlertSent(AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void rejectsKeyUpdateBeforeTheClientFinished() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(c.seal(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.KEY_UPDATE, new byte[] {0})));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAnEmptyProtectedHandshakeRecord() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(c.seal(ContentType.HANDSHAKE, new byte[0]));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAHandshakeMessageSharingTheClientHellosRecordAcrossTheKeyChange() throws Exception {
        // RFC 8446 section 5.1: messages before a key change must end on a record boundary.
        for (byte[] extra : new byte[][] {HostileWire.handshake(HandshakeType.FINISHED, new byte[32]), {20, 0}}) {
            try (HostileClient c = HostileClient.againstDefaultServer()) {
                byte[] ch = c.validHello().message();
                List<HostileWire.Rec> after = c.sendAndOpenServerFlight(ch,
                        HostileWire.record(ContentType.HANDSHAKE, HostileWire.concat(ch, extra)));
                c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
                assertEquals(1, after.size(), () -> "expected only the alert after the ServerHello, got " + after);
                assertEquals(ContentType.ALERT, after.get(0).type());
                assertArrayEquals(new byte[] {2, (byte) AlertDescription.UNEXPECTED_MESSAGE.code()},
                        after.get(0).fragment());
            }
        }
    }

    @Test
    void rejectsAFloodOfRecordsWhileThePskLookupIsPending() {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        PskTlsContext server = PskTlsContext.forServer(request -> pending).build();
        try (HostileClient c = new HostileClient(server)) {
            c.send(c.validHello().record());
            assertEquals(0, c.takeOutbound().length, "server answered before its PSK lookup completed");
            byte[] full = HostileWire.record(ContentType.APPLICATION_DATA, new byte[RecordLimits.MAX_PLAINTEXT_LENGTH]);
            for (int i = 0; i < 3; i++) {
                c.send(full);
            }
            assertFalse(c.handshakeFuture().isDone(), "less than the hold limit was refused");
            c.send(HostileWire.concat(full, full));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
            pending.complete(PskSelection.none()); // too late: must be ignored
            c.channel.runPendingTasks();
            assertEquals(0, c.takeOutbound().length);
        }
    }

    /**
     * RFC 8446 section 5: "An implementation which receives ... a protected change_cipher_spec record MUST abort
     * the handshake with an unexpected_message alert." Only the unprotected one-byte record is dropped.
     */
    @Test
    void rejectsAProtectedChangeCipherSpec() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(c.seal(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsProtectedApplicationDataBeforeTheClientFinished() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            c.send(c.seal(ContentType.APPLICATION_DATA, "early".getBytes(StandardCharsets.US_ASCII)));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAMessageSharingTheClientFinishedsRecord() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            // Finished switches the read key: nothing may follow it in its record (RFC 8446 section 5.1).
            c.sendFinishedFollowedBy(HostileWire.handshake(HandshakeType.KEY_UPDATE, new byte[] {0}));
            c.assertHandshakeFailedBySending(AlertDescription.UNEXPECTED_MESSAGE);
            c.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAClientOfferingOnlyPskKeToAPskDheKeServer() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            hello.replace(ExtensionType.PSK_KEY_EXCHANGE_MODES, new byte[] {1, 0});
            c.send(hello.record());
            c.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    @Test
    void rejectsAClientWithNoGroupInCommon() {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk())
                .groups(io.tlspsk.codec.crypto.NamedGroup.SECP384R1).build();
        try (HostileClient c = new HostileClient(server)) {
            c.send(c.validHello().record()); // x25519 only
            c.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    // ---- after the handshake ----

    @ParameterizedTest(name = "handshake type {0}")
    @ValueSource(ints = {HandshakeType.CLIENT_HELLO, HandshakeType.SERVER_HELLO, HandshakeType.NEW_SESSION_TICKET,
            HandshakeType.END_OF_EARLY_DATA, HandshakeType.ENCRYPTED_EXTENSIONS, HandshakeType.CERTIFICATE,
            HandshakeType.CERTIFICATE_REQUEST, HandshakeType.CERTIFICATE_VERIFY, HandshakeType.FINISHED, 99})
    void rejectsAnyHandshakeMessageButKeyUpdateAfterFinished(int type) throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.HANDSHAKE, HostileWire.handshake(type, new byte[32])));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsASecondFullClientHelloAfterTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.HANDSHAKE, c.validHello().message()));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAChangeCipherSpecAfterTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAKeyUpdateWithAnIllegalValue() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.KEY_UPDATE, new byte[] {2})));
            assertPostHandshakeFailure(c, AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void acceptsKeyUpdateAfterFinishedAndAnswersARequestedOne() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.KEY_UPDATE, new byte[] {1})));
            c.clientWrite.update();
            c.send(c.seal(ContentType.APPLICATION_DATA, "after update".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("after update", new String(c.recorder.drainBytes(), StandardCharsets.US_ASCII));
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertEquals(1, out.size(), () -> "expected the server's KeyUpdate, got " + out);
            HostileWire.Rec update = c.open(out.get(0));
            assertEquals(ContentType.HANDSHAKE, update.type());
            assertArrayEquals(new byte[] {HandshakeType.KEY_UPDATE, 0, 0, 1, 0}, update.fragment());
            assertTrue(c.recorder.exceptions.isEmpty(), () -> "exceptions: " + c.recorder.exceptions);
            assertTrue(c.channel.isOpen());
        }
    }

    /**
     * RFC 8446 section 5: an unexpected record type is unexpected_message. After decryption the inner content
     * type 0x42 is none of TLS's; it must not be taken for application data.
     */
    @ParameterizedTest(name = "inner content type {0}")
    @ValueSource(ints = {0x42, 0x18, 0xff})
    void rejectsAProtectedRecordOfAnUnknownInnerContentType(int type) throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(type, "not application data".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(c.recorder.messages.isEmpty(), "a record of unknown inner type reached the application");
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    /**
     * RFC 8446 section 5.4: an authentic record whose inner plaintext is empty (nothing but the tag) has no content
     * type: unexpected_message, not bad_record_mac.
     */
    @Test
    void rejectsAnAuthenticRecordWithAnEmptyInnerPlaintext() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.sealInnerPlaintext(new byte[0]));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    /**
     * RFC 8446 section 5.4: "Implementations MUST NOT send Handshake and Alert records that have a zero-length
     * TLSInnerPlaintext.content"; one received is unexpected_message.
     */
    @Test
    void rejectsAProtectedAlertWithNoContent() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.ALERT, new byte[0]));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAProtectedChangeCipherSpecAfterTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAMessageAfterKeyUpdateInTheSameRecord() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            byte[] update = HostileWire.handshake(HandshakeType.KEY_UPDATE, new byte[] {0});
            c.send(c.seal(ContentType.HANDSHAKE, HostileWire.concat(update, update)));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void deliversApplicationDataAfterTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(c.seal(ContentType.APPLICATION_DATA, "ping".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("ping", new String(c.recorder.drainBytes(), StandardCharsets.US_ASCII));
            assertTrue(c.recorder.exceptions.isEmpty());
        }
    }

    @Test
    void rejectsAnUnprotectedAlertAfterTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            c.send(HostileWire.alertRecord(2, AlertDescription.HANDSHAKE_FAILURE.code()));
            assertPostHandshakeFailure(c, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    // ---- close_notify and alerts from the client ----

    @Test
    void ignoresRecordsAfterCloseNotifyBeforeTheHandshake() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.concat(HostileWire.record(ContentType.ALERT, CLOSE_NOTIFY), c.validHello().record()));
            assertArrayEquals(HostileWire.alertRecord(1, 0), c.takeOutbound(),
                    "expected only our close_notify, and no ServerHello");
            PskAlertException e = c.assertHandshakeFailed(AlertDescription.CLOSE_NOTIFY);
            assertTrue(e.isReceived());
        }
    }

    @Test
    void ignoresRecordsAfterCloseNotifyOnceEstablished() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            byte[] closeNotify = c.seal(ContentType.ALERT, CLOSE_NOTIFY);
            byte[] late = c.seal(ContentType.APPLICATION_DATA, "too late".getBytes(StandardCharsets.US_ASCII));
            c.send(HostileWire.concat(closeNotify, late));
            assertNotNull(c.recorder.event(PskCloseNotifyEvent.class));
            assertTrue(c.recorder.messages.isEmpty(), "data after close_notify was delivered");
            assertTrue(c.recorder.exceptions.isEmpty(), () -> "exceptions: " + c.recorder.exceptions);
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertEquals(1, out.size(), () -> "expected our close_notify only, got " + out);
            HostileWire.Rec reply = c.open(out.get(0));
            assertEquals(ContentType.ALERT, reply.type());
            assertArrayEquals(new byte[] {1, 0}, reply.fragment());
            assertFalse(c.channel.isOpen());
        }
    }

    @Test
    void fatalAlertFromTheClientFailsTheHandshakeAsReceived() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.alertRecord(2, AlertDescription.HANDSHAKE_FAILURE.code()));
            PskAlertException e = c.assertHandshakeFailed(AlertDescription.HANDSHAKE_FAILURE);
            assertTrue(e.isReceived());
            assertEquals(0, c.takeOutbound().length, "no alert may answer a fatal alert");
        }
    }

    @Test
    void fatalAlertFromTheClientDuringTheHandshakeIsReceived() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.runServerFlight(c.validHello());
            // A client that failed to verify the server's Finished may answer in clear or protected.
            c.send(c.seal(ContentType.ALERT, new byte[] {2, (byte) AlertDescription.DECRYPT_ERROR.code()}));
            PskAlertException e = c.assertHandshakeFailed(AlertDescription.DECRYPT_ERROR);
            assertTrue(e.isReceived());
            assertEquals(0, c.takeOutbound().length);
        }
    }

    @Test
    void warningLevelErrorAlertIsFatalToo() {
        // RFC 8446 section 6: error alerts are fatal whatever AlertLevel says.
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.alertRecord(1, AlertDescription.ILLEGAL_PARAMETER.code()));
            assertTrue(c.assertHandshakeFailed(AlertDescription.ILLEGAL_PARAMETER).isReceived());
        }
    }

    @Test
    void unknownAlertCodeIsFatalWithItsCodeKept() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.alertRecord(2, 255));
            c.channel.runPendingTasks();
            PskAlertException e = assertInstanceOf(PskAlertException.class, c.handshakeFuture().cause());
            assertTrue(e.isReceived());
            assertNull(e.description());
            assertEquals(255, e.code());
            assertSame(e, c.recorder.event(PskHandshakeCompletionEvent.class).cause());
            assertFalse(c.channel.isOpen());
        }
    }

    @Test
    void ignoresRecordsAfterAFatalAlertFromTheClient() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.concat(HostileWire.alertRecord(2, AlertDescription.INTERNAL_ERROR.code()),
                    c.validHello().record()));
            assertTrue(c.assertHandshakeFailed(AlertDescription.INTERNAL_ERROR).isReceived());
            assertEquals(0, c.takeOutbound().length, "the ClientHello after the alert was answered");
        }
    }

    @Test
    void userCanceledAloneDoesNotEndTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.alertRecord(1, AlertDescription.USER_CANCELED.code()));
            assertFalse(c.handshakeFuture().isDone());
            c.runServerFlight(c.validHello());
            c.sendFinished();
            assertTrue(c.handshakeFuture().isSuccess(), () -> String.valueOf(c.handshakeFuture().cause()));
        }
    }

    @Test
    void serverAnswersAnEarlyDataOfferWithoutEarlyDataAndCompletes() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            hello.addBeforePsk(ExtensionType.EARLY_DATA, new byte[0]);
            c.runServerFlight(hello);
            c.sendFinished();
            assertTrue(c.handshakeFuture().isSuccess(), () -> String.valueOf(c.handshakeFuture().cause()));
        }
    }
}
