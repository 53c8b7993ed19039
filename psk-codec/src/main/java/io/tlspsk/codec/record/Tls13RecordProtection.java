package io.tlspsk.codec.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.crypto.Aead;
import io.tlspsk.codec.crypto.AeadAlgorithm;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.codec.crypto.Scratch;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.crypto.TrafficKeys;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * TLS 1.3 record protection (RFC 8446 section 5.2-5.5) for one traffic secret in one direction.
 *
 * <p>Records are sealed and opened in heap arrays: the JDK's Cipher is fastest there (PERFORMANCE.md), so a
 * direct input is copied once into the heap output and processed in place.
 *
 * <p>The cipher object (with the provider's expanded key, about 1 KB on the JDK) exists only while records flow:
 * it is made on the first record under a key, and {@link #releaseCipher()} drops it again for an idle
 * connection; the key bytes themselves stay until {@link #destroy()}.
 */
public final class Tls13RecordProtection implements RecordProtection {

    /** RFC 8446 section 5.5: rekey AES-GCM well before 2^24.5 full-size records. */
    static final long AES_GCM_RECORD_LIMIT = 1L << 24;
    /**
     * AES-CCM: RFC 8446 gives no figure, and the analyses that exist (RFC 9001 section 6.6 for QUIC: 2^21.5
     * packets of at most 2^11 bytes) assume smaller units than a 2^14-byte record. Rekeying is cheap, so stay well
     * below: 2^20 records.
     */
    static final long AES_CCM_RECORD_LIMIT = 1L << 20;
    /** ChaCha20-Poly1305's limit is beyond the sequence space (section 5.5); rekey long before the counter could wrap. */
    static final long CHACHA_RECORD_LIMIT = 1L << 48;

    private final CipherSuite suite;
    private final byte[] trafficSecret;
    /** The AEAD key derived from {@link #trafficSecret}, kept to make {@link #aead} on demand. */
    private final byte[] key;
    /** {@code null} until the first record under the current key, and after {@link #releaseCipher()}. */
    private Active active;
    private final byte[] iv = new byte[12];
    private final long recordLimit;
    private long sequence;
    private boolean destroyed;

    /**
     * @param trafficSecret copied; the caller zeroes its own array
     * @param recordLimit records before a key update is due, or -1 for the AEAD's default
     */
    public Tls13RecordProtection(CipherSuite suite, Hkdf hkdf, byte[] trafficSecret, long recordLimit) {
        if (hkdf.hash() != suite.hash()) {
            throw new IllegalArgumentException("HKDF over " + hkdf.hash() + " for " + suite);
        }
        this.suite = suite;
        this.trafficSecret = trafficSecret.clone();
        this.key = new byte[suite.aead().keyLength()];
        deriveKeys(hkdf);
        this.recordLimit = recordLimit > 0 ? recordLimit : defaultLimit(suite.aead());
    }

    /**
     * Switches this direction to {@code newTrafficSecret} (copied) in place: same suite, new key and IV, sequence
     * number back to 0 (RFC 8446 section 5.3). Used when handshake keys give way to application keys, and for
     * KeyUpdate. The cipher object is kept and re-keyed when {@code keepCipher} is set (records are flowing: a
     * KeyUpdate); otherwise it is dropped and made again on the next record (the switch to application keys, after
     * which a gateway's connection is often idle).
     */
    public void rekey(Hkdf hkdf, byte[] newTrafficSecret, boolean keepCipher) {
        if (newTrafficSecret.length != trafficSecret.length || hkdf.hash() != suite.hash()) {
            throw new IllegalArgumentException("traffic secret or HKDF of the wrong hash for " + suite);
        }
        System.arraycopy(newTrafficSecret, 0, trafficSecret, 0, trafficSecret.length);
        deriveKeys(hkdf);
        if (active != null) {
            if (keepCipher) {
                active.aead.rekey(key);
            } else {
                releaseCipher();
            }
        }
        sequence = 0;
    }

    /** Key and IV of {@link #trafficSecret} into {@link #key} and {@link #iv} (RFC 8446 section 7.3). */
    private void deriveKeys(Hkdf hkdf) {
        TrafficKeys keys = Tls13KeySchedule.trafficKeys(hkdf, suite.aead(), trafficSecret);
        try {
            System.arraycopy(keys.key(), 0, key, 0, key.length);
            System.arraycopy(keys.iv(), 0, iv, 0, iv.length);
        } finally {
            keys.destroy();
        }
    }

    /** What sealing and opening need besides the key bytes; exists only while records flow. */
    private static final class Active {
        final Aead aead;
        final byte[] nonce = new byte[12];
        final byte[] aad = new byte[RecordLimits.HEADER_LENGTH];

        Active(Aead aead) {
            this.aead = aead;
        }
    }

    /** The cipher for the current key, made now if there is none. */
    private Active active() {
        Active a = active;
        if (a == null) {
            if (destroyed) {
                throw new IllegalStateException("record protection destroyed");
            }
            a = active = new Active(CryptoBackend.newAead(suite.aead(), key));
        }
        return a;
    }

    /**
     * Drops the cipher object and the provider's key schedule; the next record makes them again from the key
     * bytes. For idle connections: the cipher is most of what an established connection holds.
     *
     * @return whether there was a cipher to drop
     */
    public boolean releaseCipher() {
        Active a = active;
        if (a == null) {
            return false;
        }
        active = null;
        a.aead.destroy();
        Arrays.fill(a.nonce, (byte) 0);
        return true;
    }

    /** Whether a cipher object is held now (for tests and memory accounting). */
    public boolean holdsCipher() {
        return active != null;
    }

    private static long defaultLimit(AeadAlgorithm aead) {
        switch (aead) {
            case CHACHA20_POLY1305: return CHACHA_RECORD_LIMIT;
            case AES_128_CCM:
            case AES_128_CCM_8: return AES_CCM_RECORD_LIMIT;
            default: return AES_GCM_RECORD_LIMIT;
        }
    }

    /** Moves to the next generation of the traffic secret (RFC 8446 section 7.2, KeyUpdate), in place. */
    public void update() {
        // A KeyUpdate is rare (every 2^24 records at most, or when the peer asks): an HKDF is made for it rather
        // than held by every connection.
        Hkdf hkdf = new Hkdf(suite.hash());
        byte[] nextSecret = Tls13KeySchedule.nextApplicationTrafficSecret(hkdf, trafficSecret);
        try {
            rekey(hkdf, nextSecret, true);
        } finally {
            Arrays.fill(nextSecret, (byte) 0);
        }
    }

    /** The suite this protection serves. */
    public CipherSuite suite() {
        return suite;
    }

    @Override
    public ByteBuf seal(ByteBufAllocator alloc, int contentType, ByteBuf content) throws TlsAlertException {
        int length = content.readableBytes();
        if (length > RecordLimits.MAX_PLAINTEXT_LENGTH) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "plaintext larger than a record");
        }
        int cipherLength = length + 1 + suite.aead().tagLength();
        Active c = active();
        byte[] aad = c.aad;
        ByteBuf out = alloc.heapBuffer(RecordLimits.HEADER_LENGTH + cipherLength);
        boolean ok = false;
        try {
            byte[] a = out.array();
            int base = out.arrayOffset() + out.writerIndex();
            aad[0] = (byte) ContentType.APPLICATION_DATA;
            aad[1] = 3;
            aad[2] = 3;
            aad[3] = (byte) (cipherLength >>> 8);
            aad[4] = (byte) cipherLength;
            System.arraycopy(aad, 0, a, base, RecordLimits.HEADER_LENGTH);
            int body = base + RecordLimits.HEADER_LENGTH;
            content.readBytes(a, body, length);
            a[body + length] = (byte) contentType; // TLSInnerPlaintext.type, no padding
            computeNonce(c.nonce);
            c.aead.seal(c.nonce, aad, a, body, length + 1, a, body);
            sequence++;
            out.writerIndex(out.writerIndex() + RecordLimits.HEADER_LENGTH + cipherLength);
            ok = true;
            return out;
        } catch (GeneralSecurityException e) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "record encryption failed", e);
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    @Override
    public TlsRecord open(ByteBufAllocator alloc, TlsRecord record) throws TlsAlertException {
        ByteBuf in = record.content();
        int length = in.readableBytes();
        int tag = suite.aead().tagLength();
        if (length < tag) {
            throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "protected record shorter than its tag");
        }
        if (length - tag > RecordLimits.MAX_INNER_PLAINTEXT_LENGTH) {
            // RFC 8446 section 5.4: the full TLSInnerPlaintext, padding included, MUST NOT exceed 2^14 + 1 bytes. The
            // tag is the AEAD's whole expansion, so this is known before decrypting; it also covers section 5.2's
            // 2^14 + 256 for the ciphertext.
            throw new TlsLimitExceededException(AlertDescription.RECORD_OVERFLOW, "inner plaintext of "
                    + (length - tag) + " bytes exceeds 2^14 + 1", TlsLimitExceededException.Limit.RECORD_SIZE);
        }
        Active c = active();
        byte[] aad = c.aad;
        ByteBuf out = alloc.heapBuffer(length);
        boolean ok = false;
        try {
            byte[] a = out.array();
            int off = out.arrayOffset() + out.writerIndex();
            // A heap record is decrypted straight from its array (read only: the inbound buffer may be shared);
            // a direct one is copied into this thread's scratch array first (PERFORMANCE.md: heap arrays for the
            // JDK's Cipher, and array to array is faster than in place on JDK 25).
            byte[] src;
            int srcOff;
            if (in.hasArray()) {
                src = in.array();
                srcOff = in.arrayOffset() + in.readerIndex();
            } else {
                src = Scratch.forCiphertext(length);
                srcOff = 0;
                in.getBytes(in.readerIndex(), src, 0, length);
            }
            aad[0] = (byte) record.contentType();
            aad[1] = 3;
            aad[2] = 3;
            aad[3] = (byte) (length >>> 8);
            aad[4] = (byte) length;
            computeNonce(c.nonce);
            int n;
            try {
                n = c.aead.open(c.nonce, aad, src, srcOff, length, a, off);
            } catch (GeneralSecurityException e) {
                // RFC 8446 section 5.2: deprotection failure -> bad_record_mac.
                throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "record does not authenticate");
            }
            sequence++;
            // RFC 8446 section 5.4: the real content type is the last non-zero byte; an inner plaintext that is empty
            // or all zeros has none and is unexpected_message.
            int i = n - 1;
            while (i >= 0 && a[off + i] == 0) {
                i--;
            }
            if (i < 0) {
                throw TlsAlertException.unexpectedMessage("protected record without a content type");
            }
            int type = a[off + i] & 0xff;
            out.writerIndex(out.writerIndex() + i);
            ok = true;
            return new TlsRecord(type, out);
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    /** Per-record nonce: the IV XOR the 64-bit sequence number, left-padded (RFC 8446 section 5.3). */
    private void computeNonce(byte[] nonce) {
        System.arraycopy(iv, 0, nonce, 0, 12);
        long s = sequence;
        for (int i = 11; i >= 4; i--) {
            nonce[i] ^= (byte) s;
            s >>>= 8;
        }
    }

    @Override
    public boolean needsKeyUpdate() {
        return sequence >= recordLimit;
    }

    /** Records processed under this key so far. */
    public long sequenceNumber() {
        return sequence;
    }

    @Override
    public void destroy() {
        destroyed = true;
        releaseCipher();
        Arrays.fill(trafficSecret, (byte) 0);
        Arrays.fill(key, (byte) 0);
        Arrays.fill(iv, (byte) 0);
    }
}
