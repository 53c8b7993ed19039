package io.tlspsk.codec.tls12;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.crypto.Aead;
import io.tlspsk.codec.crypto.AeadAlgorithm;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.record.RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TLS 1.2 record protection (RFC 5246 section 6.2.3) for one direction with one set of keys. Three constructions:
 *
 * <ul>
 *   <li><b>AES-GCM and AES-CCM / CCM_8</b> (RFC 5288 section 3, RFC 6655 section 3): nonce = 4-byte salt from the key
 *       block || 8-byte nonce_explicit, and nonce_explicit, sent in front of the ciphertext, is the 64-bit sequence
 *       number (RFC 5288 section 3 allows it and it can never repeat under one key).</li>
 *   <li><b>ChaCha20-Poly1305</b> (RFC 7905 section 2): nonce = 12-byte IV from the key block XOR the left-padded
 *       sequence number, as in TLS 1.3; nothing explicit on the wire.</li>
 *   <li><b>AES-128-CBC with HMAC-SHA256</b> (RFC 5246 section 6.2.3.2): a fresh random 16-byte IV in front of every
 *       record. MAC-then-encrypt by default; encrypt-then-MAC (RFC 7366 section 3) when negotiated.</li>
 * </ul>
 *
 * <p>The AEAD additional_data, and the MAC header of the CBC suites, is {@code seq_num(8) || type(1) || version(2) ||
 * length(2)} (RFC 5246 sections 6.2.3.1 and 6.2.3.3) with version 0x0303. For AEADs and MAC-then-encrypt the length
 * is the plaintext's; for encrypt-then-MAC it is the length of IV + ciphertext (RFC 7366 section 3).
 *
 * <p><b>Padding oracle (Lucky Thirteen) countermeasures, MAC-then-encrypt only.</b> A record whose padding is bad is
 * processed exactly like one whose MAC is bad: the MAC is computed as if there were no padding (the RFC 5246 section
 * 6.2.3.2 implementation note), both failures end in the same bad_record_mac, and nothing returns early on a secret
 * value. The padding bytes are checked over a fixed window (the last min(256, n) bytes) with masks; the received MAC
 * is copied out of a fixed window of the plaintext with masks; the HMAC ({@link RecordMac}, ours so that its
 * compressions are known) is followed by as many dummy SHA-256 compressions as a shorter content saved, so that the
 * number of compression-function calls is that of a MAC over the longest content the record can hold, for every
 * padding, valid or not (the countermeasure AlFardan and Paterson's Lucky Thirteen paper recommends); and the
 * MACs are compared with {@link MessageDigest#isEqual}. <i>Residual risk:</i> this is Java: the JIT may turn masked
 * code into branches, the padding-dependent length given to the hash still selects how much memory is read and
 * copied into its block buffer, and garbage collection adds noise that an attacker can average away only slowly. The
 * timing difference left is far below the original attack's but not provably zero.
 * Prefer the AEAD suites, or negotiate encrypt_then_mac, where the MAC is checked before any decryption and no
 * padding oracle exists.
 *
 * <p>Records are processed in heap arrays (PERFORMANCE.md: the JDK's Cipher is fastest there). Not thread-safe; one
 * instance per direction per connection. TLS 1.2 has no key update, so {@link #needsKeyUpdate()} is always false;
 * sequence numbers must not wrap (RFC 5246 section 6.1), so an instance refuses to go past 2^64 - 1 records.
 */
public final class Tls12RecordProtection implements RecordProtection {

    /** nonce_explicit of the GCM and CCM suites (RFC 5288 section 3, RFC 6655 section 3). */
    static final int EXPLICIT_NONCE_LENGTH = 8;
    /** AES block size, and the length of the CBC record IV. */
    static final int BLOCK_LENGTH = 16;
    /** seq_num(8) type(1) version(2) length(2). */
    private static final int AAD_LENGTH = 13;

    private enum Mode { AEAD_EXPLICIT_NONCE, AEAD_XOR_NONCE, CBC }

    private final CipherSuite suite;
    private final Mode mode;
    private final boolean sealSide;
    private final boolean encryptThenMac;
    private final byte[] aad = new byte[AAD_LENGTH];
    private long sequence;
    private boolean destroyed;

    // AEAD suites
    private final Aead aead;
    private final byte[] fixedIv;
    private final byte[] nonce;

    // CBC suites
    private final Cipher cbc;
    private final RecordMac mac;
    private SecretKeySpec cbcKey;
    private final byte[] macOut;
    private final byte[] receivedMac;
    private final byte[] recordIv;

    private Tls12RecordProtection(CipherSuite suite, boolean sealSide, byte[] key, byte[] iv, byte[] macKey,
                                  boolean encryptThenMac, MacHash macHash) {
        this.suite = suite;
        this.sealSide = sealSide;
        if (suite.isCbc()) {
            this.mode = Mode.CBC;
            this.encryptThenMac = encryptThenMac;
            this.aead = null;
            this.fixedIv = null;
            this.nonce = null;
            try {
                this.cbc = Cipher.getInstance("AES/CBC/NoPadding");
            } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
                throw new IllegalStateException("AES-CBC is not available", e);
            }
            this.cbcKey = new SecretKeySpec(key, "AES"); // copies
            this.mac = new RecordMac(macHash, macKey); // copies
            this.macOut = new byte[suite.macLength()];
            this.receivedMac = new byte[suite.macLength()];
            this.recordIv = new byte[BLOCK_LENGTH];
        } else {
            this.mode = suite.aead() == AeadAlgorithm.CHACHA20_POLY1305
                    ? Mode.AEAD_XOR_NONCE
                    : Mode.AEAD_EXPLICIT_NONCE;
            this.encryptThenMac = false; // RFC 7366 section 3: encrypt_then_mac does not apply to AEAD suites
            this.aead = CryptoBackend.newAead(suite.aead(), key); // copies
            this.fixedIv = iv.clone();
            this.nonce = new byte[suite.aead().ivLength()];
            this.cbc = null;
            this.mac = null;
            this.macOut = null;
            this.receivedMac = null;
            this.recordIv = null;
        }
    }

    /**
     * Record protection for one direction.
     *
     * @param suite a TLS 1.2 suite
     * @param encrypt true for the seal (write) side, false for the open (read) side; the other operation is refused
     * @param key the write key of the sending side, {@link CipherSuite#encKeyLength()} bytes; copied
     * @param fixedIvOrIv the key block's write IV: 4 bytes (GCM, CCM salt), 12 bytes (ChaCha20-Poly1305), and
     *        {@code null} or empty for CBC (RFC 5246 section 6.3: the CBC IVs are per record); copied
     * @param macKey the MAC key (32 bytes) for CBC suites, else {@code null}; copied
     * @param encryptThenMac RFC 7366, only meaningful for CBC suites; ignored for AEAD suites
     */
    public static Tls12RecordProtection create(CipherSuite suite, boolean encrypt, byte[] key, byte[] fixedIvOrIv,
                                               byte[] macKey, boolean encryptThenMac) {
        return create(suite, encrypt, key, fixedIvOrIv, macKey, encryptThenMac,
                suite.isCbc() ? MacHash.of(suite.hash()) : null);
    }

    /** As the public {@code create}, with the hash under the CBC suites' MAC given (tests count its compressions). */
    static Tls12RecordProtection create(CipherSuite suite, boolean encrypt, byte[] key, byte[] fixedIvOrIv,
                                        byte[] macKey, boolean encryptThenMac, MacHash macHash) {
        if (suite.isTls13()) {
            throw new IllegalArgumentException(suite + " is not a TLS 1.2 suite");
        }
        if (key == null || key.length != suite.encKeyLength()) {
            throw new IllegalArgumentException(suite + " needs a " + suite.encKeyLength() + "-byte key");
        }
        int ivLength = fixedIvOrIv == null ? 0 : fixedIvOrIv.length;
        if (ivLength != Tls12KeyBlock.fixedIvLength(suite)) {
            throw new IllegalArgumentException(suite + " needs a " + Tls12KeyBlock.fixedIvLength(suite)
                    + "-byte fixed IV, got " + ivLength);
        }
        if (suite.isCbc() ? macKey == null || macKey.length != suite.macLength() : macKey != null) {
            throw new IllegalArgumentException(suite.isCbc() ? suite + " needs a " + suite.macLength()
                    + "-byte MAC key" : suite + " takes no MAC key");
        }
        return new Tls12RecordProtection(suite, encrypt, key, fixedIvOrIv, macKey, encryptThenMac, macHash);
    }

    /**
     * Length of the key block for {@code suite}: 2 MAC keys, 2 encryption keys and 2 fixed IVs (RFC 5246 section
     * 6.3). 40 for AES-128-GCM/CCM, 72 for AES-256-GCM, 88 for ChaCha20-Poly1305, 96 for AES-128-CBC-SHA256.
     */
    public static int keyBlockLength(CipherSuite suite) {
        return 2 * (suite.macLength() + suite.encKeyLength() + Tls12KeyBlock.fixedIvLength(suite));
    }

    public CipherSuite suite() {
        return suite;
    }

    /** True when this instance uses encrypt-then-MAC (CBC suites with RFC 7366 negotiated). */
    public boolean encryptThenMac() {
        return encryptThenMac;
    }

    /** Records processed so far: the sequence number of the next record (RFC 5246 section 6.1). */
    public long sequenceNumber() {
        return sequence;
    }

    /** Largest fragment {@link #seal} produces for {@code plaintextLength} bytes, header excluded. */
    public int sealedLength(int plaintextLength) {
        switch (mode) {
            case AEAD_EXPLICIT_NONCE:
                return EXPLICIT_NONCE_LENGTH + plaintextLength + suite.aead().tagLength();
            case AEAD_XOR_NONCE:
                return plaintextLength + suite.aead().tagLength();
            default:
                return encryptThenMac
                        ? BLOCK_LENGTH + paddedLength(plaintextLength) + suite.macLength()
                        : BLOCK_LENGTH + paddedLength(plaintextLength + suite.macLength());
        }
    }

    @Override
    public ByteBuf seal(ByteBufAllocator alloc, int contentType, ByteBuf content) throws TlsAlertException {
        check(true);
        int length = content.readableBytes();
        if (length > RecordLimits.MAX_PLAINTEXT_LENGTH) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "plaintext larger than a record");
        }
        int fragment = sealedLength(length);
        ByteBuf out = alloc.heapBuffer(RecordLimits.HEADER_LENGTH + fragment);
        boolean ok = false;
        try {
            byte[] a = out.array();
            int base = out.arrayOffset() + out.writerIndex();
            a[base] = (byte) contentType;
            a[base + 1] = 3;
            a[base + 2] = 3;
            a[base + 3] = (byte) (fragment >>> 8);
            a[base + 4] = (byte) fragment;
            int body = base + RecordLimits.HEADER_LENGTH;
            switch (mode) {
                case AEAD_EXPLICIT_NONCE:
                    sealExplicitNonce(a, body, contentType, content, length);
                    break;
                case AEAD_XOR_NONCE:
                    content.readBytes(a, body, length);
                    setAad(contentType, length);
                    xorNonce();
                    aead.seal(nonce, aad, a, body, length, a, body);
                    break;
                default:
                    if (encryptThenMac) {
                        sealEncryptThenMac(a, body, contentType, content, length);
                    } else {
                        sealMacThenEncrypt(a, body, contentType, content, length);
                    }
                    break;
            }
            sequence++;
            out.writerIndex(out.writerIndex() + RecordLimits.HEADER_LENGTH + fragment);
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

    /** GCM/CCM: nonce_explicit = seq_num, then ciphertext || tag (RFC 5288 section 3). */
    private void sealExplicitNonce(byte[] a, int body, int contentType, ByteBuf content, int length)
            throws GeneralSecurityException {
        System.arraycopy(fixedIv, 0, nonce, 0, fixedIv.length);
        putLong(nonce, fixedIv.length, sequence);
        System.arraycopy(nonce, fixedIv.length, a, body, EXPLICIT_NONCE_LENGTH);
        int p = body + EXPLICIT_NONCE_LENGTH;
        content.readBytes(a, p, length);
        setAad(contentType, length);
        aead.seal(nonce, aad, a, p, length, a, p);
    }

    /** RFC 5246 section 6.2.3.2: IV || E(content || MAC(seq || header || content) || padding). */
    private void sealMacThenEncrypt(byte[] a, int body, int contentType, ByteBuf content, int length)
            throws GeneralSecurityException {
        int p = body + BLOCK_LENGTH;
        content.readBytes(a, p, length);
        setAad(contentType, length);
        mac.update(aad);
        mac.update(a, p, length);
        mac.finish(a, p + length);
        int padded = paddedLength(length + suite.macLength());
        pad(a, p + length + suite.macLength(), p + padded);
        encrypt(a, body, p, padded);
    }

    /** RFC 7366 section 3: IV || E(content || padding) || MAC(seq || header || IV || E(...)). */
    private void sealEncryptThenMac(byte[] a, int body, int contentType, ByteBuf content, int length)
            throws GeneralSecurityException {
        int p = body + BLOCK_LENGTH;
        content.readBytes(a, p, length);
        int padded = paddedLength(length);
        pad(a, p + length, p + padded);
        encrypt(a, body, p, padded);
        setAad(contentType, BLOCK_LENGTH + padded);
        mac.update(aad);
        mac.update(a, body, BLOCK_LENGTH + padded);
        mac.finish(a, p + padded);
    }

    /** Writes a fresh random IV at {@code ivAt} and encrypts {@code a[p, p+len)} in place. */
    private void encrypt(byte[] a, int ivAt, int p, int len) throws GeneralSecurityException {
        // RFC 5246 section 6.2.3.2: the IV SHOULD be chosen at random and MUST be unpredictable.
        CryptoBackend.secureRandom().nextBytes(recordIv);
        System.arraycopy(recordIv, 0, a, ivAt, BLOCK_LENGTH);
        cbc.init(Cipher.ENCRYPT_MODE, cbcKey, new IvParameterSpec(recordIv));
        cbc.doFinal(a, p, len, a, p);
    }

    @Override
    public TlsRecord open(ByteBufAllocator alloc, TlsRecord record) throws TlsAlertException {
        check(false);
        ByteBuf in = record.content();
        int length = in.readableBytes();
        if (length > RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH) {
            // RFC 5246 section 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
            throw new TlsLimitExceededException(AlertDescription.RECORD_OVERFLOW, "record exceeds 2^14 + 2048 bytes",
                    TlsLimitExceededException.Limit.RECORD_SIZE);
        }
        int type = record.contentType();
        switch (mode) {
            case AEAD_EXPLICIT_NONCE:
                return openAead(alloc, in, type, EXPLICIT_NONCE_LENGTH);
            case AEAD_XOR_NONCE:
                return openAead(alloc, in, type, 0);
            default:
                return encryptThenMac ? openEncryptThenMac(alloc, in, type) : openMacThenEncrypt(alloc, in, type);
        }
    }

    private TlsRecord openAead(ByteBufAllocator alloc, ByteBuf in, int type, int explicit) throws TlsAlertException {
        int length = in.readableBytes();
        int tag = suite.aead().tagLength();
        if (length < explicit + tag) {
            throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "protected record too short");
        }
        int cipherLength = length - explicit;
        if (explicit > 0) {
            System.arraycopy(fixedIv, 0, nonce, 0, fixedIv.length);
            in.getBytes(in.readerIndex(), nonce, fixedIv.length, explicit);
        } else {
            xorNonce();
        }
        setAad(type, cipherLength - tag);
        ByteBuf out = alloc.heapBuffer(cipherLength);
        boolean ok = false;
        try {
            byte[] a = out.array();
            int off = out.arrayOffset() + out.writerIndex();
            in.getBytes(in.readerIndex() + explicit, a, off, cipherLength);
            int n;
            try {
                n = aead.open(nonce, aad, a, off, cipherLength, a, off);
            } catch (GeneralSecurityException e) {
                // RFC 5246 section 6.2.3.3: if the decryption fails, a fatal bad_record_mac alert MUST be generated.
                throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "record does not authenticate");
            }
            checkPlaintextLength(n);
            sequence++;
            out.writerIndex(out.writerIndex() + n);
            ok = true;
            return new TlsRecord(type, out);
        } finally {
            if (!ok) {
                discard(out);
            }
        }
    }

    /** RFC 7366 section 3: check the MAC over IV || ciphertext first, decrypt only what authenticated. */
    private TlsRecord openEncryptThenMac(ByteBufAllocator alloc, ByteBuf in, int type) throws TlsAlertException {
        int length = in.readableBytes();
        int macLength = suite.macLength();
        int cipherLength = length - BLOCK_LENGTH - macLength;
        if (cipherLength < BLOCK_LENGTH || cipherLength % BLOCK_LENGTH != 0) {
            throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "CBC record has an impossible length");
        }
        int start = in.readerIndex();
        in.getBytes(start, recordIv);
        in.getBytes(start + BLOCK_LENGTH + cipherLength, receivedMac);
        ByteBuf out = alloc.heapBuffer(cipherLength);
        boolean ok = false;
        try {
            byte[] a = out.array();
            int off = out.arrayOffset() + out.writerIndex();
            in.getBytes(start + BLOCK_LENGTH, a, off, cipherLength);
            setAad(type, BLOCK_LENGTH + cipherLength);
            mac.update(aad);
            mac.update(recordIv);
            mac.update(a, off, cipherLength);
            finishMac();
            if (!MessageDigest.isEqual(macOut, receivedMac)) {
                throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "record does not authenticate");
            }
            decrypt(a, off, cipherLength);
            // Authenticated already, so checking the padding in the open is safe (RFC 7366 section 3).
            int padLength = a[off + cipherLength - 1] & 0xff;
            if (padLength + 1 > cipherLength) {
                throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "CBC padding is longer than the record");
            }
            for (int i = cipherLength - 1 - padLength; i < cipherLength - 1; i++) {
                if ((a[off + i] & 0xff) != padLength) {
                    // RFC 5246 section 6.2.3.2: bad padding is reported as bad_record_mac.
                    throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "bad CBC padding");
                }
            }
            int n = cipherLength - padLength - 1;
            checkPlaintextLength(n);
            sequence++;
            out.writerIndex(out.writerIndex() + n);
            ok = true;
            return new TlsRecord(type, out);
        } finally {
            if (!ok) {
                discard(out);
            }
        }
    }

    /** RFC 5246 section 6.2.3.2, with the Lucky Thirteen countermeasures described in the class comment. */
    private TlsRecord openMacThenEncrypt(ByteBufAllocator alloc, ByteBuf in, int type) throws TlsAlertException {
        int length = in.readableBytes();
        int macLength = suite.macLength();
        int n = length - BLOCK_LENGTH;
        // Public checks on the record length only: at least one padded block holding the MAC and padding_length.
        if (n < paddedLength(macLength) || n % BLOCK_LENGTH != 0) {
            throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "CBC record has an impossible length");
        }
        int start = in.readerIndex();
        in.getBytes(start, recordIv);
        ByteBuf out = alloc.heapBuffer(n);
        boolean ok = false;
        try {
            byte[] a = out.array();
            int off = out.arrayOffset() + out.writerIndex();
            in.getBytes(start + BLOCK_LENGTH, a, off, n);
            decrypt(a, off, n);

            // From here until the verdict, no branch and no early exit depends on the decrypted bytes.
            int padLength = a[off + n - 1] & 0xff;
            int good = lessOrEqualMask(padLength + 1 + macLength, n);
            int window = Math.min(256, n);
            for (int i = 1; i < window; i++) {
                int b = a[off + n - 1 - i] & 0xff;
                good &= ~(lessOrEqualMask(i, padLength) & nonZeroMask(b ^ padLength));
            }
            // A bad padding is treated as an empty one, so the MAC is computed over the longest possible content
            // (the RFC 5246 section 6.2.3.2 implementation note).
            padLength &= good;
            int contentLength = n - padLength - 1 - macLength;
            int maxContentLength = n - 1 - macLength;

            setAad(type, contentLength);
            mac.update(aad);
            mac.update(a, off, contentLength);
            finishMac();
            // Make up the compressions a shorter content saved, so that every record of this length costs those of
            // a MAC over its longest possible content, whatever its padding, valid or not.
            mac.compressFiller(mac.compressions(AAD_LENGTH + maxContentLength)
                    - mac.compressions(AAD_LENGTH + contentLength));

            // Copy the received MAC out of the last macLength + 256 bytes, touching every byte of that window, so the
            // padding length only selects an index inside one 32-byte array (macLength is a power of two).
            Arrays.fill(receivedMac, (byte) 0);
            for (int i = Math.max(0, maxContentLength - 255); i < n - 1; i++) {
                int k = i - contentLength;
                receivedMac[k & (macLength - 1)] |= (byte) (a[off + i] & inRangeMask(k, macLength));
            }
            boolean macOk = MessageDigest.isEqual(macOut, receivedMac);
            if (!macOk | good == 0) {
                // RFC 5246 section 6.2.3.2: padding and MAC failures alike are bad_record_mac.
                throw new TlsAlertException(AlertDescription.BAD_RECORD_MAC, "record does not authenticate");
            }
            checkPlaintextLength(contentLength);
            sequence++;
            out.writerIndex(out.writerIndex() + contentLength);
            ok = true;
            return new TlsRecord(type, out);
        } finally {
            if (!ok) {
                discard(out);
            }
        }
    }

    /**
     * Releases a failed output buffer after zeroing it: it may hold the decryption of a record that did not
     * authenticate, which for CBC is the peer's real plaintext under a forged IV or tail, and pooled memory is reused.
     */
    private static void discard(ByteBuf out) {
        out.setZero(0, out.capacity());
        out.release();
    }

    private void finishMac() {
        mac.finish(macOut, 0);
    }

    private void decrypt(byte[] a, int off, int len) throws TlsAlertException {
        try {
            cbc.init(Cipher.DECRYPT_MODE, cbcKey, new IvParameterSpec(recordIv));
            cbc.doFinal(a, off, len, a, off);
        } catch (GeneralSecurityException e) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "record decryption failed", e);
        }
    }

    /** RFC 5246 section 6.2.3: a plaintext over 2^14 bytes after decryption is record_overflow. */
    private static void checkPlaintextLength(int n) throws TlsAlertException {
        if (n > RecordLimits.MAX_PLAINTEXT_LENGTH) {
            throw new TlsLimitExceededException(AlertDescription.RECORD_OVERFLOW, "plaintext exceeds 2^14 bytes",
                    TlsLimitExceededException.Limit.RECORD_SIZE);
        }
    }

    private void check(boolean sealing) throws TlsAlertException {
        if (destroyed) {
            throw new IllegalStateException("record protection destroyed");
        }
        if (sealing != sealSide) {
            throw new IllegalStateException("this instance is for " + (sealSide ? "sealing" : "opening"));
        }
        if (sequence == -1L) {
            // RFC 5246 section 6.1: sequence numbers MUST NOT wrap; 2^64 - 1 records is the end of this key.
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "sequence number space exhausted");
        }
    }

    /** seq_num(8) || type || 0x0303 || length (RFC 5246 section 6.2.3.3, RFC 7366 section 3). */
    private void setAad(int type, int length) {
        putLong(aad, 0, sequence);
        aad[8] = (byte) type;
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = (byte) (length >>> 8);
        aad[12] = (byte) length;
    }

    /** RFC 7905 section 2: the 12-byte IV XOR the sequence number, left-padded with zeros. */
    private void xorNonce() {
        System.arraycopy(fixedIv, 0, nonce, 0, nonce.length);
        long s = sequence;
        for (int i = nonce.length - 1; i >= nonce.length - 8; i--) {
            nonce[i] ^= (byte) s;
            s >>>= 8;
        }
    }

    /** Fills {@code a[from, to)} with the TLS padding: every byte, padding_length included, is padding_length. */
    private static void pad(byte[] a, int from, int to) {
        Arrays.fill(a, from, to, (byte) (to - from - 1));
    }

    /** {@code length} plus at least one padding byte, rounded up to the block size (minimal padding). */
    private static int paddedLength(int length) {
        return (length / BLOCK_LENGTH + 1) * BLOCK_LENGTH;
    }

    /** -1 when {@code a <= b}, else 0; for 0 <= a, b < 2^30. */
    private static int lessOrEqualMask(int a, int b) {
        return ~((b - a) >> 31);
    }

    /** -1 when {@code x != 0}, else 0; for 0 <= x < 2^30. */
    private static int nonZeroMask(int x) {
        return (x | -x) >> 31;
    }

    /** -1 when {@code 0 <= k < limit}, else 0; for |k|, limit < 2^30. */
    private static int inRangeMask(int k, int limit) {
        return ~(k >> 31) & ((k - limit) >> 31);
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    @Override
    public boolean needsKeyUpdate() {
        return false;
    }

    /**
     * Zeroes the IVs and scratch buffers, destroys the AEAD, and re-keys the CBC cipher and HMAC with zero keys so that
     * their expanded key material is overwritten (SecretKeySpec itself cannot be zeroed on JDK 17).
     */
    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        Arrays.fill(aad, (byte) 0);
        if (aead != null) {
            aead.destroy();
            Arrays.fill(fixedIv, (byte) 0);
            Arrays.fill(nonce, (byte) 0);
        }
        if (cbc != null) {
            try {
                cbc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[suite.encKeyLength()], "AES"),
                        new IvParameterSpec(new byte[BLOCK_LENGTH]));
            } catch (GeneralSecurityException e) {
                // a zero key of the right length is always accepted; nothing more can be done
            }
            mac.destroy();
            cbcKey = null;
            Arrays.fill(macOut, (byte) 0);
            Arrays.fill(receivedMac, (byte) 0);
            Arrays.fill(recordIv, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "Tls12RecordProtection(" + suite + (sealSide ? ", seal" : ", open")
                + (encryptThenMac ? ", encrypt_then_mac" : "") + (destroyed ? ", destroyed)" : ")");
    }
}
