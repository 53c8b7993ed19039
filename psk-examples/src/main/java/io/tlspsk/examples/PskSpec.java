package io.tlspsk.examples;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Parses the text form of a PSK, {@code ID:HEXKEY[:sha256|sha384]}, given to {@code --psk} or as one line of a
 * {@code --psk-file}.
 *
 * <p>The identity may itself contain colons ({@code aa:bb:cc:HEXKEY} is identity {@code aa:bb:cc}): the key is
 * the last field, or the field before it when the last field is a hash name. Hex digits are ASCII only
 * ({@link HexFormat}). Error messages start with where the spec came from and name the identity, never the key:
 * a bad digit is reported by its position.
 */
final class PskSpec {

    /** A last field longer than this, or not starting with a letter, is a key, never a hash name. */
    private static final int MAX_HASH_NAME_LENGTH = 10;

    private PskSpec() {
    }

    /** Parses a {@code --psk} value, refusing keys shorter than {@link ExternalPsk#MIN_SECRET_LENGTH} bytes. */
    static ExternalPsk parse(String spec) throws UsageException {
        return parse(spec, false, "--psk").psk();
    }

    /**
     * One parsed spec: the PSK, and a text that is equal for two specs exactly when they give the same identity,
     * hash and key (hex digits compared without case), for finding repeated keys. The text holds the key's
     * digits, so it is only compared, never printed.
     */
    record Parsed(ExternalPsk psk, String sameKeyText) {
        @Override
        public String toString() {
            return psk.toString();
        }
    }

    /**
     * Parses one spec into a PSK. The decoded secret is zeroed once the PSK holds its own copy. A key shorter
     * than {@link ExternalPsk#MIN_SECRET_LENGTH} bytes is refused unless {@code allowShortKey}
     * ({@code --allow-short-key}, for legacy devices; see {@link ExternalPsk#ofShortSecret}).
     *
     * @param where how error messages name the spec's origin: {@code --psk}, or a file and line
     */
    static Parsed parse(String spec, boolean allowShortKey, String where) throws UsageException {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2) {
            throw new UsageException(where + " needs ID:HEXKEY[:sha256|sha384]");
        }
        int last = parts.length - 1;
        boolean hashGiven = parts.length >= 3 && isHashName(parts[last]);
        int keyIndex = hashGiven ? last - 1 : last;
        String identity = String.join(":", Arrays.copyOfRange(parts, 0, keyIndex));
        if (identity.isEmpty()) {
            throw new UsageException(where + ": the identity is empty");
        }
        String name = where + " " + HandshakeLines.printable(identity);
        HashAlgorithm hash = hashGiven ? parseHash(parts[last], name) : HashAlgorithm.SHA256;
        String hex = parts[keyIndex];
        byte[] secret = decodeKey(hex, name);
        try {
            if (!allowShortKey && secret.length < ExternalPsk.MIN_SECRET_LENGTH) {
                // RFC 9257: a short key is guessable offline from one recorded handshake.
                throw new UsageException(name + ": the key has " + secret.length + " bytes, fewer than "
                        + ExternalPsk.MIN_SECRET_LENGTH + " (128 bits), and can be guessed offline; use psk-tool "
                        + "genkey, or --allow-short-key for a legacy device");
            }
            ExternalPsk psk = allowShortKey ? ExternalPsk.ofShortSecret(identity, secret, hash)
                    : ExternalPsk.of(identity, secret, hash);
            return new Parsed(psk, identity + '\0' + hash + '\0' + hex.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": " + e.getMessage());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Decodes the key's hex digits. Every character is checked before the count, so that a bad digit is reported
     * as such (not as an odd count), and by position only: the key itself never reaches a message.
     */
    private static byte[] decodeKey(String hex, String name) throws UsageException {
        if (hex.isEmpty()) {
            throw new UsageException(name + ": the key is missing");
        }
        for (int i = 0; i < hex.length(); i++) {
            if (!HexFormat.isHexDigit(hex.charAt(i))) {
                throw new UsageException(name + ": the key has " + describe(hex.charAt(i)) + " at position "
                        + (i + 1) + ", which is not a hex digit (0-9, a-f, A-F)");
            }
        }
        if ((hex.length() & 1) != 0) {
            throw new UsageException(name + ": the key has " + hex.length() + " hex digits, an odd number; "
                    + "each byte is two digits");
        }
        return HexFormat.of().parseHex(hex);
    }

    /** A character for an error message: itself when printable ASCII, else its code point. */
    private static String describe(char c) {
        return c > ' ' && c < 0x7f ? "'" + c + "'" : String.format(Locale.ROOT, "U+%04X", (int) c);
    }

    /** True when the last field is meant as a hash name: a short word starting with a letter, not all hex. */
    private static boolean isHashName(String field) {
        if (field.isEmpty()) {
            return true; // "ID:KEY:" - a hash name was started and left out
        }
        if (field.length() > MAX_HASH_NAME_LENGTH || !Character.isLetter(field.charAt(0))) {
            return false;
        }
        return !field.chars().allMatch(HexFormat::isHexDigit);
    }

    private static HashAlgorithm parseHash(String name, String where) throws UsageException {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sha256": case "sha-256": return HashAlgorithm.SHA256;
            case "sha384": case "sha-384": return HashAlgorithm.SHA384;
            case "": throw new UsageException(where + ": the hash after the last ':' is missing (sha256 or sha384)");
            default:
                // Named only when it reads as a hash name; otherwise it may be a mistyped short key.
                boolean looksLikeHash = name.toLowerCase(Locale.ROOT).startsWith("sha")
                        || name.equalsIgnoreCase("md5");
                throw new UsageException(where + ": unknown hash " + (looksLikeHash ? "'" + name + "' " : "name ")
                        + "after the last ':' (sha256 or sha384)");
        }
    }
}
