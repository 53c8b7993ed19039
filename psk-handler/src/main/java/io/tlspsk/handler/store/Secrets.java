package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.util.Arrays;
import java.util.Objects;

/** Checks of the secrets stores accept, and the ExternalPsk they hand out. Messages give lengths, never bytes. */
final class Secrets {

    /** Longest secret a store keeps: OpenSSL's limit (PSK_MAX_PSK_LEN), far above any device key. */
    static final int MAX_SECRET_LENGTH = 255;

    private Secrets() {
    }

    /** Refuses an empty, all-zero, over-long or (unless {@code allowShort}) short secret. */
    static void check(byte[] secret, boolean allowShort) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length == 0 || secret.length > MAX_SECRET_LENGTH) {
            throw new IllegalArgumentException("a PSK secret is 1 to " + MAX_SECRET_LENGTH + " bytes, not "
                    + secret.length);
        }
        if (!allowShort && secret.length < ExternalPsk.MIN_SECRET_LENGTH) {
            // RFC 9257: a key under 128 bits falls to an offline search over one recorded handshake.
            throw new IllegalArgumentException("a PSK secret of " + secret.length + " bytes is shorter than "
                    + ExternalPsk.MIN_SECRET_LENGTH + " bytes (128 bits); this store refuses short keys");
        }
        int bits = 0;
        for (byte b : secret) {
            bits |= b;
        }
        if (bits == 0) {
            throw new IllegalArgumentException("a PSK secret must not be all zeros");
        }
    }

    /** A labelled key for a handshake, from a secret the caller zeroes afterwards. */
    static ExternalPsk toPsk(byte[] identity, byte[] secret, HashAlgorithm hash, String label) {
        ExternalPsk unlabelled = secret.length < ExternalPsk.MIN_SECRET_LENGTH
                ? ExternalPsk.ofShortSecret(identity, secret, hash) : ExternalPsk.of(identity, secret, hash);
        try {
            return unlabelled.withLabel(label);
        } finally {
            unlabelled.destroy();
        }
    }

    static void zero(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
