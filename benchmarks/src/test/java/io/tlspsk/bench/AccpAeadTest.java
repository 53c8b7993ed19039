package io.tlspsk.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.Aead;
import io.tlspsk.codec.crypto.AeadAlgorithm;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.codec.crypto.JdkAesGcm;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordProtection;
import io.tlspsk.codec.record.Tls13RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import io.tlspsk.codec.tls12.Tls12RecordProtection;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The AES-GCM that {@link CryptoBackend} picks when ACCP is on the class path (AWS-LC, native), checked against
 * independent answers rather than against itself: published known answers, tampering (a faster path that skipped
 * the tag check fails here), and records sealed under ACCP opened with the JDK's SunJCE {@link Cipher} by the RFC
 * constructions written out below, and the reverse. ACCP is a dependency of this module only, and this class runs in
 * its own JVM (the module forks one per test class) because CryptoBackend chooses once per JVM.
 */
@Timeout(60)
class AccpAeadTest {

    private static final Provider SUN_JCE = Security.getProvider("SunJCE");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @BeforeAll
    static void backendIsAccp() {
        System.setProperty(CryptoBackend.ACCP_PROPERTY, "true");
        // Fail rather than skip: on linux-x86_64 ACCP loads, and a quiet fallback would check SunJCE against itself.
        assertNull(AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError(), "ACCP's native library did not load");
        assertTrue(CryptoBackend.describe().startsWith("AES-GCM: AmazonCorrettoCryptoProvider,"),
                CryptoBackend.describe());
    }

    /** The AEAD our records use: what CryptoBackend makes, checked to be ACCP's. */
    private static Aead accp(AeadAlgorithm alg, byte[] key) {
        Aead aead = CryptoBackend.newAead(alg, key);
        assertTrue(aead.toString().contains("AmazonCorrettoCryptoProvider"), aead.toString());
        return aead;
    }

    private static Aead sunJce(AeadAlgorithm alg, byte[] key) {
        return new JdkAesGcm(alg, key, SUN_JCE);
    }

    // ---------------------------------------------------------------- known answers

    /**
     * McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 2 (AES-128, one zero block, no AAD),
     * 4 (AES-128, 60-byte plaintext, 20-byte AAD) and 16 (AES-256, the same), 96-bit IVs.
     */
    @Test
    void sealsAndOpensPublishedGcmVectors() throws Exception {
        byte[] p = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] a = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] iv = hex("cafebabefacedbaddecaf888");
        assertKnownAnswer(AeadAlgorithm.AES_128_GCM, new byte[16], new byte[12], null, new byte[16],
                hex("0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf"));
        assertKnownAnswer(AeadAlgorithm.AES_128_GCM, hex("feffe9928665731c6d6a8f9467308308"), iv, a, p,
                hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                        + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47"));
        assertKnownAnswer(AeadAlgorithm.AES_256_GCM,
                hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"), iv, a, p,
                hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b"));
    }

    /** Seals into another array and in place at an offset, opens both ways; each against {@code expected}. */
    private static void assertKnownAnswer(AeadAlgorithm alg, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext,
                                          byte[] expected) throws Exception {
        Aead aead = accp(alg, key);
        byte[] out = new byte[expected.length];
        assertEquals(expected.length, aead.seal(nonce, aad, plaintext, 0, plaintext.length, out, 0));
        assertArrayEquals(expected, out);
        byte[] opened = new byte[plaintext.length];
        assertEquals(plaintext.length, aead.open(nonce, aad, expected, 0, expected.length, opened, 0));
        assertArrayEquals(plaintext, opened);

        int off = 9;
        byte[] buf = new byte[off + expected.length];
        System.arraycopy(plaintext, 0, buf, off, plaintext.length);
        accp(alg, key).seal(nonce, aad, buf, off, plaintext.length, buf, off);
        assertArrayEquals(expected, Arrays.copyOfRange(buf, off, buf.length), "sealed in place");
        accp(alg, key).open(nonce, aad, buf, off, expected.length, buf, off);
        assertArrayEquals(plaintext, Arrays.copyOfRange(buf, off, off + plaintext.length), "opened in place");
    }

    // ---------------------------------------------------------------- tampering

    @ParameterizedTest
    @EnumSource(value = AeadAlgorithm.class, names = {"AES_128_GCM", "AES_256_GCM"})
    void tamperedTagCiphertextAadOrNonceIsRejectedAndNoPlaintextIsLeft(AeadAlgorithm alg) throws Exception {
        byte[] key = random(alg.keyLength());
        byte[] nonce = random(12);
        byte[] aad = random(13);
        byte[] plaintext = new byte[200];
        Arrays.fill(plaintext, (byte) 0x33);
        byte[] sealed = new byte[plaintext.length + 16];
        sunJce(alg, key).seal(nonce, aad, plaintext, 0, plaintext.length, sealed, 0);
        Aead aead = accp(alg, key);
        for (int pos : new int[] {0, 100, sealed.length - 16, sealed.length - 1}) {
            assertRejected(aead, nonce, aad, flip(sealed, pos), "byte " + pos + " flipped");
        }
        assertRejected(aead, nonce, flip(aad, 3), sealed, "AAD changed");
        assertRejected(aead, flip(nonce, 11), aad, sealed, "nonce changed");
        assertRejected(aead, nonce, aad, Arrays.copyOf(sealed, sealed.length - 1), "tag cut short");
        byte[] opened = new byte[plaintext.length]; // and the instance still opens the genuine record
        aead.open(nonce, aad, sealed, 0, sealed.length, opened, 0);
        assertArrayEquals(plaintext, opened);
    }

    /** Rejected both into another array and in place, and neither output holds decrypted bytes afterwards. */
    private static void assertRejected(Aead aead, byte[] nonce, byte[] aad, byte[] sealed, String what) {
        byte[] out = new byte[sealed.length];
        assertThrows(AEADBadTagException.class, () -> aead.open(nonce, aad, sealed, 0, sealed.length, out, 0), what);
        byte[] inPlace = sealed.clone();
        assertThrows(AEADBadTagException.class, () -> aead.open(nonce, aad, inPlace, 0, inPlace.length, inPlace, 0),
                what + ", in place");
        for (byte[] b : new byte[][] {out, inPlace}) {
            for (byte x : b) {
                assertTrue(x != 0x33, what + ": decrypted bytes of a forged record reached the output");
            }
        }
    }

    // ---------------------------------------------------------------- ACCP <-> SunJCE

    @ParameterizedTest
    @EnumSource(value = AeadAlgorithm.class, names = {"AES_128_GCM", "AES_256_GCM"})
    void sealedUnderAccpOpensUnderSunJceAndTheReverse(AeadAlgorithm alg) throws Exception {
        for (int len : new int[] {0, 1, 15, 16, 17, 255, 4096, 16383, 16384, 16385 + 256}) {
            byte[] key = random(alg.keyLength());
            byte[] nonce = random(12);
            byte[] aad = random(len % 2 == 0 ? 13 : 5);
            byte[] plaintext = random(len);
            byte[] byAccp = new byte[len + 16];
            accp(alg, key).seal(nonce, aad, plaintext, 0, len, byAccp, 0);
            byte[] bySunJce = new byte[len + 16];
            sunJce(alg, key).seal(nonce, aad, plaintext, 0, len, bySunJce, 0);
            assertArrayEquals(bySunJce, byAccp, "length " + len);

            byte[] opened = new byte[len];
            sunJce(alg, key).open(nonce, aad, byAccp, 0, byAccp.length, opened, 0);
            assertArrayEquals(plaintext, opened, "ACCP -> SunJCE, length " + len);
            byte[] inPlace = bySunJce.clone();
            accp(alg, key).open(nonce, aad, inPlace, 0, inPlace.length, inPlace, 0);
            assertArrayEquals(plaintext, Arrays.copyOf(inPlace, len), "SunJCE -> ACCP in place, length " + len);
        }
    }

    // ---------------------------------------------------------------- records

    // RFC 8448 section 3: the client's application traffic secret, the key and IV the RFC derives from it, and the
    // client's first application_data record (payload 00 01 .. 31) and its close_notify, as printed in the trace.
    private static final byte[] RFC8448_C_AP_TRAFFIC =
            hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
    private static final byte[] RFC8448_C_AP_KEY = hex("17422dda596ed5d9acd890e3c63f5051");
    private static final byte[] RFC8448_C_AP_IV = hex("5b78923dee08579033e523d9");
    private static final byte[] RFC8448_CLIENT_APPLICATION_DATA = hex(
            "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b"
            + "62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4");
    private static final byte[] RFC8448_CLIENT_CLOSE_NOTIFY =
            hex("1703030013c9872760655666b74d7ff1153efd6db6d0b0e3");

    @Test
    void tls13RecordsUnderAccpMatchRfc8448() throws Exception {
        byte[] payload = new byte[50];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        Tls13RecordProtection writer = tls13(RFC8448_C_AP_TRAFFIC);
        assertArrayEquals(RFC8448_CLIENT_APPLICATION_DATA, seal(writer, ContentType.APPLICATION_DATA, payload));
        assertArrayEquals(RFC8448_CLIENT_CLOSE_NOTIFY, seal(writer, ContentType.ALERT, new byte[] {1, 0}));
        Tls13RecordProtection reader = tls13(RFC8448_C_AP_TRAFFIC);
        for (boolean direct : new boolean[] {false, true}) {
            assertArrayEquals(payload, open(reader, RFC8448_CLIENT_APPLICATION_DATA, ContentType.APPLICATION_DATA, direct));
            reader = tls13(RFC8448_C_AP_TRAFFIC);
        }
    }

    @Test
    void tls13RecordsCrossBetweenAccpAndSunJce() throws Exception {
        Tls13RecordProtection writer = tls13(RFC8448_C_AP_TRAFFIC);
        Tls13RecordProtection reader = tls13(RFC8448_C_AP_TRAFFIC);
        int[] lengths = {1, 100, 16384, 0, 5000};
        for (int seq = 0; seq < lengths.length; seq++) {
            byte[] content = random(lengths[seq]);
            byte[] byAccp = seal(writer, ContentType.APPLICATION_DATA, content);
            assertArrayEquals(content, sunJceOpenTls13(byAccp, seq, ContentType.APPLICATION_DATA),
                    "ACCP -> SunJCE, record " + seq);
            byte[] bySunJce = sunJceSealTls13(content, ContentType.APPLICATION_DATA, seq);
            assertArrayEquals(content, open(reader, bySunJce, ContentType.APPLICATION_DATA, seq % 2 == 1),
                    "SunJCE -> ACCP, record " + seq);
        }
    }

    @Test
    void tamperedTls13RecordIsBadRecordMacUnderAccp() throws Exception {
        byte[] record = sunJceSealTls13(random(300), ContentType.APPLICATION_DATA, 0);
        for (int pos : new int[] {5, 100, record.length - 1}) {
            for (boolean direct : new boolean[] {false, true}) {
                TlsAlertException e = assertThrows(TlsAlertException.class,
                        () -> open(tls13(RFC8448_C_AP_TRAFFIC), flip(record, pos), ContentType.APPLICATION_DATA, direct));
                assertEquals(AlertDescription.BAD_RECORD_MAC, e.description(), "byte " + pos);
            }
        }
    }

    /** TLS 1.2 AES-GCM (RFC 5288 section 3): nonce = salt || explicit nonce, AAD = seq || type || version || length. */
    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_PSK_WITH_AES_256_GCM_SHA384"})
    void tls12GcmRecordsCrossBetweenAccpAndSunJce(CipherSuite suite) throws Exception {
        byte[] key = random(suite.encKeyLength());
        byte[] salt = random(4);
        RecordProtection writer = Tls12RecordProtection.create(suite, true, key, salt, null, false);
        RecordProtection reader = Tls12RecordProtection.create(suite, false, key, salt, null, false);
        for (int seq = 0; seq < 4; seq++) {
            byte[] content = random(seq * 5000 + 7);
            byte[] byAccp = seal(writer, ContentType.APPLICATION_DATA, content);
            assertArrayEquals(content, sunJceOpenTls12(key, salt, byAccp, seq), "ACCP -> SunJCE, record " + seq);
            byte[] bySunJce = sunJceSealTls12(key, salt, content, seq);
            assertArrayEquals(content, open(reader, bySunJce, ContentType.APPLICATION_DATA, seq % 2 == 1),
                    "SunJCE -> ACCP, record " + seq);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_PSK_WITH_AES_256_GCM_SHA384"})
    void tamperedTls12GcmRecordIsBadRecordMacUnderAccp(CipherSuite suite) throws Exception {
        byte[] key = random(suite.encKeyLength());
        byte[] salt = random(4);
        byte[] record = sunJceSealTls12(key, salt, random(300), 0);
        for (int pos : new int[] {5, 13, 100, record.length - 1}) { // explicit nonce, ciphertext, tag
            for (boolean direct : new boolean[] {false, true}) {
                RecordProtection reader = Tls12RecordProtection.create(suite, false, key, salt, null, false);
                TlsAlertException e = assertThrows(TlsAlertException.class,
                        () -> open(reader, flip(record, pos), ContentType.APPLICATION_DATA, direct));
                assertEquals(AlertDescription.BAD_RECORD_MAC, e.description(), "byte " + pos);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Tls13RecordProtection tls13(byte[] trafficSecret) {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        return new Tls13RecordProtection(suite, new Hkdf(suite.hash()), trafficSecret, -1);
    }

    private static byte[] seal(RecordProtection p, int type, byte[] content) throws TlsAlertException {
        ByteBuf in = ALLOC.heapBuffer(content.length).writeBytes(content);
        ByteBuf out = p.seal(ALLOC, type, in);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            in.release();
        }
    }

    /** Opens {@code framed} (header included), as a heap or a direct buffer; checks the content type. */
    private static byte[] open(RecordProtection p, byte[] framed, int expectedType, boolean direct)
            throws TlsAlertException {
        int length = framed.length - 5;
        ByteBuf body = (direct ? ALLOC.directBuffer(length) : ALLOC.heapBuffer(length)).writeBytes(framed, 5, length);
        TlsRecord record = new TlsRecord(framed[0] & 0xff, body);
        try {
            TlsRecord plain = p.open(ALLOC, record);
            try {
                assertEquals(expectedType, plain.contentType());
                return ByteBufUtil.getBytes(plain.content());
            } finally {
                plain.release();
            }
        } finally {
            record.release();
        }
    }

    /** RFC 8446 section 5.3: the per-record nonce is the IV XOR the sequence number, left-padded to 12 bytes. */
    private static byte[] tls13Nonce(long seq) {
        byte[] nonce = RFC8448_C_AP_IV.clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        return nonce;
    }

    /** RFC 8446 sections 5.2-5.3 with SunJCE: AAD = the record header; the inner plaintext is content || type. */
    private static byte[] sunJceSealTls13(byte[] content, int type, long seq) throws Exception {
        int length = content.length + 1 + 16;
        byte[] header = {ContentType.APPLICATION_DATA, 3, 3, (byte) (length >>> 8), (byte) length};
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", SUN_JCE);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(RFC8448_C_AP_KEY, "AES"), new GCMParameterSpec(128, tls13Nonce(seq)));
        c.updateAAD(header);
        byte[] inner = Arrays.copyOf(content, content.length + 1);
        inner[content.length] = (byte) type;
        byte[] out = Arrays.copyOf(header, 5 + length);
        c.doFinal(inner, 0, inner.length, out, 5);
        return out;
    }

    private static byte[] sunJceOpenTls13(byte[] framed, long seq, int expectedType) throws Exception {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", SUN_JCE);
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(RFC8448_C_AP_KEY, "AES"), new GCMParameterSpec(128, tls13Nonce(seq)));
        c.updateAAD(framed, 0, 5);
        byte[] inner = c.doFinal(framed, 5, framed.length - 5);
        assertEquals(expectedType, inner[inner.length - 1], "no padding, type last");
        return Arrays.copyOf(inner, inner.length - 1);
    }

    private static byte[] tls12Aad(long seq, int length) {
        byte[] aad = new byte[13];
        for (int i = 0; i < 8; i++) {
            aad[7 - i] = (byte) (seq >>> (8 * i));
        }
        aad[8] = ContentType.APPLICATION_DATA;
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = (byte) (length >>> 8);
        aad[12] = (byte) length;
        return aad;
    }

    private static byte[] sunJceSealTls12(byte[] key, byte[] salt, byte[] content, long seq)
            throws Exception {
        byte[] explicit = random(8); // the sender's choice (RFC 5288 section 3); the record carries it
        byte[] nonce = Arrays.copyOf(salt, 12);
        System.arraycopy(explicit, 0, nonce, 4, 8);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", SUN_JCE);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(tls12Aad(seq, content.length));
        int length = 8 + content.length + 16;
        byte[] out = new byte[5 + length];
        out[0] = ContentType.APPLICATION_DATA;
        out[1] = 3;
        out[2] = 3;
        out[3] = (byte) (length >>> 8);
        out[4] = (byte) length;
        System.arraycopy(explicit, 0, out, 5, 8);
        c.doFinal(content, 0, content.length, out, 13);
        return out;
    }

    private static byte[] sunJceOpenTls12(byte[] key, byte[] salt, byte[] framed, long seq)
            throws Exception {
        byte[] nonce = Arrays.copyOf(salt, 12);
        System.arraycopy(framed, 5, nonce, 4, 8);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", SUN_JCE);
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(tls12Aad(seq, framed.length - 5 - 8 - 16));
        return c.doFinal(framed, 13, framed.length - 13);
    }

    private static byte[] random(int length) {
        byte[] b = new byte[length];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] flip(byte[] b, int index) {
        byte[] copy = b.clone();
        copy[index] ^= 1;
        return copy;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
