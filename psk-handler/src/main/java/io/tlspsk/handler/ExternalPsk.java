package io.tlspsk.handler;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An external pre-shared key (RFC 8446 section 2.2 and 4.2.11; RFC 9257): an identity sent in clear on the wire,
 * a secret that never leaves this object except into the key schedule, and the hash the key is bound to.
 *
 * <p>The identity is not confidential: do not put secrets in it. The secret should be a high-entropy random
 * value (for example from {@code psk-tool genkey}); deriving it from a password invites dictionary attacks.
 * A PSK must be shared by exactly one client and one server (RFC 9257).
 *
 * <p>A key may carry a label ({@link #withLabel}): a short public name such as {@code main-3} or {@code backup-4}
 * that tells which of an identity's keys it is. The handshake reports the label of the key that verified
 * ({@link PskTlsSession#keyLabel()}), which is how a server learns that a device has moved to its backup key.
 *
 * <p>Instances are immutable until {@link #destroy()}, which zeroes the secret copy held here.
 * {@link #toString()} shows the identity, hash and label only.
 */
public final class ExternalPsk {

    /** RFC 8446 section 4.2.11: {@code opaque identity<1..2^16-1>}. */
    public static final int MAX_IDENTITY_LENGTH = 0xffff;

    /**
     * The shortest secret {@link #of} accepts: 16 bytes (128 bits). A recorded TLS-PSK handshake lets anyone test
     * guesses of the key offline (the binder in TLS 1.3, the Finished in TLS 1.2), so the key's entropy is the
     * whole security (RFC 8446 appendix E.7, RFC 9257); 128 bits is the floor RFC 9257 asks
     * of external PSKs. Shorter keys need {@link #ofShortSecret}.
     */
    public static final int MIN_SECRET_LENGTH = 16;

    /** The longest label {@link #withLabel} accepts, in characters. */
    public static final int MAX_LABEL_LENGTH = 32;

    private final byte[] identity;
    private final byte[] secret;
    private final HashAlgorithm hash;
    private final String label;
    private volatile boolean destroyed;

    private ExternalPsk(byte[] identity, byte[] secret, HashAlgorithm hash, String label) {
        this.identity = identity;
        this.secret = secret;
        this.hash = hash;
        this.label = label;
    }

    /**
     * Creates a PSK. Both arrays are copied; the caller may zero its own copy of the secret afterwards.
     *
     * @throws IllegalArgumentException for an empty or over-long identity, or an empty, all-zero or short
     *         (under {@link #MIN_SECRET_LENGTH} bytes) secret
     */
    public static ExternalPsk of(byte[] identity, byte[] secret, HashAlgorithm hash) {
        ExternalPsk psk = create(identity, secret, hash);
        if (secret.length < MIN_SECRET_LENGTH) {
            psk.destroy();
            // RFC 9257 / RFC 8446 appendix E.7: a short key falls to an offline search over one recorded
            // handshake. Only the length is reported, never the key.
            throw new IllegalArgumentException("PSK secret of " + secret.length + " bytes is shorter than "
                    + MIN_SECRET_LENGTH + " bytes (128 bits): one recorded handshake lets an attacker guess a "
                    + "low-entropy key offline (RFC 9257); use a random key of at least "
                    + MIN_SECRET_LENGTH + " bytes, or ExternalPsk.ofShortSecret for a legacy device that cannot");
        }
        return psk;
    }

    /** As {@link #of(byte[], byte[], HashAlgorithm)}, with the identity in UTF-8. */
    public static ExternalPsk of(String identity, byte[] secret, HashAlgorithm hash) {
        return of(identity.getBytes(StandardCharsets.UTF_8), secret, hash);
    }

    /**
     * Creates a PSK whose secret may be shorter than {@link #MIN_SECRET_LENGTH} bytes, for legacy devices
     * provisioned with short keys that cannot be changed. Such a key can be recovered offline from one recorded
     * handshake by trying candidate keys (RFC 8446 appendix E.7, RFC 9257): use it only where the
     * device leaves no choice, prefer psk_dhe_ke (which at least protects past traffic once the key is replaced),
     * and plan to re-key. Empty and all-zero secrets are still refused.
     *
     * @throws IllegalArgumentException for an empty or over-long identity, or an empty or all-zero secret
     */
    public static ExternalPsk ofShortSecret(byte[] identity, byte[] secret, HashAlgorithm hash) {
        return create(identity, secret, hash);
    }

    /** As {@link #ofShortSecret(byte[], byte[], HashAlgorithm)}, with the identity in UTF-8. */
    public static ExternalPsk ofShortSecret(String identity, byte[] secret, HashAlgorithm hash) {
        return ofShortSecret(identity.getBytes(StandardCharsets.UTF_8), secret, hash);
    }

    private static ExternalPsk create(byte[] identity, byte[] secret, HashAlgorithm hash) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(hash, "hash");
        if (identity.length == 0) {
            throw new IllegalArgumentException("PSK identity must not be empty");
        }
        if (identity.length > MAX_IDENTITY_LENGTH) {
            throw new IllegalArgumentException("PSK identity longer than " + MAX_IDENTITY_LENGTH + " bytes");
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("PSK secret must not be empty");
        }
        int bits = 0;
        for (byte b : secret) {
            bits |= b;
        }
        if (bits == 0) {
            throw new IllegalArgumentException("PSK secret must not be all zeros");
        }
        return new ExternalPsk(identity.clone(), secret.clone(), hash, null);
    }

    /**
     * A copy of this key with {@code label}: the same identity, secret and hash in arrays of its own (destroying one
     * does not affect the other). A label names the key for logs, sessions and events, so it must not be secret:
     * 1 to {@value #MAX_LABEL_LENGTH} printable ASCII characters without spaces ({@code main-3}, {@code backup},
     * {@code 2025-06}).
     *
     * @throws IllegalArgumentException for a label that is empty, too long or has other characters
     * @throws IllegalStateException after {@link #destroy()}
     */
    public ExternalPsk withLabel(String label) {
        checkLabel(label);
        return copyLabelled(label);
    }

    /**
     * A copy of this key, label included, in arrays of its own: destroying one does not affect the other (a cache
     * hands out copies and zeroes its own when it drops them).
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    public ExternalPsk copy() {
        return copyLabelled(label);
    }

    private ExternalPsk copyLabelled(String newLabel) {
        byte[] copy = secretForKeySchedule().clone();
        ExternalPsk labelled = new ExternalPsk(identity.clone(), copy, hash, newLabel);
        if (destroyed) { // destroyed while copying: the copy may hold a half-zeroed secret
            labelled.destroy();
            throw new IllegalStateException(this + " was destroyed");
        }
        return labelled;
    }

    private static void checkLabel(String label) {
        Objects.requireNonNull(label, "label");
        if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("a key label is 1 to " + MAX_LABEL_LENGTH + " characters, not "
                    + label.length());
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                // The label is printed in logs and tool output: no spaces, control or non-ASCII characters. Its
                // content is not echoed, in case a caller mistook a key for a label.
                throw new IllegalArgumentException("a key label is printable ASCII without spaces; character "
                        + i + " is not");
            }
        }
    }

    /** The label given with {@link #withLabel}, or {@code null}. */
    public String label() {
        return label;
    }

    /** A copy of the identity bytes. */
    public byte[] identity() {
        return identity.clone();
    }

    /** The identity decoded as UTF-8 (invalid sequences replaced), for logs and display. */
    public String identityAsString() {
        return new String(identity, StandardCharsets.UTF_8);
    }

    public HashAlgorithm hash() {
        return hash;
    }

    /** True when this PSK's identity equals {@code other} byte for byte. */
    public boolean hasIdentity(byte[] other) {
        return Arrays.equals(identity, other);
    }

    /**
     * The internal secret array: for the key schedule only, never to be modified or kept.
     *
     * @throws IllegalStateException after {@link #destroy()}: a zeroed key must never complete a handshake
     */
    byte[] secretForKeySchedule() {
        if (destroyed) {
            throw new IllegalStateException(this + " was destroyed");
        }
        return secret;
    }

    /** True after {@link #destroy()}. */
    public boolean isDestroyed() {
        return destroyed;
    }

    /** The internal identity array, not copied: callers in this package must not modify it. */
    byte[] identityBytes() {
        return identity;
    }

    /** Zeroes the secret held by this object; using it in a handshake afterwards fails. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(secret, (byte) 0);
    }

    @Override
    public String toString() {
        return "ExternalPsk(identity=" + identityAsString() + ", hash=" + hash
                + (label != null ? ", label=" + label : "") + ")";
    }
}
