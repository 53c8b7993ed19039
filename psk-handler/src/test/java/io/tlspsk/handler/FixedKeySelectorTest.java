package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PskSelector#fromKeys}' rule, now answered from an index: the first key in the server's list whose identity
 * the client offered wins, with every key of that identity as candidates in list order, whatever order the client
 * offers its identities in. Checked on explicit cases and against the original list scan on random ones.
 */
class FixedKeySelectorTest {

    private static ExternalPsk key(String id, int seed) {
        return PskSelectionTest.psk(id, seed);
    }

    private static PskSelectionRequest offering(String... ids) {
        List<byte[]> list = new ArrayList<>();
        for (String id : ids) {
            list.add(id.getBytes(StandardCharsets.UTF_8));
        }
        return PskSelectionRequest.of(list, null, null);
    }

    private static PskSelection select(PskSelector selector, PskSelectionRequest request) {
        return selector.select(request).toCompletableFuture().join();
    }

    @Test
    void theServersListOrderDecidesNotTheClients() {
        ExternalPsk a = key("a", 1);
        ExternalPsk b = key("b", 2);
        ExternalPsk c = key("c", 3);
        PskSelector selector = PskSelector.fromKeys(List.of(b, c, a));
        PskSelection s = select(selector, offering("a", "c", "b"));
        assertEquals("b", s.offered().identityAsString());
        assertEquals(2, s.offered().index(), "the offered entry at its wire position");
        assertEquals(List.of(b), s.candidates());
        s = select(selector, offering("x", "a", "c"));
        assertEquals("c", s.offered().identityAsString());
        assertEquals(1, s.offered().index() - 1, "c is the third identity offered");
    }

    @Test
    void everyKeyOfTheChosenIdentityIsACandidateInListOrder() {
        ExternalPsk main = key("dev", 1);
        ExternalPsk other = key("other", 2);
        ExternalPsk backup = key("dev", 3);
        ExternalPsk third = key("dev", 4);
        PskSelection s = select(PskSelector.fromKeys(List.of(other, main, backup, third)), offering("dev"));
        assertEquals(List.of(main, backup, third), s.candidates());
    }

    @Test
    void anIdentityOfferedTwiceIsTakenAtItsFirstWirePosition() {
        PskSelection s = select(PskSelector.fromKeys(List.of(key("a", 1))), offering("z", "a", "a"));
        assertEquals(1, s.offered().index());
    }

    @Test
    void noKnownIdentityIsNone() {
        assertTrue(select(PskSelector.fromKeys(List.of(key("a", 1))), offering("b", "c")).isNone());
        assertNull(select(PskSelector.fromKeys(List.of(key("a", 1))), offering("b")).offered());
    }

    @Test
    void anEmptyKeyListIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PskSelector.fromKeys(List.of()));
    }

    @Test
    void theIndexAgreesWithTheListScanOnRandomListsAndOffers() {
        Random random = new Random(11);
        for (int round = 0; round < 2_000; round++) {
            int identities = 1 + random.nextInt(6);
            List<ExternalPsk> keys = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(10); i < n; i++) {
                keys.add(key("id" + random.nextInt(identities), i + 1));
            }
            String[] offered = new String[1 + random.nextInt(5)];
            for (int i = 0; i < offered.length; i++) {
                offered[i] = "id" + random.nextInt(identities + 2); // some unknown
            }
            PskSelectionRequest request = offering(offered);
            PskSelection expected = listScan(keys, request);
            PskSelection actual = select(PskSelector.fromKeys(keys), request);
            assertEquals(expected.isNone(), actual.isNone(), () -> keys + " " + List.of(offered));
            if (!expected.isNone()) {
                assertSame(expected.offered(), actual.offered(), () -> keys + " " + List.of(offered));
                assertEquals(expected.candidates(), actual.candidates());
            }
        }
    }

    /** The rule as it was implemented before the index: both loops over the whole list. */
    private static PskSelection listScan(List<ExternalPsk> keys, PskSelectionRequest request) {
        for (ExternalPsk key : keys) {
            for (OfferedPsk offered : request.offeredPsks()) {
                if (key.hasIdentity(offered.identityBytes())) {
                    List<ExternalPsk> out = new ArrayList<>();
                    for (ExternalPsk k : keys) {
                        if (k.hasIdentity(offered.identityBytes())) {
                            out.add(k);
                        }
                    }
                    return PskSelection.of(offered, out);
                }
            }
        }
        return PskSelection.none();
    }
}
