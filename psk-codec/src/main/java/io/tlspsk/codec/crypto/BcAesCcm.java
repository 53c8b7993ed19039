package io.tlspsk.codec.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.ShortBufferException;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-128-CCM (16-byte tag) and AES-128-CCM_8 (8-byte tag) of RFC 8446 / RFC 6655 with a 12-byte nonce, over
 * BouncyCastle's low-level {@link CCMBlockCipher}: the JDK has no CCM (PERFORMANCE.md).
 *
 * <p>{@code processPacket} MACs the whole plaintext before CTR-encrypting it block by block, and on decryption writes
 * the plaintext before checking it, so in-place use at the same offset is safe; a failed decryption zeroes the output
 * so that unauthenticated plaintext never reaches the caller.
 */
public final class BcAesCcm implements Aead {

    private final AeadAlgorithm algorithm;
    // The concrete class, not CCMBlockCipher.newInstance()'s CCMModeCipher: only it has processPacket, which works in
    // one pass on the caller's arrays instead of buffering the record (and leaving a copy of it) inside the cipher.
    @SuppressWarnings("deprecation")
    private final CCMBlockCipher ccm = new CCMBlockCipher(AESEngine.newInstance());
    private KeyParameter key;

    /** The key (16 bytes) is copied. */
    public BcAesCcm(AeadAlgorithm algorithm, byte[] key) {
        if (algorithm != AeadAlgorithm.AES_128_CCM && algorithm != AeadAlgorithm.AES_128_CCM_8) {
            throw new IllegalArgumentException("not an AES-CCM algorithm: " + algorithm);
        }
        if (key.length != algorithm.keyLength()) {
            throw new IllegalArgumentException(algorithm + " needs a " + algorithm.keyLength() + "-byte key, got "
                    + key.length);
        }
        this.algorithm = algorithm;
        this.key = new KeyParameter(key); // copies
    }

    @Override
    public AeadAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        init(true, nonce, aad);
        if (overlapsShifted(in, inOff, inLen, out, outOff)) {
            in = Arrays.copyOfRange(in, inOff, inOff + inLen);
            inOff = 0;
        }
        try {
            return ccm.processPacket(in, inOff, inLen, out, outOff);
        } catch (InvalidCipherTextException e) {
            throw new GeneralSecurityException("CCM encryption failed", e); // not reachable when encrypting
        } catch (DataLengthException e) {
            throw shortBuffer(e);
        }
    }

    @Override
    public int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws GeneralSecurityException {
        int plainLen = inLen - algorithm.tagLength();
        if (plainLen < 0) {
            throw new AEADBadTagException("ciphertext shorter than the tag");
        }
        init(false, nonce, aad);
        if (overlapsShifted(in, inOff, inLen, out, outOff)) {
            in = Arrays.copyOfRange(in, inOff, inOff + inLen);
            inOff = 0;
        }
        try {
            return ccm.processPacket(in, inOff, inLen, out, outOff);
        } catch (InvalidCipherTextException e) {
            Arrays.fill(out, outOff, outOff + plainLen, (byte) 0);
            AEADBadTagException bad = new AEADBadTagException("CCM tag mismatch");
            bad.initCause(e);
            throw bad;
        } catch (DataLengthException e) {
            throw shortBuffer(e);
        }
    }

    /** Zeroes the key copy. (The AES engine's round keys cannot be cleared from outside.) */
    @Override
    public void rekey(byte[] newKey) {
        if (newKey.length != algorithm.keyLength()) {
            throw new IllegalArgumentException(algorithm + " needs a " + algorithm.keyLength() + "-byte key");
        }
        destroy();
        key = new KeyParameter(newKey); // copies
    }

    @Override
    public void destroy() {
        if (key != null) {
            Arrays.fill(key.getKey(), (byte) 0); // getKey() returns KeyParameter's own array
            key = null;
        }
    }

    @Override
    public String toString() {
        return "BcAesCcm(" + algorithm + (key == null ? ", destroyed)" : ")");
    }

    private void init(boolean encrypt, byte[] nonce, byte[] aad) {
        if (key == null) {
            throw new IllegalStateException("AEAD destroyed");
        }
        ccm.init(encrypt, new AEADParameters(key, algorithm.tagLength() * 8, nonce, aad));
    }

    /**
     * BouncyCastle's CCM handles exact in-place use but not an output that overlaps the input at another offset
     * (it writes output while still reading input): such input is copied first.
     */
    private static boolean overlapsShifted(byte[] in, int inOff, int inLen, byte[] out, int outOff) {
        return in == out && inOff != outOff && outOff < inOff + inLen && inOff < outOff + inLen;
    }

    private static ShortBufferException shortBuffer(DataLengthException e) {
        ShortBufferException s = new ShortBufferException("output buffer too small");
        s.initCause(e);
        return s;
    }
}
