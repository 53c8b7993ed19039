package io.tlspsk.codec.crypto;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF (RFC 5869) and the TLS 1.3 wrappers HKDF-Expand-Label and Derive-Secret (RFC 8446 section 7.1).
 *
 * <p>Keeps one {@link Mac} and re-keys it for every call: PERFORMANCE.md measures the JDK's HMAC (SHA-NI intrinsics)
 * at 2.3-3.9x BouncyCastle and 1.6x ACCP, and reusing the instance avoids a provider lookup per call. SunJCE is asked
 * for by name so that an installed ACCP, which would otherwise win the default lookup, is not picked for HMAC.
 *
 * <p>Not thread-safe: one instance belongs to one handshake. Every returned array is fresh and owned by the caller.
 */
public final class Hkdf {

    private static final byte[] LABEL_PREFIX = "tls13 ".getBytes(StandardCharsets.US_ASCII);
    private static final Map<HashAlgorithm, byte[]> EMPTY_HASHES = new EnumMap<>(HashAlgorithm.class);

    static {
        for (HashAlgorithm h : HashAlgorithm.values()) {
            try {
                EMPTY_HASHES.put(h, MessageDigest.getInstance(h.digestName()).digest());
            } catch (NoSuchAlgorithmException e) {
                throw new ExceptionInInitializerError(e); // SHA-256 and SHA-384 are mandatory in every JDK
            }
        }
    }

    private final HashAlgorithm hash;
    private final Mac mac;

    /** Creates an HKDF over {@code hash}. */
    public Hkdf(HashAlgorithm hash) {
        this.hash = hash;
        mac = hash.newHmac();
    }

    /** The hash this HKDF is built on. */
    public HashAlgorithm hash() {
        return hash;
    }

    /** Name of the JCA provider doing the HMACs (for {@link CryptoBackend#describe()}). */
    String providerName() {
        return mac.getProvider().getName();
    }

    /**
     * HKDF-Extract(salt, IKM) (RFC 5869 section 2.2).
     *
     * @param salt {@code null} or empty means Hash.length zero bytes, as RFC 5869 and RFC 8446 section 7.1 ("0") say
     * @param ikm {@code null} means Hash.length zero bytes (the absent PSK, or the absent (EC)DHE input of psk_ke)
     * @return the pseudorandom key, Hash.length bytes
     */
    public byte[] extract(byte[] salt, byte[] ikm) {
        byte[] key = salt == null || salt.length == 0 ? new byte[hash.length()] : salt;
        byte[] input = ikm == null ? new byte[hash.length()] : ikm;
        return hmac(key, input);
    }

    /**
     * HKDF-Expand(PRK, info, L) (RFC 5869 section 2.3).
     *
     * @param info {@code null} means empty
     * @param length L, at most 255 * Hash.length
     */
    public byte[] expand(byte[] prk, byte[] info, int length) {
        int hashLen = hash.length();
        if (length < 0 || length > 255 * hashLen) {
            throw new IllegalArgumentException("HKDF-Expand length out of range: " + length);
        }
        init(prk);
        byte[] okm = new byte[length];
        byte[] t = new byte[hashLen];
        try {
            // T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty; OKM is the first L bytes of T(1) | T(2) | ...
            for (int i = 1, off = 0; off < length; i++) {
                if (i > 1) {
                    mac.update(t);
                }
                if (info != null) {
                    mac.update(info);
                }
                mac.update((byte) i);
                mac.doFinal(t, 0);
                int n = Math.min(hashLen, length - off);
                System.arraycopy(t, 0, okm, off, n);
                off += n;
            }
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // t is exactly one MAC long
        } finally {
            Arrays.fill(t, (byte) 0);
        }
        return okm;
    }

    /**
     * HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 section 7.1): HKDF-Expand over the serialized
     * {@code HkdfLabel { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }}.
     *
     * @param label the label without the {@code "tls13 "} prefix, ASCII
     * @param context {@code null} means empty
     */
    public byte[] expandLabel(byte[] secret, String label, byte[] context, int length) {
        byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        int labelLen = LABEL_PREFIX.length + labelBytes.length;
        int contextLen = context == null ? 0 : context.length;
        if (labelLen > 255 || contextLen > 255 || length > 0xFFFF) {
            throw new IllegalArgumentException("HkdfLabel field too long");
        }
        byte[] info = new byte[2 + 1 + labelLen + 1 + contextLen];
        int p = 0;
        info[p++] = (byte) (length >>> 8);
        info[p++] = (byte) length;
        info[p++] = (byte) labelLen;
        System.arraycopy(LABEL_PREFIX, 0, info, p, LABEL_PREFIX.length);
        p += LABEL_PREFIX.length;
        System.arraycopy(labelBytes, 0, info, p, labelBytes.length);
        p += labelBytes.length;
        info[p++] = (byte) contextLen;
        if (contextLen > 0) {
            System.arraycopy(context, 0, info, p, contextLen);
        }
        return expand(secret, info, length);
    }

    /**
     * Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages),
     * Hash.length) (RFC 8446 section 7.1); the caller passes the transcript hash, not the messages.
     */
    public byte[] deriveSecret(byte[] secret, String label, byte[] transcriptHash) {
        return expandLabel(secret, label, transcriptHash, hash.length());
    }

    /** HMAC(key, data). */
    public byte[] hmac(byte[] key, byte[] data) {
        return hmac(key, data, 0, data.length);
    }

    /** HMAC(key, data[off, off+len)). */
    public byte[] hmac(byte[] key, byte[] data, int off, int len) {
        init(key);
        mac.update(data, off, len);
        return mac.doFinal();
    }

    /** Hash("") for this hash (the transcript hash of no messages, RFC 8446 section 7.1); a fresh copy. */
    public byte[] emptyHash() {
        return EMPTY_HASHES.get(hash).clone();
    }

    private void init(byte[] key) {
        try {
            mac.init(new SecretKeySpec(key, hash.macName()));
        } catch (InvalidKeyException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid HMAC key (length " + key.length + ")", e);
        }
    }
}
