package io.tlspsk.codec.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.SecretKeySpec;

/**
 * An {@link Aead} over one reused JCA {@link Cipher}, re-initialised with the record's nonce for every call.
 *
 * <p>Heap arrays go straight to {@code Cipher.doFinal(byte[], int, int, byte[], int)}, the fastest JDK path
 * (PERFORMANCE.md). The JDK refuses to encrypt twice under one key and nonce; TLS never repeats a nonce (RFC 8446
 * section 5.3), so that check is harmless when sealing. SunJCE and ACCP both accept {@code in == out} at the same
 * offset.
 */
abstract class JdkAead implements Aead {

    /**
     * The provider of each transformation, looked up once. Passing it to {@code Cipher.getInstance} skips the
     * provider search, and a Cipher created that way does not keep the search's state until its first use (about
     * 1 KB per idle cipher otherwise, measured with benchmarks' RetainedHeap).
     */
    private static final ConcurrentHashMap<String, Provider> DEFAULT_PROVIDERS = new ConcurrentHashMap<>();

    private final AeadAlgorithm algorithm;
    private final String keyAlgorithm;
    private final Cipher cipher;
    /**
     * SunJCE, given input and output in one array at different offsets, clones the whole array first (JDK 17 and
     * 25): pooled heap buffers are slices of one large chunk, so that was a 512 KiB copy per 16 KiB record (3x
     * slower, BulkBenchmark). It also decrypts in place at half the speed of array to array on JDK 25. So for it
     * decryption with input and output in one array goes through {@link Scratch}, and such encryption moves the
     * input to the output offset first. ACCP takes every case as it is (overlap aside).
     */
    private final boolean sameArrayCopies;
    private SecretKeySpec key;
    private byte[] lastNonce;

    /** Copies {@code key} (SecretKeySpec clones it); the caller zeroes its own array. */
    JdkAead(AeadAlgorithm algorithm, byte[] key, String transformation, String keyAlgorithm, Provider provider) {
        if (key.length != algorithm.keyLength()) {
            throw new IllegalArgumentException(algorithm + " needs a " + algorithm.keyLength() + "-byte key, got "
                    + key.length);
        }
        this.algorithm = algorithm;
        this.keyAlgorithm = keyAlgorithm;
        try {
            cipher = Cipher.getInstance(transformation, provider != null ? provider : defaultProvider(transformation));
        } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException(transformation + " is not available", e);
        }
        this.sameArrayCopies = "SunJCE".equals(cipher.getProvider().getName());
        this.key = new SecretKeySpec(key, keyAlgorithm);
    }

    private static Provider defaultProvider(String transformation) {
        return DEFAULT_PROVIDERS.computeIfAbsent(transformation, t -> {
            try {
                return Cipher.getInstance(t).getProvider();
            } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
                throw new IllegalStateException(t + " is not available", e);
            }
        });
    }

    @Override
    public final void rekey(byte[] newKey) {
        if (newKey.length != algorithm.keyLength()) {
            throw new IllegalArgumentException(algorithm + " needs a " + algorithm.keyLength() + "-byte key");
        }
        key = new SecretKeySpec(newKey, keyAlgorithm);
        lastNonce = null;
    }

    /** The cipher parameters for one record's nonce. */
    abstract AlgorithmParameterSpec parameters(byte[] nonce);

    /** Name of the JCA provider doing the work. */
    final String providerName() {
        return cipher.getProvider().getName();
    }

    @Override
    public final AeadAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public final int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        return runUnshifted(Cipher.ENCRYPT_MODE, nonce, aad, in, inOff, inLen, out, outOff);
    }

    @Override
    public final int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        if (inLen < algorithm.tagLength()) {
            throw new AEADBadTagException("ciphertext shorter than the tag");
        }
        if (sameArrayCopies && in == out) {
            // SunJCE decrypts from one array into another about twice as fast as in place on JDK 25 (and as fast on
            // 17): the ciphertext goes to this thread's scratch array first. That also covers one array at two
            // offsets, which SunJCE would answer by cloning the whole array.
            byte[] scratch = Scratch.forCiphertext(inLen);
            System.arraycopy(in, inOff, scratch, 0, inLen);
            try {
                return run(Cipher.DECRYPT_MODE, nonce, aad, scratch, 0, inLen, out, outOff);
            } catch (GeneralSecurityException e) {
                // Nothing of a forged record stays behind, neither the ciphertext copy in place of the plaintext.
                Arrays.fill(out, outOff, Math.min(out.length, outOff + inLen), (byte) 0);
                throw e;
            }
        }
        return runUnshifted(Cipher.DECRYPT_MODE, nonce, aad, in, inOff, inLen, out, outOff);
    }

    /**
     * Input and output in one array at different offsets: SunJCE would clone the whole array, and overlapping
     * regions are not every provider's case. So the input first moves to the output offset (when the output has
     * room for it; else to a copy) and is processed in place there.
     */
    private int runUnshifted(int mode, byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out,
            int outOff) throws GeneralSecurityException {
        boolean shifted = in == out && inOff != outOff
                && (sameArrayCopies || (outOff < inOff + inLen && inOff < outOff + inLen));
        if (!shifted) {
            return run(mode, nonce, aad, in, inOff, inLen, out, outOff);
        }
        if (out.length - outOff < inLen) {
            return run(mode, nonce, aad, Arrays.copyOfRange(in, inOff, inOff + inLen), 0, inLen, out, outOff);
        }
        System.arraycopy(in, inOff, out, outOff, inLen);
        try {
            return run(mode, nonce, aad, out, outOff, inLen, out, outOff);
        } catch (GeneralSecurityException e) {
            Arrays.fill(out, outOff, outOff + inLen, (byte) 0); // nothing of a forged record stays behind
            throw e;
        }
    }

    private int run(int mode, byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        if (key == null) {
            throw new IllegalStateException("AEAD destroyed");
        }
        if (mode == Cipher.DECRYPT_MODE && Arrays.equals(nonce, lastNonce)) {
            // SunJCE's ChaCha20-Poly1305 refuses to be initialised twice in a row with one key and nonce, even to
            // decrypt. Decrypting again under a nonce is legitimate (the trial decryption of rejected early data
            // retries one sequence number, RFC 8446 section 4.2.10), so step through another nonce first.
            byte[] other = nonce.clone();
            other[0] ^= 1;
            cipher.init(mode, key, parameters(other));
        }
        cipher.init(mode, key, parameters(nonce));
        if (lastNonce != null && lastNonce.length == nonce.length) {
            System.arraycopy(nonce, 0, lastNonce, 0, nonce.length); // no allocation per record
        } else {
            lastNonce = nonce.clone();
        }
        if (aad != null && aad.length > 0) {
            cipher.updateAAD(aad);
        }
        return cipher.doFinal(in, inOff, inLen, out, outOff);
    }

    /**
     * Drops the key. SecretKeySpec and the provider's expanded key schedule offer no way to be zeroed on JDK 17, so
     * this is the most that can be done from outside; the key bytes are garbage once unreachable.
     */
    @Override
    public final void destroy() {
        key = null;
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "(" + algorithm + ", " + providerName() + (key == null ? ", destroyed)" : ")");
    }
}
