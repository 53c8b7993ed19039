package io.tlspsk.codec.record;

import static io.tlspsk.codec.record.TlsRecordDecoderTest.concat;
import static io.tlspsk.codec.record.TlsRecordDecoderTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.Aead;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.crypto.TrafficKeys;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * {@link Tls13RecordProtection} for every cipher suite: round trips, the RFC 8446 section 5.2-5.4 record format
 * checked against an independent sealer, and every way a protected record can be refused.
 */
class Tls13RecordProtectionTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Every TLS 1.3 suite: the ones this protection serves. */
    static Stream<CipherSuite> tls13Suites() {
        return Arrays.stream(CipherSuite.values()).filter(CipherSuite::isTls13);
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    private static byte[] secret(CipherSuite suite, int seed) {
        return pattern(suite.hash().length(), seed);
    }

    private static Tls13RecordProtection protection(CipherSuite suite, byte[] secret) {
        return new Tls13RecordProtection(suite, new Hkdf(suite.hash()), secret, -1);
    }

    /**
     * Seals {@code innerPlaintext} (content, type and padding as the caller wrote them) as the record with sequence
     * number {@code seq}, straight from RFC 8446 sections 5.2 and 5.3: nonce = iv XOR seq, AAD = the record header.
     */
    static byte[] rawSeal(CipherSuite suite, byte[] secret, long seq, byte[] innerPlaintext) throws Exception {
        TrafficKeys keys = Tls13KeySchedule.trafficKeys(new Hkdf(suite.hash()), suite.aead(), secret);
        Aead aead = CryptoBackend.newAead(suite.aead(), keys.key());
        byte[] nonce = keys.iv().clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        int length = innerPlaintext.length + suite.aead().tagLength();
        byte[] out = new byte[RecordLimits.HEADER_LENGTH + length];
        out[0] = ContentType.APPLICATION_DATA;
        out[1] = 3;
        out[2] = 3;
        out[3] = (byte) (length >>> 8);
        out[4] = (byte) length;
        byte[] aad = Arrays.copyOf(out, RecordLimits.HEADER_LENGTH);
        aead.seal(nonce, aad, innerPlaintext, 0, innerPlaintext.length, out, RecordLimits.HEADER_LENGTH);
        aead.destroy();
        return out;
    }

    /** The record in {@code framed} (header included) as the decoder would deliver it. */
    private static TlsRecord asRecord(byte[] framed) {
        int length = framed.length - RecordLimits.HEADER_LENGTH;
        return new TlsRecord(framed[0] & 0xff,
                ALLOC.heapBuffer(length).writeBytes(framed, RecordLimits.HEADER_LENGTH, length));
    }

    private static byte[] seal(Tls13RecordProtection p, int type, byte[] content) throws TlsAlertException {
        ByteBuf in = Unpooled.wrappedBuffer(content);
        ByteBuf out = p.seal(ALLOC, type, in);
        try {
            assertFalse(in.isReadable(), "seal did not consume the content");
            return ByteBufUtil.getBytes(out);
        } finally {
            assertTrue(out.release());
            in.release();
        }
    }

    /** Opens {@code framed} and returns {type, content...}; both records are released. */
    private static byte[] open(Tls13RecordProtection p, byte[] framed) throws TlsAlertException {
        TlsRecord record = asRecord(framed);
        try {
            TlsRecord plain = p.open(ALLOC, record);
            try {
                byte[] content = ByteBufUtil.getBytes(plain.content());
                byte[] out = new byte[1 + content.length];
                out[0] = (byte) plain.contentType();
                System.arraycopy(content, 0, out, 1, content.length);
                return out;
            } finally {
                assertTrue(plain.release());
            }
        } finally {
            assertTrue(record.release());
        }
    }

    private static AlertDescription openFails(Tls13RecordProtection p, byte[] framed) {
        TlsRecord record = asRecord(framed);
        try {
            return assertThrows(TlsAlertException.class, () -> p.open(ALLOC, record)).description();
        } finally {
            assertTrue(record.release(), "the caller's record must stay owned by the caller");
        }
    }

    private static byte[] typed(int type, byte[] content) {
        return concat(new byte[] {(byte) type}, content);
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void sealedRecordsOpenInOrderWithTheirContentType(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 1);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        byte[][] contents = {pattern(100, 1), new byte[0], pattern(RecordLimits.MAX_PLAINTEXT_LENGTH, 2), {0, 0, 0}};
        int[] types = {ContentType.HANDSHAKE, ContentType.APPLICATION_DATA, ContentType.APPLICATION_DATA,
                ContentType.ALERT};
        for (int i = 0; i < contents.length; i++) {
            byte[] framed = seal(writer, types[i], contents[i]);
            assertEquals(ContentType.APPLICATION_DATA, framed[0], "outer type must be application_data");
            assertEquals(3, framed[1]);
            assertEquals(3, framed[2]);
            int length = ((framed[3] & 0xff) << 8) | (framed[4] & 0xff);
            assertEquals(contents[i].length + 1 + suite.aead().tagLength(), length);
            assertEquals(framed.length - RecordLimits.HEADER_LENGTH, length);
            assertArrayEquals(typed(types[i], contents[i]), open(reader, framed));
        }
        assertEquals(contents.length, writer.sequenceNumber());
        assertEquals(contents.length, reader.sequenceNumber());
        writer.destroy();
        reader.destroy();
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void sealMatchesTheRfc8446RecordConstruction(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 2);
        Tls13RecordProtection writer = protection(suite, secret);
        for (long seq = 0; seq < 3; seq++) {
            byte[] content = pattern(50 + (int) seq, (int) seq);
            byte[] inner = concat(content, new byte[] {ContentType.HANDSHAKE}); // no padding
            assertArrayEquals(rawSeal(suite, secret, seq, inner), seal(writer, ContentType.HANDSHAKE, content),
                    "record " + seq);
        }
        writer.destroy();
    }

    // ---------------------------------------------------------------- RFC 8448 section 3 (Simple 1-RTT Handshake)
    // Traffic secrets and complete protected records (header included) as printed in the RFC's trace, which uses
    // TLS_AES_128_GCM_SHA256 and no padding: an independent known answer for the whole path from a traffic secret to
    // the bytes on the wire (key and IV derivation, nonce = IV xor sequence number, AAD = record header, inner type).

    private static final CipherSuite RFC8448_SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;
    private static final byte[] RFC8448_C_HS_TRAFFIC =
            hex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    private static final byte[] RFC8448_S_HS_TRAFFIC =
            hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    private static final byte[] RFC8448_C_AP_TRAFFIC =
            hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    private static final byte[] RFC8448_S_AP_TRAFFIC =
            hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    /** {server} send handshake record (679 octets): EncryptedExtensions, Certificate, CertificateVerify, Finished. */
    private static final byte[] RFC8448_SERVER_FLIGHT = hex("""
            17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 cc 87 b5 80 23 3f 50 0f
            45 e4 89 e7 f3 3a f3 5e df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca
            07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 b1 11 b4 29 ba 91 91 cd
            05 d2 a3 89 28 0f 52 61 34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b
            d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 02 07 16 cf b9 b1 18 3e
            f3 ab 20 e3 7d 57 a6 b9 d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c
            7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e d6 5b 0e 3c dd 0c ba e8
            bf 2d 0b 22 78 12 cb b3 60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92
            8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 04 79 7e 36 a6 a7 3b 70
            a2 55 9c 09 ea d6 86 94 5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8
            94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 45 96 c9 60 bd 59 6e ea
            52 0a 56 a8 d6 50 f5 63 aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f
            44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 4e d6 54 0c 84 83 8d 89
            f7 2c 24 46 1a ad 6d 26 f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3
            6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 7b 49 ee da 0c 62 58 f1
            00 d7 d9 61 ff b1 38 64 7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e
            1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 3d 24 3d c7 33 9d 56 84
            c8 b0 37 8b f3 02 44 da 8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c
            f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 61 e6 6f 99 88 2b d8 9f
            c5 08 00 be cc a6 2d 6c 74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be
            5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 a3 96 fa 48 a1 81 d6 b6
            fa 4f 9d 62 d5 13 af bb 99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb
            56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 77 b7 c7 a6 99 9b bf 10
            dc 35 ae 69 f5 51 56 14 63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38
            eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 8c 31 7f c9 fa 66 a7 3f
            60 f0 50 4d e9 3b 5b 84 5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78
            40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 d2 af 93 98 28 fd 4a e3
            79 4e 44 f9 4d f5 a6 31 ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e
            75 0e dc 53 37 0d 2b""");
    /** {client} send handshake record (58 octets): the client's Finished. */
    private static final byte[] RFC8448_CLIENT_FINISHED = hex("""
            17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0
            51 7f e9 b9 3c 7a 4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c
            ae ac ab 68 67 d7 26 c4 05 46""");
    /** {server} send handshake record (227 octets): NewSessionTicket, the first record under the server's keys. */
    private static final byte[] RFC8448_NEW_SESSION_TICKET = hex("""
            17 03 03 00 de 3a 6b 8f 90 41 4a 97 d6 95 9c 34 87 68 0d e5 13 4a 2b 24
            0e 6c ff ac 11 6e 95 d4 1d 6a f8 f6 b5 80 dc f3 d1 1d 63 c7 58 db 28 9a
            01 59 40 25 2f 55 71 3e 06 1d c1 3e 07 88 91 a3 8e fb cf 57 53 ad 8e f1
            70 ad 3c 73 53 d1 6d 9d a7 73 b9 ca 7f 2b 9f a1 b6 c0 d4 a3 d0 3f 75 e0
            9c 30 ba 1e 62 97 2a c4 6f 75 f7 b9 81 be 63 43 9b 29 99 ce 13 06 46 15
            13 98 91 d5 e4 c5 b4 06 f1 6e 3f c1 81 a7 7c a4 75 84 00 25 db 2f 0a 77
            f8 1b 5a b0 5b 94 c0 13 46 75 5f 69 23 2c 86 51 9d 86 cb ee ac 87 aa c3
            47 d1 43 f9 60 5d 64 f6 50 db 4d 02 3e 70 e9 52 ca 49 fe 51 37 12 1c 74
            bc 26 97 68 7e 24 87 46 d6 df 35 30 05 f3 bc e1 86 96 12 9c 81 53 55 6b
            3b 6c 67 79 b3 7b f1 59 85 68 4f""");
    /** {client} send application_data record (72 octets); the payload is the 50 bytes 00 01 .. 31. */
    private static final byte[] RFC8448_CLIENT_APPLICATION_DATA = hex("""
            17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea
            42 f9 14 aa 66 bc ab 3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b
            62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4""");
    /** {server} send application_data record (72 octets), the same payload, at sequence number 1. */
    private static final byte[] RFC8448_SERVER_APPLICATION_DATA = hex("""
            17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad 36 00 5f c4 a4 69 32 fc
            32 25 d0 5f 82 aa 1b 36 e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8
            fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 0d d0 32 e1 67 c2 95 5d""");
    /** {client} and {server} send alert record (24 octets each): close_notify. */
    private static final byte[] RFC8448_CLIENT_CLOSE_NOTIFY =
            hex("17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3");
    private static final byte[] RFC8448_SERVER_CLOSE_NOTIFY =
            hex("17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 cf be 7e fa 7a 88 64 a9");

    private static byte[] rfc8448Payload() {
        byte[] payload = new byte[50];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }

    private static Tls13RecordProtection rfc8448(byte[] trafficSecret) {
        return protection(RFC8448_SUITE, trafficSecret);
    }

    @Test
    void opensAndSealsTheRfc8448ServerHandshakeFlight() throws Exception {
        byte[] opened = open(rfc8448(RFC8448_S_HS_TRAFFIC), RFC8448_SERVER_FLIGHT);
        assertEquals(ContentType.HANDSHAKE, opened[0]);
        assertEquals(657, opened.length - 1, "674 bytes less the 16-byte tag and the inner type");
        assertEquals(8, opened[1], "the flight starts with EncryptedExtensions");
        assertArrayEquals(RFC8448_SERVER_FLIGHT,
                seal(rfc8448(RFC8448_S_HS_TRAFFIC), ContentType.HANDSHAKE, Arrays.copyOfRange(opened, 1, opened.length)));
    }

    @Test
    void opensAndSealsTheRfc8448ClientFinished() throws Exception {
        byte[] opened = open(rfc8448(RFC8448_C_HS_TRAFFIC), RFC8448_CLIENT_FINISHED);
        assertEquals(ContentType.HANDSHAKE, opened[0]);
        assertArrayEquals(new byte[] {20, 0, 0, 32}, Arrays.copyOfRange(opened, 1, 5), "Finished, 32 bytes");
        assertEquals(36, opened.length - 1);
        assertArrayEquals(RFC8448_CLIENT_FINISHED,
                seal(rfc8448(RFC8448_C_HS_TRAFFIC), ContentType.HANDSHAKE, Arrays.copyOfRange(opened, 1, opened.length)));
    }

    @Test
    void sealsAndOpensTheRfc8448ClientApplicationRecordsInSequence() throws Exception {
        Tls13RecordProtection writer = rfc8448(RFC8448_C_AP_TRAFFIC);
        Tls13RecordProtection reader = rfc8448(RFC8448_C_AP_TRAFFIC);
        assertArrayEquals(RFC8448_CLIENT_APPLICATION_DATA, seal(writer, ContentType.APPLICATION_DATA, rfc8448Payload()));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, rfc8448Payload()),
                open(reader, RFC8448_CLIENT_APPLICATION_DATA));
        byte[] closeNotify = {1, 0}; // warning(1), close_notify(0)
        assertArrayEquals(RFC8448_CLIENT_CLOSE_NOTIFY, seal(writer, ContentType.ALERT, closeNotify));
        assertArrayEquals(typed(ContentType.ALERT, closeNotify), open(reader, RFC8448_CLIENT_CLOSE_NOTIFY));
        writer.destroy();
        reader.destroy();
    }

    @Test
    void sealsAndOpensTheRfc8448ServerRecordsAtSequenceNumbersOneAndTwo() throws Exception {
        // The server's first record under its application keys is a NewSessionTicket (sequence 0); the application
        // data at sequence 1 and close_notify at 2 are where a wrong nonce construction shows (at 0 the nonce is the IV).
        Tls13RecordProtection writer = rfc8448(RFC8448_S_AP_TRAFFIC);
        Tls13RecordProtection reader = rfc8448(RFC8448_S_AP_TRAFFIC);
        byte[] ticket = open(reader, RFC8448_NEW_SESSION_TICKET);
        assertEquals(ContentType.HANDSHAKE, ticket[0]);
        assertEquals(4, ticket[1], "new_session_ticket");
        assertArrayEquals(RFC8448_NEW_SESSION_TICKET,
                seal(writer, ContentType.HANDSHAKE, Arrays.copyOfRange(ticket, 1, ticket.length)));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, rfc8448Payload()),
                open(reader, RFC8448_SERVER_APPLICATION_DATA));
        assertArrayEquals(RFC8448_SERVER_APPLICATION_DATA, seal(writer, ContentType.APPLICATION_DATA, rfc8448Payload()));
        assertArrayEquals(typed(ContentType.ALERT, new byte[] {1, 0}), open(reader, RFC8448_SERVER_CLOSE_NOTIFY));
        assertArrayEquals(RFC8448_SERVER_CLOSE_NOTIFY, seal(writer, ContentType.ALERT, new byte[] {1, 0}));
        writer.destroy();
        reader.destroy();
    }

    @Test
    void rfc8448RecordDoesNotOpenAtAnotherSequenceNumberOrUnderTheOtherDirectionsKeys() throws Exception {
        Tls13RecordProtection reader = rfc8448(RFC8448_S_AP_TRAFFIC);
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(reader, RFC8448_SERVER_APPLICATION_DATA),
                "a sequence-1 record opened at sequence 0");
        assertEquals(AlertDescription.BAD_RECORD_MAC,
                openFails(rfc8448(RFC8448_C_AP_TRAFFIC), RFC8448_SERVER_CLOSE_NOTIFY));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void tamperedCiphertextOrTagIsBadRecordMac(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 3);
        byte[] framed = seal(protection(suite, secret), ContentType.APPLICATION_DATA, pattern(64, 3));
        int[] positions = {RecordLimits.HEADER_LENGTH, RecordLimits.HEADER_LENGTH + 40, framed.length - 1};
        for (int pos : positions) {
            byte[] tampered = framed.clone();
            tampered[pos] ^= 0x01;
            assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), tampered),
                    "flipped byte at " + pos);
        }
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void outerContentTypeIsAuthenticated(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 4);
        byte[] framed = seal(protection(suite, secret), ContentType.APPLICATION_DATA, pattern(10, 4));
        framed[0] = ContentType.HANDSHAKE; // the AAD no longer matches
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), framed));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void wrongKeyIsBadRecordMac(CipherSuite suite) throws Exception {
        byte[] framed = seal(protection(suite, secret(suite, 5)), ContentType.APPLICATION_DATA, pattern(10, 5));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret(suite, 6)), framed));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void replayedRecordFailsBecauseTheSequenceNumberAdvanced(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 7);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        byte[] first = seal(writer, ContentType.APPLICATION_DATA, pattern(20, 7));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(20, 7)), open(reader, first));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(reader, first));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void reorderedRecordsFail(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 8);
        Tls13RecordProtection writer = protection(suite, secret);
        byte[] first = seal(writer, ContentType.APPLICATION_DATA, pattern(20, 1));
        byte[] second = seal(writer, ContentType.APPLICATION_DATA, pattern(20, 2));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), second));
        Tls13RecordProtection reader = protection(suite, secret);
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(20, 1)), open(reader, first));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(20, 2)), open(reader, second));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void allZeroInnerPlaintextIsUnexpectedMessage(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 9);
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE,
                openFails(protection(suite, secret), rawSeal(suite, secret, 0, new byte[40])));
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE,
                openFails(protection(suite, secret), rawSeal(suite, secret, 0, new byte[1])));
    }

    /**
     * RFC 8446 section 5.4: an authentic record whose inner plaintext is empty (the ciphertext is only the tag) has no
     * content type either: unexpected_message, not bad_record_mac.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void authenticEmptyInnerPlaintextIsUnexpectedMessage(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 16);
        byte[] onlyTag = rawSeal(suite, secret, 0, new byte[0]);
        assertEquals(RecordLimits.HEADER_LENGTH + suite.aead().tagLength(), onlyTag.length);
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE, openFails(protection(suite, secret), onlyTag));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void paddingIsStrippedAndTheLastNonZeroByteIsTheType(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 10);
        Tls13RecordProtection reader = protection(suite, secret);
        byte[] content = {5, 0, 7, 0, 0}; // trailing zeros of the content itself must survive
        byte[] inner = concat(content, new byte[] {ContentType.HANDSHAKE}, new byte[200]);
        assertArrayEquals(typed(ContentType.HANDSHAKE, content), open(reader, rawSeal(suite, secret, 0, inner)));
        // A padded record with no content at all (RFC 8446 section 5.4 allows it for application data).
        byte[] onlyPadding = concat(new byte[] {ContentType.APPLICATION_DATA}, new byte[100]);
        assertArrayEquals(new byte[] {ContentType.APPLICATION_DATA},
                open(reader, rawSeal(suite, secret, 1, onlyPadding)));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void innerContentLongerThan2To14IsRecordOverflow(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 11);
        byte[] inner = concat(pattern(RecordLimits.MAX_PLAINTEXT_LENGTH + 1, 1), new byte[] {ContentType.APPLICATION_DATA});
        assertEquals(AlertDescription.RECORD_OVERFLOW, openFails(protection(suite, secret), rawSeal(suite, secret, 0, inner)));
    }

    /**
     * RFC 8446 section 5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets", padding included.
     * Content, type and padding up to that length open; one zero more is record_overflow, however short the content.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void innerPlaintextLongerThan2To14Plus1IsRecordOverflowEvenWhenItIsPadding(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 11);
        int max = RecordLimits.MAX_PLAINTEXT_LENGTH;
        byte[] type = {ContentType.APPLICATION_DATA};
        byte[] full = concat(pattern(max, 1), type);
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(max, 1)),
                open(protection(suite, secret), rawSeal(suite, secret, 0, full)));
        byte[] paddedToTheLimit = concat(pattern(max - 50, 1), type, new byte[50]);
        assertEquals(max - 50 + 1, open(protection(suite, secret), rawSeal(suite, secret, 0, paddedToTheLimit)).length);
        byte[][] over = {
            concat(pattern(max, 1), type, new byte[200]),
            concat(pattern(max, 1), type, new byte[1]),
            concat(pattern(100, 1), type, new byte[max]),
            concat(type, new byte[RecordLimits.MAX_CIPHERTEXT_LENGTH - 1 - suite.aead().tagLength()]),
        };
        for (byte[] inner : over) {
            assertEquals(AlertDescription.RECORD_OVERFLOW,
                    openFails(protection(suite, secret), rawSeal(suite, secret, 0, inner)), inner.length + " bytes");
        }
    }

    /** RFC 8446 section 5.2: a ciphertext over 2^14 + 256 bytes is record_overflow, whether it authenticates or not. */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void ciphertextLongerThan2To14Plus256IsRecordOverflow(CipherSuite suite) {
        byte[] secret = secret(suite, 17);
        assertEquals(AlertDescription.RECORD_OVERFLOW, openFails(protection(suite, secret),
                TlsRecordDecoderTest.record(ContentType.APPLICATION_DATA, new byte[RecordLimits.MAX_CIPHERTEXT_LENGTH + 1])));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void recordShorterThanTagPlusTypeIsBadRecordMac(CipherSuite suite) {
        byte[] secret = secret(suite, 12);
        int tag = suite.aead().tagLength();
        for (int length : new int[] {0, tag - 1, tag, tag + 1}) {
            assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret),
                    TlsRecordDecoderTest.record(ContentType.APPLICATION_DATA, new byte[length])), length + " bytes");
        }
    }

    @Test
    void sealRefusesMoreThanOneRecordOfPlaintext() {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        Tls13RecordProtection writer = protection(suite, secret(suite, 13));
        ByteBuf in = Unpooled.wrappedBuffer(new byte[RecordLimits.MAX_PLAINTEXT_LENGTH + 1]);
        try {
            TlsAlertException e = assertThrows(TlsAlertException.class,
                    () -> writer.seal(ALLOC, ContentType.APPLICATION_DATA, in));
            assertEquals(AlertDescription.INTERNAL_ERROR, e.description());
            assertEquals(0, writer.sequenceNumber());
        } finally {
            assertTrue(in.release());
        }
    }

    /**
     * Heap records are decrypted straight from their array, direct ones through a copy: both give the plaintext, and
     * neither writes into the inbound buffer (another handler may still hold it), also when the record is a slice
     * in the middle of a larger buffer.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void opensHeapDirectAndSlicedRecordsWithoutTouchingTheInput(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 15);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        for (int kind = 0; kind < 3; kind++) {
            byte[] content = pattern(1000 + kind, 15 + kind);
            byte[] framed = seal(writer, ContentType.APPLICATION_DATA, content);
            byte[] body = Arrays.copyOfRange(framed, RecordLimits.HEADER_LENGTH, framed.length);
            ByteBuf whole;
            ByteBuf in;
            if (kind == 0) {
                whole = ALLOC.heapBuffer().writeBytes(body);
                in = whole.retainedSlice();
            } else if (kind == 1) {
                whole = ALLOC.directBuffer().writeBytes(body);
                in = whole.retainedSlice();
            } else {
                whole = ALLOC.heapBuffer().writeBytes(pattern(7, 1)).writeBytes(body).writeBytes(pattern(9, 2));
                in = whole.retainedSlice(7, body.length);
            }
            byte[] before = ByteBufUtil.getBytes(whole);
            TlsRecord opened = reader.open(ALLOC, new TlsRecord(ContentType.APPLICATION_DATA, in));
            try {
                assertEquals(ContentType.APPLICATION_DATA, opened.contentType());
                assertArrayEquals(content, ByteBufUtil.getBytes(opened.content()), "kind " + kind);
                assertArrayEquals(before, ByteBufUtil.getBytes(whole), "the inbound buffer was written to");
            } finally {
                opened.release();
                in.release();
                assertTrue(whole.release());
            }
        }
        writer.destroy();
        reader.destroy();
    }

    @Test
    void sealsDirectInputLikeHeapInput() throws Exception {
        CipherSuite suite = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
        byte[] secret = secret(suite, 14);
        byte[] content = pattern(300, 14);
        ByteBuf direct = ALLOC.directBuffer(300).writeBytes(content);
        ByteBuf out = protection(suite, secret).seal(ALLOC, ContentType.APPLICATION_DATA, direct);
        try {
            assertArrayEquals(seal(protection(suite, secret), ContentType.APPLICATION_DATA, content),
                    ByteBufUtil.getBytes(out));
        } finally {
            assertTrue(out.release());
            assertTrue(direct.release());
        }
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void needsKeyUpdateOnceTheRecordLimitIsReached(CipherSuite suite) throws Exception {
        Tls13RecordProtection writer = new Tls13RecordProtection(suite, new Hkdf(suite.hash()), secret(suite, 15), 2);
        assertFalse(writer.needsKeyUpdate());
        seal(writer, ContentType.APPLICATION_DATA, new byte[1]);
        assertFalse(writer.needsKeyUpdate());
        seal(writer, ContentType.APPLICATION_DATA, new byte[1]);
        assertTrue(writer.needsKeyUpdate());
        assertFalse(protection(suite, secret(suite, 15)).needsKeyUpdate(), "default limit reached at once");
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void updatedKeysInteroperateAndRestartTheSequence(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 16);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        open(reader, seal(writer, ContentType.APPLICATION_DATA, new byte[] {1}));
        writer.update();
        reader.update();
        Tls13RecordProtection writer1 = writer;
        Tls13RecordProtection reader1 = reader;
        assertEquals(0, writer1.sequenceNumber());
        byte[] framed = seal(writer1, ContentType.APPLICATION_DATA, pattern(9, 9));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), framed),
                "the next generation must use a different key");
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(9, 9)), open(reader1, framed));
        byte[] nextSecret = Tls13KeySchedule.nextApplicationTrafficSecret(new Hkdf(suite.hash()), secret);
        assertArrayEquals(rawSeal(suite, nextSecret, 1, concat(pattern(4, 4), new byte[] {ContentType.APPLICATION_DATA})),
                seal(writer1, ContentType.APPLICATION_DATA, pattern(4, 4)));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void rekeyInPlaceMatchesAFreshProtectionForTheNewSecret(CipherSuite suite) throws Exception {
        for (boolean keepCipher : new boolean[] {true, false}) {
            Tls13RecordProtection writer = protection(suite, secret(suite, 21));
            seal(writer, ContentType.HANDSHAKE, new byte[] {1, 2, 3});
            assertTrue(writer.holdsCipher());
            byte[] newSecret = secret(suite, 22);
            writer.rekey(new Hkdf(suite.hash()), newSecret, keepCipher);
            assertEquals(keepCipher, writer.holdsCipher(), "keepCipher " + keepCipher);
            assertEquals(0, writer.sequenceNumber());
            assertArrayEquals(seal(protection(suite, newSecret), ContentType.APPLICATION_DATA, pattern(7, 5)),
                    seal(writer, ContentType.APPLICATION_DATA, pattern(7, 5)));
            writer.destroy();
        }
    }

    /**
     * The cipher is made on the first record and can be dropped between records at any point: the records sealed
     * and opened around each release are exactly those of a protection that never released anything.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void releasingTheCipherBetweenRecordsChangesNothingOnTheWire(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 23);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        Tls13RecordProtection reference = protection(suite, secret);
        assertFalse(writer.holdsCipher(), "no cipher before the first record");
        assertFalse(writer.releaseCipher());
        for (int i = 0; i < 6; i++) {
            byte[] content = pattern(50 + i, i);
            byte[] framed = seal(writer, ContentType.APPLICATION_DATA, content);
            assertArrayEquals(seal(reference, ContentType.APPLICATION_DATA, content), framed);
            assertArrayEquals(typed(ContentType.APPLICATION_DATA, content), open(reader, framed));
            assertTrue(writer.holdsCipher());
            if (i % 2 == 0) {
                assertTrue(writer.releaseCipher());
                assertTrue(reader.releaseCipher());
                assertFalse(writer.holdsCipher());
            }
        }
        writer.update();
        reader.update();
        byte[] framed = seal(writer, ContentType.APPLICATION_DATA, pattern(5, 5));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(5, 5)), open(reader, framed));
        writer.destroy();
        assertFalse(writer.holdsCipher());
        assertThrows(IllegalStateException.class, () -> seal(writer, ContentType.APPLICATION_DATA, pattern(5, 5)));
        reader.destroy();
        reference.destroy();
    }
}
