package io.tlspsk.examples;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parses the command line form of a PSK, {@code ID:HEXKEY[:sha256|sha384]}.
 *
 * <p>The identity may itself contain colons ({@code aa:bb:cc:HEXKEY} is identity {@code aa:bb:cc}): the key is
 * the last field, or the field before the hash name when the last field is not hex. Error messages name the
 * identity but never echo the key.
 */
final class PskSpec {

    private PskSpec() {
    }

    /** Parses one spec into a PSK, refusing keys shorter than {@link ExternalPsk#MIN_SECRET_LENGTH} bytes. */
    static ExternalPsk parse(String spec) throws UsageException {
        return parse(spec, false);
    }

    /**
     * Parses one spec into a PSK. The decoded secret is zeroed once the PSK holds its own copy. A key shorter
     * than {@link ExternalPsk#MIN_SECRET_LENGTH} bytes is refused unless {@code allowShortKey}
     * ({@code --allow-short-key}, for legacy devices; see {@link ExternalPsk#ofShortSecret}).
     */
    static ExternalPsk parse(String spec, boolean allowShortKey) throws UsageException {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2) {
            throw new UsageException("--psk needs ID:HEXKEY[:sha256|sha384]");
        }
        int keyIndex = parts.length - 1;
        HashAlgorithm hash = HashAlgorithm.SHA256;
        if (parts.length >= 3 && !isHex(parts[parts.length - 1])) {
            hash = parseHash(parts[parts.length - 1]);
            keyIndex = parts.length - 2;
        }
        String identity = String.join(":", Arrays.copyOfRange(parts, 0, keyIndex));
        if (identity.isEmpty()) {
            throw new UsageException("--psk: the identity is empty");
        }
        String hex = parts[keyIndex];
        if (hex.isEmpty()) {
            throw new UsageException("--psk " + identity + ": the key is missing");
        }
        byte[] secret = Hex.decode(hex);
        if (secret == null) {
            throw new UsageException("--psk " + identity + ": the key is not an even number of hex digits");
        }
        try {
            if (!allowShortKey && secret.length < ExternalPsk.MIN_SECRET_LENGTH) {
                // RFC 9257: a short key is guessable offline from one recorded handshake.
                throw new UsageException("--psk " + identity + ": the key has " + secret.length
                        + " bytes, fewer than " + ExternalPsk.MIN_SECRET_LENGTH + " (128 bits), and can be guessed"
                        + " offline; use psk-tool genkey, or --allow-short-key for a legacy device");
            }
            return allowShortKey ? ExternalPsk.ofShortSecret(identity, secret, hash)
                    : ExternalPsk.of(identity, secret, hash);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--psk " + identity + ": " + e.getMessage());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static HashAlgorithm parseHash(String name) throws UsageException {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sha256": case "sha-256": return HashAlgorithm.SHA256;
            case "sha384": case "sha-384": return HashAlgorithm.SHA384;
            case "": throw new UsageException("--psk: the hash after the last ':' is missing (sha256 or sha384)");
            default: throw new UsageException("--psk: unknown hash '" + name + "' (sha256 or sha384)");
        }
    }

    private static boolean isHex(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
