package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis layout of {@link RedisPskStore}: one hash per identity under {@code <prefix>{<identity>}} (the identity is
 * the Redis Cluster hash tag, so every command about one identity goes to one slot), with the fields
 * {@code hash} ({@code sha256} or {@code sha384}), {@code main} and {@code backup} (the keys in hex),
 * {@code main_v} and {@code backup_v} (their versions, decimal), {@code main_t} and {@code backup_t} (creation times,
 * milliseconds since the epoch). Changes are announced on the channel {@code <prefix>events} as {@code c<identity>}
 * (changed), {@code p<version>:<identity>} (promoted; the version is the new main key's) and {@code r<identity>}
 * (revoked).
 *
 * <p>Reading a record checks every field it uses and names the identity and the field of anything wrong, never a
 * value (a value may be a key).
 */
final class RedisRecord {

    static final byte[][] LOOKUP_FIELDS = fields("hash", "main", "main_v", "backup", "backup_v");
    static final byte[][] ALL_FIELDS = fields("hash", "main", "main_v", "main_t", "backup", "backup_v", "backup_t");

    private RedisRecord() {
    }

    private static byte[][] fields(String... names) {
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }

    /** {@code <prefix>{<identity>}}. */
    static byte[] key(byte[] prefix, PskIdentity identity) {
        byte[] k = new byte[prefix.length + identity.length() + 2];
        System.arraycopy(prefix, 0, k, 0, prefix.length);
        k[prefix.length] = '{';
        identity.copyTo(k, prefix.length + 1);
        k[k.length - 1] = '}';
        return k;
    }

    /** The identity of a key made by {@link #key}, or {@code null} for another key. */
    static PskIdentity identityOfKey(byte[] prefix, byte[] key) {
        int l = key.length - prefix.length - 2;
        if (l < 1 || key[prefix.length] != '{' || key[key.length - 1] != '}') {
            return null;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return null;
            }
        }
        byte[] id = new byte[l];
        System.arraycopy(key, prefix.length + 1, id, 0, l);
        return PskIdentity.of(id);
    }

    static byte[] changedMessage(PskIdentity identity) {
        return message("c", identity);
    }

    static byte[] revokedMessage(PskIdentity identity) {
        return message("r", identity);
    }

    static byte[] promotedMessage(PskIdentity identity, int newMainVersion) {
        return message("p" + newMainVersion + ":", identity);
    }

    private static byte[] message(String head, PskIdentity identity) {
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[h.length + identity.length()];
        System.arraycopy(h, 0, m, 0, h.length);
        identity.copyTo(m, h.length);
        return m;
    }

    /** Tells {@code listeners} what {@code message} (from the events channel) says; ignores what it cannot read. */
    static boolean dispatch(byte[] message, Listeners listeners) {
        if (message == null || message.length < 2) {
            return false;
        }
        try {
            switch (message[0]) {
                case 'c':
                    listeners.changed(PskIdentity.of(java.util.Arrays.copyOfRange(message, 1, message.length)));
                    return true;
                case 'r':
                    listeners.revoked(PskIdentity.of(java.util.Arrays.copyOfRange(message, 1, message.length)));
                    return true;
                case 'p':
                    int colon = 1;
                    while (colon < message.length && message[colon] != ':') {
                        colon++;
                    }
                    int version = Integer.parseInt(new String(message, 1, colon - 1, StandardCharsets.US_ASCII));
                    PskIdentity id = PskIdentity.of(java.util.Arrays.copyOfRange(message, colon + 1, message.length));
                    listeners.promoted(id, KeyLabel.main(version));
                    return true;
                default:
                    return false;
            }
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    /**
     * The labelled candidates of {@code identity} from an HMGET of {@link #LOOKUP_FIELDS} ({@code null} entries for
     * absent fields), or {@code null} when the identity has no record.
     *
     * @throws PskStoreException for a record that is not a valid key record
     */
    static List<ExternalPsk> candidates(PskIdentity identity, byte[][] values, boolean allowShortSecrets) {
        if (values[0] == null && values[1] == null && values[2] == null && values[3] == null && values[4] == null) {
            return null;
        }
        HashAlgorithm hash = hash(identity, values[0]);
        int mainVersion = version(identity, "main_v", values[2], true);
        List<ExternalPsk> out = new ArrayList<>(2);
        out.add(key(identity, "main", values[1], hash, KeyLabel.main(mainVersion), allowShortSecrets));
        if (values[3] != null) {
            int backupVersion = version(identity, "backup_v", values[4], true);
            out.add(key(identity, "backup", values[3], hash, KeyLabel.backup(backupVersion), allowShortSecrets));
        }
        return out;
    }

    /** What {@code identity}'s record holds, from an HMGET of {@link #ALL_FIELDS}, or {@code null}. */
    static PskKeyInfo info(PskIdentity identity, byte[][] v) {
        boolean none = true;
        for (byte[] x : v) {
            none &= x == null;
        }
        if (none) {
            return null;
        }
        HashAlgorithm hash = hash(identity, v[0]);
        require(identity, "main", v[1]);
        KeyLabel main = KeyLabel.main(version(identity, "main_v", v[2], true));
        KeyLabel backup = null;
        if (v[4] != null) {
            backup = KeyLabel.backup(version(identity, "backup_v", v[5], true));
        }
        return new PskKeyInfo(identity, hash, main, time(v[3]), backup, time(v[6]));
    }

    private static Instant time(byte[] v) {
        if (v == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(new String(v, StandardCharsets.US_ASCII)));
        } catch (NumberFormatException e) {
            return null; // a creation time is informative only
        }
    }

    private static void require(PskIdentity identity, String field, byte[] value) {
        if (value == null) {
            throw bad(identity, field, "is missing");
        }
    }

    private static HashAlgorithm hash(PskIdentity identity, byte[] value) {
        require(identity, "hash", value);
        String h = new String(value, StandardCharsets.US_ASCII);
        if (h.equals("sha256")) {
            return HashAlgorithm.SHA256;
        }
        if (h.equals("sha384")) {
            return HashAlgorithm.SHA384;
        }
        throw bad(identity, "hash", "is neither sha256 nor sha384");
    }

    static int version(PskIdentity identity, String field, byte[] value, boolean required) {
        if (value == null && !required) {
            return 0;
        }
        require(identity, field, value);
        if (value.length == 0 || value.length > 10) {
            throw bad(identity, field, "is not a key version (1 to 2147483647)");
        }
        long v = 0;
        for (byte b : value) {
            if (b < '0' || b > '9') {
                throw bad(identity, field, "is not a key version (1 to 2147483647)");
            }
            v = v * 10 + (b - '0');
        }
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw bad(identity, field, "is not a key version (1 to 2147483647)");
        }
        return (int) v;
    }

    private static ExternalPsk key(PskIdentity identity, String field, byte[] hex, HashAlgorithm hash, KeyLabel label,
                                   boolean allowShortSecrets) {
        require(identity, field, hex);
        byte[] secret = Hex.decode(hex);
        try {
            if (secret == null) {
                throw bad(identity, field, "is not an even number of hex digits");
            }
            try {
                Secrets.check(secret, allowShortSecrets);
            } catch (IllegalArgumentException e) {
                throw bad(identity, field, "is not a usable key: " + e.getMessage());
            }
            return Secrets.toPsk(identity.bytes(), secret, hash, label.toString());
        } finally {
            Secrets.zero(secret);
        }
    }

    private static PskStoreException bad(PskIdentity identity, String field, String what) {
        return new PskStoreException("Redis record of PSK identity " + identity + ": field '" + field + "' " + what);
    }
}
