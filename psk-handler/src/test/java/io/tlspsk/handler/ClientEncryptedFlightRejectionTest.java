package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.record.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real client handler past a correct ServerHello, fed a hand-encrypted server flight (keys derived by
 * {@link HostileServer} from the codec's key schedule) that breaks one rule; the client's alert is protected with
 * its handshake key and checked by decrypting it.
 */
class ClientEncryptedFlightRejectionTest {

    private static HostileServer pastServerHello() throws Exception {
        HostileServer s = HostileServer.againstDefaultClient();
        s.sendValidServerHelloAndDeriveKeys();
        return s;
    }

    private static void assertRejectedProtected(HostileServer s, AlertDescription d) throws Exception {
        s.assertHandshakeFailedBySending(d);
        s.assertProtectedFatalAlertSent(d);
    }

    private static byte[] extensions(int type, byte[] data) {
        byte[] ext = HostileWire.concat(new byte[] {(byte) (type >>> 8), (byte) type,
                (byte) (data.length >>> 8), (byte) data.length}, data);
        return HostileWire.handshake(HandshakeType.ENCRYPTED_EXTENSIONS,
                HostileWire.concat(new byte[] {(byte) (ext.length >>> 8), (byte) ext.length}, ext));
    }

    @Test
    void completesWithACorrectServerFlight() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.completeHandshake();
            assertEquals(HostileClientHello.IDENTITY, s.handshakeFuture().getNow().identityAsString());
        }
    }

    @Test
    void rejectsAServerFinishedThatDoesNotVerifyWithDecryptError() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, s.transcribe(s.validEncryptedExtensions()));
            byte[] finished = s.serverFinished();
            finished[finished.length - 1] ^= 1;
            s.sendProtected(ContentType.HANDSHAKE, finished);
            assertRejectedProtected(s, AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void rejectsAServerFinishedOfTheWrongLengthWithDecodeError() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, s.transcribe(s.validEncryptedExtensions()));
            s.sendProtected(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.FINISHED, new byte[31]));
            assertRejectedProtected(s, AlertDescription.DECODE_ERROR);
        }
    }

    @ParameterizedTest(name = "handshake type {0}")
    @ValueSource(ints = {HandshakeType.CERTIFICATE, HandshakeType.CERTIFICATE_REQUEST, HandshakeType.FINISHED,
            HandshakeType.SERVER_HELLO, HandshakeType.NEW_SESSION_TICKET})
    void rejectsAnythingButEncryptedExtensionsAfterTheServerHello(int type) throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, HostileWire.handshake(type, new byte[32]));
            assertRejectedProtected(s, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAnUnsolicitedAlpnWithUnsupportedExtension() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, extensions(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                    new byte[] {0, 3, 2, 'h', '2'}));
            assertRejectedProtected(s, AlertDescription.UNSUPPORTED_EXTENSION);
        }
    }

    @Test
    void rejectsAnUnsolicitedServerNameWithUnsupportedExtension() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, extensions(ExtensionType.SERVER_NAME, new byte[0]));
            assertRejectedProtected(s, AlertDescription.UNSUPPORTED_EXTENSION);
        }
    }

    @Test
    void rejectsAKeyShareInEncryptedExtensionsWithIllegalParameter() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, extensions(ExtensionType.KEY_SHARE, new byte[] {0, 0x1d, 0, 1, 9}));
            assertRejectedProtected(s, AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAnUnprotectedHandshakeRecordAfterTheServerHello() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendHandshake(s.validEncryptedExtensions());
            assertRejectedProtected(s, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsATamperedRecordWithBadRecordMac() throws Exception {
        try (HostileServer s = pastServerHello()) {
            byte[] record = s.seal(ContentType.HANDSHAKE, s.validEncryptedExtensions());
            record[7] ^= 1;
            s.send(record);
            assertRejectedProtected(s, AlertDescription.BAD_RECORD_MAC);
        }
    }

    @Test
    void rejectsAnEmptyProtectedHandshakeRecord() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, new byte[0]);
            assertRejectedProtected(s, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsApplicationDataBeforeTheServerFinished() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, s.transcribe(s.validEncryptedExtensions()));
            s.sendProtected(ContentType.APPLICATION_DATA, "early".getBytes(StandardCharsets.US_ASCII));
            assertRejectedProtected(s, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAFinishedSplitAcrossTheKeyChange() throws Exception {
        // The server Finished is the last message under the handshake key: a following message in its record spans
        // the key change (RFC 8446 section 5.1).
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.HANDSHAKE, s.transcribe(s.validEncryptedExtensions()));
            s.sendProtected(ContentType.HANDSHAKE, HostileWire.concat(s.serverFinished(), new byte[] {4, 0}));
            assertRejectedProtected(s, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    /** RFC 8446 section 5: a protected change_cipher_spec is unexpected_message, never silently dropped. */
    @Test
    void rejectsAProtectedChangeCipherSpec() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.sendProtected(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1});
            assertRejectedProtected(s, AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void acceptsAnUnprotectedChangeCipherSpecBeforeTheServerFinished() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.send(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}));
            s.completeHandshake();
            assertTrue(s.handshakeFuture().isSuccess());
        }
    }

    // ---- after the handshake ----

    @ParameterizedTest(name = "handshake type {0}")
    @ValueSource(ints = {HandshakeType.CLIENT_HELLO, HandshakeType.SERVER_HELLO, HandshakeType.ENCRYPTED_EXTENSIONS,
            HandshakeType.CERTIFICATE_REQUEST, HandshakeType.FINISHED})
    void rejectsHandshakeMessagesAfterFinishedOtherThanKeyUpdateAndTickets(int type) throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.completeHandshake();
            s.sendProtected(ContentType.HANDSHAKE, HostileWire.handshake(type, new byte[8]));
            assertEquals(1, s.recorder.exceptions.size(), () -> "exceptions: " + s.recorder.exceptions);
            PskAlertException e = assertInstanceOf(PskAlertException.class, s.recorder.exceptions.get(0));
            assertEquals(AlertDescription.UNEXPECTED_MESSAGE, e.description());
            s.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
            assertFalse(s.channel.isOpen());
        }
    }

    @ParameterizedTest(name = "inner content type {0}")
    @ValueSource(ints = {0x42, 0xff})
    void rejectsAProtectedRecordOfAnUnknownInnerContentType(int type) throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.completeHandshake();
            s.sendProtected(type, "not application data".getBytes(StandardCharsets.US_ASCII));
            assertTrue(s.recorder.messages.isEmpty(), "a record of unknown inner type reached the application");
            assertEquals(1, s.recorder.exceptions.size(), () -> "exceptions: " + s.recorder.exceptions);
            s.assertProtectedFatalAlertSent(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void dropsANewSessionTicketAndKeepsTheConnection() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.completeHandshake();
            s.sendProtected(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.NEW_SESSION_TICKET,
                    new byte[] {0, 0, 0, 60, 0, 0, 0, 0, 1, 0, 0, 1, 7, 0, 0}));
            s.sendProtected(ContentType.APPLICATION_DATA, "still here".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still here", new String(s.recorder.drainBytes(), StandardCharsets.US_ASCII));
            assertTrue(s.recorder.exceptions.isEmpty(), () -> "exceptions: " + s.recorder.exceptions);
            assertTrue(s.channel.isOpen());
        }
    }

    @Test
    void answersARequestedKeyUpdate() throws Exception {
        try (HostileServer s = pastServerHello()) {
            s.completeHandshake();
            s.sendProtected(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.KEY_UPDATE, new byte[] {1}));
            s.serverWrite.update();
            List<HostileWire.Rec> out = HostileWire.records(s.takeOutbound());
            assertEquals(1, out.size(), () -> "expected the client's KeyUpdate, got " + out);
            HostileWire.Rec update = s.open(out.get(0));
            assertArrayEquals(new byte[] {HandshakeType.KEY_UPDATE, 0, 0, 1, 0}, update.fragment());
            s.sendProtected(ContentType.APPLICATION_DATA, "new key".getBytes(StandardCharsets.US_ASCII));
            assertEquals("new key", new String(s.recorder.drainBytes(), StandardCharsets.US_ASCII));
            assertTrue(s.channel.isOpen());
        }
    }
}
