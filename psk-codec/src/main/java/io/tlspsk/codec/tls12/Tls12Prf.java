package io.tlspsk.codec.tls12;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TLS 1.2 PRF (RFC 5246 section 5) and the secrets derived with it: master secret (section 8.1), extended master
 * secret (RFC 7627 section 4), key block (section 6.3) and Finished verify_data (section 7.4.9).
 *
 * <p>{@code PRF(secret, label, seed) = P_hash(secret, label + seed)}, where
 * {@code P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...},
 * {@code A(0) = seed}, {@code A(i) = HMAC(secret, A(i-1))}, truncated to the wanted length. The hash is the cipher
 * suite's PRF hash ({@link io.tlspsk.codec.CipherSuite#hash()}).
 *
 * <p>Keeps one {@link Mac}, keyed once per PRF call: PERFORMANCE.md measures the JDK's HMAC at 2.3-3.9x BouncyCastle
 * and reusing the instance saves a provider lookup per call. SunJCE is asked for by name, as in
 * {@link io.tlspsk.codec.crypto.Hkdf}, so that an installed ACCP does not win the HMAC lookup.
 *
 * <p>Not thread-safe: one instance belongs to one handshake. Every returned array is fresh and owned by the caller,
 * who zeroes it after use; intermediate values are zeroed here.
 */
public final class Tls12Prf {

    /** RFC 5246 section 8.1: the master secret is always 48 bytes. */
    public static final int MASTER_SECRET_LENGTH = 48;
    /** RFC 5246 section 7.4.9: verify_data_length is 12 for every cipher suite defined so far. */
    public static final int VERIFY_DATA_LENGTH = 12;

    private static final byte[] MASTER_SECRET = ascii("master secret");
    private static final byte[] EXTENDED_MASTER_SECRET = ascii("extended master secret");
    private static final byte[] KEY_EXPANSION = ascii("key expansion");
    private static final byte[] CLIENT_FINISHED = ascii("client finished");
    private static final byte[] SERVER_FINISHED = ascii("server finished");

    private final HashAlgorithm hash;
    private final Mac mac;

    /** A PRF over {@code hash}: SHA-256, or SHA-384 for the SHA384 suites. */
    public Tls12Prf(HashAlgorithm hash) {
        this.hash = hash;
        mac = hash.newHmac();
    }

    /** The PRF hash. */
    public HashAlgorithm hash() {
        return hash;
    }

    /**
     * PRF(secret, label, seed) truncated to {@code length} bytes (RFC 5246 section 5).
     *
     * @param label ASCII, without a trailing zero byte
     */
    public byte[] prf(byte[] secret, String label, byte[] seed, int length) {
        return prf(secret, ascii(label), seed, null, length);
    }

    /**
     * master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]
     * (RFC 5246 section 8.1). Only for a peer that did not negotiate extended_master_secret; the caller zeroes the
     * premaster secret afterwards, as section 8.1 asks.
     */
    public byte[] masterSecret(byte[] premaster, byte[] clientRandom, byte[] serverRandom) {
        checkRandom(clientRandom);
        checkRandom(serverRandom);
        return prf(premaster, MASTER_SECRET, clientRandom, serverRandom, MASTER_SECRET_LENGTH);
    }

    /**
     * master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47] (RFC 7627 section 4),
     * where session_hash is the PRF-hash of the handshake messages up to and including ClientKeyExchange
     * (section 3).
     */
    public byte[] extendedMasterSecret(byte[] premaster, byte[] sessionHash) {
        return prf(premaster, EXTENDED_MASTER_SECRET, sessionHash, null, MASTER_SECRET_LENGTH);
    }

    /**
     * key_block = PRF(master_secret, "key expansion", server_random + client_random) (RFC 5246 section 6.3; note the
     * server random comes first here, unlike in the master secret). Split it with {@link Tls12KeyBlock}.
     */
    public byte[] keyBlock(byte[] master, byte[] serverRandom, byte[] clientRandom, int length) {
        checkRandom(clientRandom);
        checkRandom(serverRandom);
        return prf(master, KEY_EXPANSION, serverRandom, clientRandom, length);
    }

    /**
     * verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11] (RFC 5246 section 7.4.9),
     * finished_label "client finished" or "server finished". Compare a received value with
     * {@link Tls12Messages#checkFinished}, never with {@code Arrays.equals}.
     *
     * @param handshakeHash the PRF-hash of all handshake messages before this Finished
     */
    public byte[] verifyData(byte[] master, boolean client, byte[] handshakeHash) {
        return prf(master, client ? CLIENT_FINISHED : SERVER_FINISHED, handshakeHash, null, VERIFY_DATA_LENGTH);
    }

    /** P_hash(secret, label + seed1 + seed2), {@code seed2} may be {@code null}. */
    private byte[] prf(byte[] secret, byte[] label, byte[] seed1, byte[] seed2, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative PRF length");
        }
        init(secret);
        int hashLen = hash.length();
        byte[] out = new byte[length];
        byte[] a = new byte[hashLen];
        byte[] block = new byte[hashLen];
        try {
            // A(1) = HMAC(secret, A(0)) with A(0) = label + seed
            update(label, seed1, seed2);
            mac.doFinal(a, 0);
            for (int off = 0; off < length; ) {
                // HMAC(secret, A(i) + label + seed) is the next block of output
                mac.update(a);
                update(label, seed1, seed2);
                mac.doFinal(block, 0);
                int n = Math.min(hashLen, length - off);
                System.arraycopy(block, 0, out, off, n);
                off += n;
                if (off < length) {
                    // A(i+1) = HMAC(secret, A(i))
                    mac.update(a);
                    mac.doFinal(a, 0);
                }
            }
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // a and block are exactly one MAC long
        } finally {
            Arrays.fill(a, (byte) 0);
            Arrays.fill(block, (byte) 0);
        }
        return out;
    }

    private void update(byte[] label, byte[] seed1, byte[] seed2) {
        mac.update(label);
        mac.update(seed1);
        if (seed2 != null) {
            mac.update(seed2);
        }
    }

    private void init(byte[] secret) {
        try {
            // An empty secret is legal for the PRF but not for SecretKeySpec; HMAC pads any key to the block size
            // with zeros (RFC 2104 section 2), so one zero byte is the same HMAC key as none at all.
            mac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, hash.macName()));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("invalid PRF secret (length " + secret.length + ")", e);
        }
    }

    private static void checkRandom(byte[] random) {
        if (random.length != 32) {
            throw new IllegalArgumentException("a hello random is 32 bytes, got " + random.length);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "Tls12Prf(" + hash + ")";
    }
}
