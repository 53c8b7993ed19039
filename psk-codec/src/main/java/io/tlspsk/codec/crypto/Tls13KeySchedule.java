package io.tlspsk.codec.crypto;

import java.util.Arrays;

/**
 * The TLS 1.3 key schedule of RFC 8446 section 7.1 for an external PSK:
 *
 * <pre>
 *   PSK -> HKDF-Extract(0) = Early Secret            -> binder key ("ext binder")
 *   Derive-Secret(., "derived", "") -> HKDF-Extract((EC)DHE or 0) = Handshake Secret -> c/s hs traffic
 *   Derive-Secret(., "derived", "") -> HKDF-Extract(0) = Master Secret     -> c/s ap traffic, exp master
 * </pre>
 *
 * <p>Each stage's secret is zeroed as soon as the next one is derived, so the methods must be called in that order;
 * calling one whose secret is gone throws {@link IllegalStateException}. Not thread-safe.
 */
public final class Tls13KeySchedule {

    private final Hkdf hkdf;
    private final byte[] emptyHash;
    private byte[] earlySecret;
    private byte[] handshakeSecret;
    private byte[] masterSecret;

    /**
     * Computes Early Secret = HKDF-Extract(salt = 0, IKM = psk). The {@code psk} array is neither kept nor modified.
     *
     * @param psk the external PSK; {@code null} means no PSK (Hash.length zeros, as in a full handshake)
     */
    public Tls13KeySchedule(HashAlgorithm hash, byte[] psk) {
        hkdf = new Hkdf(hash);
        emptyHash = hkdf.emptyHash();
        earlySecret = hkdf.extract(null, psk);
    }

    /** The hash of this schedule (the PSK's and the cipher suite's). */
    public HashAlgorithm hash() {
        return hkdf.hash();
    }

    /** This schedule's own {@link Hkdf}, for traffic keys and key updates on the same thread. */
    public Hkdf hkdf() {
        return hkdf;
    }

    /**
     * binder_key = Derive-Secret(Early Secret, "ext binder", "") (RFC 8446 section 7.1): the label for an external
     * PSK; "res binder" is for resumption PSKs, which this stack does not issue.
     */
    public byte[] binderKey() {
        return binderKey("ext binder");
    }

    /** The binder key under another label; package-private so tests can check RFC 8448's "res binder" vector. */
    byte[] binderKey(String label) {
        return hkdf.deriveSecret(require(earlySecret, "early"), label, emptyHash);
    }

    /** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 section 4.4.4). */
    public byte[] finishedKey(byte[] baseKey) {
        return hkdf.expandLabel(baseKey, "finished", null, hkdf.hash().length());
    }

    /**
     * HMAC(finished_key(baseKey), transcriptHash): a Finished message's verify_data (RFC 8446 section 4.4.4) with a
     * handshake traffic secret as base key, or a PSK binder (section 4.2.11.2) with the binder key as base key and the
     * hash of the truncated ClientHello. The finished key is zeroed before returning.
     */
    public byte[] verifyData(byte[] baseKey, byte[] transcriptHash) {
        byte[] finishedKey = finishedKey(baseKey);
        try {
            return hkdf.hmac(finishedKey, transcriptHash);
        } finally {
            Arrays.fill(finishedKey, (byte) 0);
        }
    }

    /**
     * Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE), then zeroes the Early
     * Secret (no binder key can be derived afterwards).
     *
     * @param sharedSecretOrNull the (EC)DHE shared secret for psk_dhe_ke; {@code null} for psk_ke, where RFC 8446
     *        section 7.1 uses Hash.length zeros. The array is neither kept nor modified.
     */
    public void deriveHandshakeSecret(byte[] sharedSecretOrNull) {
        handshakeSecret = extractNext(require(earlySecret, "early"), sharedSecretOrNull);
        earlySecret = wipe(earlySecret);
    }

    /** client_handshake_traffic_secret = Derive-Secret(Handshake Secret, "c hs traffic", ClientHello..ServerHello). */
    public byte[] clientHandshakeTrafficSecret(byte[] transcriptHash) {
        return hkdf.deriveSecret(require(handshakeSecret, "handshake"), "c hs traffic", transcriptHash);
    }

    /** server_handshake_traffic_secret = Derive-Secret(Handshake Secret, "s hs traffic", ClientHello..ServerHello). */
    public byte[] serverHandshakeTrafficSecret(byte[] transcriptHash) {
        return hkdf.deriveSecret(require(handshakeSecret, "handshake"), "s hs traffic", transcriptHash);
    }

    /**
     * Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0), then zeroes the Handshake
     * Secret (no handshake traffic secret can be derived afterwards).
     */
    public void deriveMasterSecret() {
        masterSecret = extractNext(require(handshakeSecret, "handshake"), null);
        handshakeSecret = wipe(handshakeSecret);
    }

    /** client_application_traffic_secret_0 = Derive-Secret(Master Secret, "c ap traffic", ClientHello..server Finished). */
    public byte[] clientApplicationTrafficSecret(byte[] transcriptHash) {
        return hkdf.deriveSecret(require(masterSecret, "master"), "c ap traffic", transcriptHash);
    }

    /** server_application_traffic_secret_0 = Derive-Secret(Master Secret, "s ap traffic", ClientHello..server Finished). */
    public byte[] serverApplicationTrafficSecret(byte[] transcriptHash) {
        return hkdf.deriveSecret(require(masterSecret, "master"), "s ap traffic", transcriptHash);
    }

    /** exporter_master_secret = Derive-Secret(Master Secret, "exp master", ClientHello..server Finished). */
    public byte[] exporterMasterSecret(byte[] transcriptHash) {
        return hkdf.deriveSecret(require(masterSecret, "master"), "exp master", transcriptHash);
    }

    /**
     * application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
     * Hash.length) (RFC 8446 section 7.2, KeyUpdate). The caller zeroes the old secret.
     */
    public static byte[] nextApplicationTrafficSecret(Hkdf hkdf, byte[] secret) {
        return hkdf.expandLabel(secret, "traffic upd", null, hkdf.hash().length());
    }

    /**
     * [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length) and [sender]_write_iv =
     * HKDF-Expand-Label(Secret, "iv", "", iv_length) (RFC 8446 section 7.3).
     */
    public static TrafficKeys trafficKeys(Hkdf hkdf, AeadAlgorithm aead, byte[] secret) {
        return new TrafficKeys(hkdf.expandLabel(secret, "key", null, aead.keyLength()),
                hkdf.expandLabel(secret, "iv", null, aead.ivLength()));
    }

    /** Zeroes every secret still held; every stage method throws {@link IllegalStateException} afterwards. */
    public void destroy() {
        earlySecret = wipe(earlySecret);
        handshakeSecret = wipe(handshakeSecret);
        masterSecret = wipe(masterSecret);
    }

    /** A copy of the Early Secret, for known-answer tests only. */
    byte[] earlySecret() {
        return require(earlySecret, "early").clone();
    }

    /** A copy of the Handshake Secret, for known-answer tests only. */
    byte[] handshakeSecret() {
        return require(handshakeSecret, "handshake").clone();
    }

    /** A copy of the Master Secret, for known-answer tests only. */
    byte[] masterSecret() {
        return require(masterSecret, "master").clone();
    }

    @Override
    public String toString() {
        String stage = masterSecret != null ? "master" : handshakeSecret != null ? "handshake"
                : earlySecret != null ? "early" : "destroyed";
        return "Tls13KeySchedule(" + hkdf.hash() + ", " + stage + ")";
    }

    /** HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm): the step between two stages of section 7.1. */
    private byte[] extractNext(byte[] secret, byte[] ikm) {
        byte[] salt = hkdf.deriveSecret(secret, "derived", emptyHash);
        try {
            return hkdf.extract(salt, ikm);
        } finally {
            Arrays.fill(salt, (byte) 0);
        }
    }

    private static byte[] require(byte[] secret, String stage) {
        if (secret == null) {
            throw new IllegalStateException("the " + stage + " secret is not available (wrong call order or destroyed)");
        }
        return secret;
    }

    private static byte[] wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
        return null;
    }
}
