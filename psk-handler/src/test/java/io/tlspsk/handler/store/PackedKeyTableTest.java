package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The open-addressing table under the in-memory and file stores: random inserts, replacements and removals agree with
 * a HashMap (backward-shift deletion keeps every probe run intact, growth keeps everything), and a replaced or
 * removed record is zeroed.
 */
class PackedKeyTableTest {

    static byte[] record(PskIdentity id, int seed) {
        byte[] secret = new byte[32];
        new Random(seed).nextBytes(secret);
        secret[0] = 1;
        return KeyRecord.create(id, HashAlgorithm.SHA256, secret, 1, seed);
    }

    @Test
    void randomOperationsAgreeWithAHashMap() {
        PackedKeyTable table = new PackedKeyTable(4);
        Map<PskIdentity, byte[]> model = new HashMap<>();
        Random random = new Random(5);
        for (int op = 0; op < 50_000; op++) {
            // Few distinct identities, so that probe runs collide, wrap around and get holes punched in them.
            PskIdentity id = PskIdentity.of("id-" + random.nextInt(300));
            if (random.nextInt(3) == 0) {
                table.compute(id, current -> null);
                model.remove(id);
            } else {
                byte[] r = record(id, op);
                table.compute(id, current -> r);
                model.put(id, r.clone());
            }
            if (op % 1000 == 0) {
                for (int i = 0; i < 300; i++) {
                    PskIdentity probe = PskIdentity.of("id-" + i);
                    byte[] expected = model.get(probe);
                    byte[] actual = table.getCopy(probe);
                    if (expected == null) {
                        assertNull(actual, probe.toString());
                    } else {
                        assertArrayEquals(expected, actual, probe.toString());
                    }
                }
                assertEquals(model.size(), table.size());
            }
        }
    }

    @Test
    void aReplacedOrRemovedRecordIsZeroed() {
        PackedKeyTable table = new PackedKeyTable(4);
        PskIdentity id = PskIdentity.of("dev");
        byte[] first = record(id, 1);
        table.compute(id, current -> first);
        byte[] second = record(id, 2);
        table.compute(id, current -> second);
        assertTrue(isZeroed(first), "replaced record zeroed");
        assertArrayEquals(KeyRecord.secret(second, 0), KeyRecord.secret(table.getCopy(id), 0));
        table.compute(id, current -> null);
        assertTrue(isZeroed(second), "removed record zeroed");
    }

    private static boolean isZeroed(byte[] r) {
        byte[] s = KeyRecord.secret(r, 0);
        for (byte b : s) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void recordsRoundTripTheirFields() {
        PskIdentity id = PskIdentity.of("r");
        byte[] main = new byte[20];
        main[3] = 7;
        byte[] backup = new byte[40];
        backup[9] = 9;
        byte[] r = KeyRecord.withBackup(KeyRecord.create(id, HashAlgorithm.SHA384, main, 5, 123), backup, 6, 456);
        assertEquals(id, KeyRecord.identity(r));
        assertEquals(HashAlgorithm.SHA384, KeyRecord.hash(r));
        assertEquals(2, KeyRecord.keyCount(r));
        assertEquals(KeyLabel.main(5), KeyRecord.label(r, 0));
        assertEquals(KeyLabel.backup(6), KeyRecord.label(r, 1));
        assertEquals(456, KeyRecord.createdMillis(r, 1));
        assertArrayEquals(backup, KeyRecord.secret(r, 1));
        byte[] p = KeyRecord.promoted(r);
        assertEquals(KeyLabel.main(6), KeyRecord.label(p, 0));
        assertEquals(KeyLabel.backup(5), KeyRecord.label(p, 1));
        assertArrayEquals(backup, KeyRecord.secret(p, 0));
        assertArrayEquals(main, KeyRecord.secret(p, 1));
        assertEquals(123, KeyRecord.createdMillis(p, 1));
    }

    @Test
    void labelsParseOnlyTheirOwnScheme() {
        assertEquals(KeyLabel.backup(4), KeyLabel.parse("backup-4"));
        assertEquals(KeyLabel.main(2147483647), KeyLabel.parse("main-2147483647"));
        for (String other : new String[] {"backup", "backup-", "backup-0", "backup-04", "backup-2147483648",
                "backup-1x", "gen-2", "main-+1", "MAIN-1", ""}) {
            assertNull(KeyLabel.parse(other), other);
        }
        assertNull(KeyLabel.parse(null));
    }
}
