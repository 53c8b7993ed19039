package io.tlspsk.handler.store;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One identity's keys packed into a single byte array, the unit {@link PackedKeyTable} stores: one object per
 * identity instead of a dozen, which is what lets {@link InMemoryPskStore} hold millions of identities in little more
 * than their key bytes. Records are never modified once stored (only zeroed when dropped): a rotation builds a new
 * record.
 *
 * <pre>
 *   u16 identity length L | identity (L) | u8 hash (0 SHA-256, 1 SHA-384) | u8 key count (1 or 2)
 *   then per key, main first: i32 version | i64 creation time (epoch ms) | u8 secret length S | secret (S)
 * </pre>
 */
final class KeyRecord {

    private static final int KEY_HEADER = 4 + 8 + 1;

    private KeyRecord() {
    }

    /** A record with one key, the main key. */
    static byte[] create(PskIdentity identity, HashAlgorithm hash, byte[] secret, int version, long createdMillis) {
        int l = identity.length();
        byte[] r = new byte[2 + l + 2 + KEY_HEADER + secret.length];
        r[0] = (byte) (l >>> 8);
        r[1] = (byte) l;
        identity.copyTo(r, 2);
        r[2 + l] = (byte) (hash == HashAlgorithm.SHA256 ? 0 : 1);
        r[3 + l] = 1;
        writeKey(r, 4 + l, version, createdMillis, secret);
        return r;
    }

    /** The main key of {@code r} with {@code secret} as a new backup key (replacing any backup). */
    static byte[] withBackup(byte[] r, byte[] secret, int version, long createdMillis) {
        int mainEnd = keyOffset(r, 1);
        byte[] out = new byte[mainEnd + KEY_HEADER + secret.length];
        System.arraycopy(r, 0, out, 0, mainEnd);
        out[3 + identityLength(r)] = 2;
        writeKey(out, mainEnd, version, createdMillis, secret);
        return out;
    }

    /** {@code r} with main and backup swapped (it must have a backup). */
    static byte[] promoted(byte[] r) {
        int main = keyOffset(r, 0);
        int backup = keyOffset(r, 1);
        int end = r.length;
        byte[] out = new byte[end];
        System.arraycopy(r, 0, out, 0, main);
        System.arraycopy(r, backup, out, main, end - backup);
        System.arraycopy(r, main, out, main + end - backup, backup - main);
        return out;
    }

    static int identityLength(byte[] r) {
        return (r[0] & 0xff) << 8 | r[1] & 0xff;
    }

    static boolean hasIdentity(byte[] r, PskIdentity identity) {
        int l = identityLength(r);
        if (l != identity.length()) {
            return false;
        }
        for (int i = 0; i < l; i++) {
            if (r[2 + i] != identity.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    static int identityHash(byte[] r) {
        return PskIdentity.hashOf(r, 2, identityLength(r));
    }

    static PskIdentity identity(byte[] r) {
        byte[] id = new byte[identityLength(r)];
        System.arraycopy(r, 2, id, 0, id.length);
        return PskIdentity.of(id);
    }

    static HashAlgorithm hash(byte[] r) {
        return r[2 + identityLength(r)] == 0 ? HashAlgorithm.SHA256 : HashAlgorithm.SHA384;
    }

    static int keyCount(byte[] r) {
        return r[3 + identityLength(r)];
    }

    static int version(byte[] r, int key) {
        int o = keyOffset(r, key);
        return (r[o] & 0xff) << 24 | (r[o + 1] & 0xff) << 16 | (r[o + 2] & 0xff) << 8 | r[o + 3] & 0xff;
    }

    static long createdMillis(byte[] r, int key) {
        int o = keyOffset(r, key) + 4;
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | r[o + i] & 0xff;
        }
        return v;
    }

    /** The highest version of any key in {@code r}: the next staged key takes the one after. */
    static int highestVersion(byte[] r) {
        int v = version(r, 0);
        return keyCount(r) > 1 ? Math.max(v, version(r, 1)) : v;
    }

    /** A copy of key {@code key}'s secret; the caller zeroes it. */
    static byte[] secret(byte[] r, int key) {
        int o = keyOffset(r, key) + 12;
        byte[] s = new byte[r[o] & 0xff];
        System.arraycopy(r, o + 1, s, 0, s.length);
        return s;
    }

    /** Key {@code key}'s label: the first key is the main key, the second the backup key. */
    static KeyLabel label(byte[] r, int key) {
        return KeyLabel.of(key == 0 ? KeyLabel.Role.MAIN : KeyLabel.Role.BACKUP, version(r, key));
    }

    /** The labelled keys of {@code r}, main first, as a handshake's candidates. */
    static List<ExternalPsk> candidates(byte[] r) {
        int n = keyCount(r);
        List<ExternalPsk> out = new ArrayList<>(n);
        byte[] id = new byte[identityLength(r)];
        System.arraycopy(r, 2, id, 0, id.length);
        HashAlgorithm hash = hash(r);
        for (int k = 0; k < n; k++) {
            byte[] secret = secret(r, k);
            try {
                out.add(Secrets.toPsk(id, secret, hash, label(r, k).toString()));
            } finally {
                Secrets.zero(secret);
            }
        }
        return out;
    }

    static PskKeyInfo info(byte[] r) {
        boolean backup = keyCount(r) > 1;
        return new PskKeyInfo(identity(r), hash(r), label(r, 0), instant(createdMillis(r, 0)),
                backup ? label(r, 1) : null, backup ? instant(createdMillis(r, 1)) : null);
    }

    /** 0 stands for "not recorded" (a key loaded from a file that did not say). */
    private static Instant instant(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** Zeroes every secret in {@code r} (identity and header stay, so a reader racing with this still parses it). */
    static void zeroSecrets(byte[] r) {
        int n = keyCount(r);
        for (int k = 0; k < n; k++) {
            int o = keyOffset(r, k) + 12;
            int len = r[o] & 0xff;
            java.util.Arrays.fill(r, o + 1, o + 1 + len, (byte) 0);
        }
    }

    private static int keyOffset(byte[] r, int key) {
        int o = 4 + identityLength(r);
        for (int k = 0; k < key; k++) {
            o += KEY_HEADER + (r[o + 12] & 0xff);
        }
        return o;
    }

    private static void writeKey(byte[] r, int o, int version, long created, byte[] secret) {
        r[o] = (byte) (version >>> 24);
        r[o + 1] = (byte) (version >>> 16);
        r[o + 2] = (byte) (version >>> 8);
        r[o + 3] = (byte) version;
        for (int i = 0; i < 8; i++) {
            r[o + 4 + i] = (byte) (created >>> (56 - 8 * i));
        }
        r[o + 12] = (byte) secret.length;
        System.arraycopy(secret, 0, r, o + 13, secret.length);
    }
}
