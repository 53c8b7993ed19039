package io.tlspsk.codec.tls12;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.AeadAlgorithm;
import java.util.Arrays;

/**
 * A TLS 1.2 key block split into its parts (RFC 5246 section 6.3), in this order: client_write_MAC_key,
 * server_write_MAC_key, client_write_key, server_write_key, client_write_IV, server_write_IV.
 *
 * <p>MAC keys are 32 bytes for the CBC suites and absent for AEAD suites. The "IV" is the implicit part of the nonce:
 * 4 bytes of salt for AES-GCM (RFC 5288 section 3) and AES-CCM (RFC 6655 section 3), the whole 12-byte IV for
 * ChaCha20-Poly1305 (RFC 7905 section 2), nothing for CBC (a random IV travels with each record in TLS 1.2).
 *
 * <p>Holds secrets: {@link #destroy()} zeroes them; the accessors return the internal arrays, not copies.
 */
public final class Tls12KeyBlock {

    private final CipherSuite suite;
    private final byte[] clientMacKey;
    private final byte[] serverMacKey;
    private final byte[] clientKey;
    private final byte[] serverKey;
    private final byte[] clientIv;
    private final byte[] serverIv;

    private Tls12KeyBlock(CipherSuite suite, byte[] block) {
        this.suite = suite;
        int mac = suite.macLength();
        int key = suite.encKeyLength();
        int iv = fixedIvLength(suite);
        int p = 0;
        clientMacKey = Arrays.copyOfRange(block, p, p += mac);
        serverMacKey = Arrays.copyOfRange(block, p, p += mac);
        clientKey = Arrays.copyOfRange(block, p, p += key);
        serverKey = Arrays.copyOfRange(block, p, p += key);
        clientIv = Arrays.copyOfRange(block, p, p += iv);
        serverIv = Arrays.copyOfRange(block, p, p + iv);
    }

    /**
     * Splits {@code keyBlock} (at least {@link #length(CipherSuite)} bytes; further bytes are ignored) into copies.
     * The caller zeroes its own key block.
     */
    public static Tls12KeyBlock split(CipherSuite suite, byte[] keyBlock) {
        if (suite.isTls13()) {
            throw new IllegalArgumentException(suite + " is not a TLS 1.2 suite");
        }
        if (keyBlock.length < length(suite)) {
            throw new IllegalArgumentException(suite + " needs a key block of " + length(suite) + " bytes");
        }
        return new Tls12KeyBlock(suite, keyBlock);
    }

    /** Key block length for {@code suite}, the same as {@link Tls12RecordProtection#keyBlockLength}. */
    public static int length(CipherSuite suite) {
        return Tls12RecordProtection.keyBlockLength(suite);
    }

    /** The implicit IV length: 4 for AES-GCM and AES-CCM, 12 for ChaCha20-Poly1305, 0 for CBC. */
    public static int fixedIvLength(CipherSuite suite) {
        if (suite.isCbc()) {
            return 0;
        }
        return suite.aead() == AeadAlgorithm.CHACHA20_POLY1305 ? 12 : 4;
    }

    /**
     * The protection for what this side writes: the client's keys when {@code client}, else the server's.
     *
     * @param encryptThenMac whether RFC 7366 was negotiated (only used by CBC suites)
     */
    public Tls12RecordProtection forWriting(boolean client, boolean encryptThenMac) {
        return client
                ? Tls12RecordProtection.create(suite, true, clientKey, clientIv, macKeyOrNull(clientMacKey),
                        encryptThenMac)
                : Tls12RecordProtection.create(suite, true, serverKey, serverIv, macKeyOrNull(serverMacKey),
                        encryptThenMac);
    }

    /** The protection for what this side reads: the peer's keys, i.e. the server's when {@code client}. */
    public Tls12RecordProtection forReading(boolean client, boolean encryptThenMac) {
        return client
                ? Tls12RecordProtection.create(suite, false, serverKey, serverIv, macKeyOrNull(serverMacKey),
                        encryptThenMac)
                : Tls12RecordProtection.create(suite, false, clientKey, clientIv, macKeyOrNull(clientMacKey),
                        encryptThenMac);
    }

    private static byte[] macKeyOrNull(byte[] key) {
        return key.length == 0 ? null : key;
    }

    public CipherSuite suite() {
        return suite;
    }

    /** client_write_MAC_key (empty for AEAD suites). */
    public byte[] clientMacKey() {
        return clientMacKey;
    }

    /** server_write_MAC_key (empty for AEAD suites). */
    public byte[] serverMacKey() {
        return serverMacKey;
    }

    public byte[] clientKey() {
        return clientKey;
    }

    public byte[] serverKey() {
        return serverKey;
    }

    /** client_write_IV: the implicit nonce part (empty for CBC suites). */
    public byte[] clientIv() {
        return clientIv;
    }

    /** server_write_IV: the implicit nonce part (empty for CBC suites). */
    public byte[] serverIv() {
        return serverIv;
    }

    /** Zeroes every key and IV. */
    public void destroy() {
        Arrays.fill(clientMacKey, (byte) 0);
        Arrays.fill(serverMacKey, (byte) 0);
        Arrays.fill(clientKey, (byte) 0);
        Arrays.fill(serverKey, (byte) 0);
        Arrays.fill(clientIv, (byte) 0);
        Arrays.fill(serverIv, (byte) 0);
    }

    @Override
    public String toString() {
        return "Tls12KeyBlock(" + suite + ")";
    }
}
