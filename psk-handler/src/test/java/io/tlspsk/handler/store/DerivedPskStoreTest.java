package io.tlspsk.handler.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.TestKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The derived store: the store contract (every identity is known, revoked ones are not), the documented derivation
 * checked against an independent HKDF, and master rotation with its grace period.
 */
class DerivedPskStoreTest extends PskStoreContract {

    static final byte[] MASTER_1 = "master secret of generation one, 32+ bytes".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MASTER_2 = "master secret of generation two, 32+ bytes".getBytes(StandardCharsets.US_ASCII);

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    DerivedPskStore derived() {
        return (DerivedPskStore) store;
    }

    @Override
    PskStore newStore() {
        return DerivedPskStore.builder(1, MASTER_1).gracePeriod(Duration.ofDays(7)).clock(clock).build();
    }

    @Override
    void closeStore() {
        derived().close();
    }

    @Override
    byte[] provision(PskIdentity identity) {
        return derived().deriveKey(identity);
    }

    @Override
    void revoke(PskIdentity identity) {
        assertTrue(derived().revoke(identity));
    }

    @Override
    PskIdentity unknownIdentity() {
        PskIdentity id = freshIdentity();
        derived().revoke(id);
        return id;
    }

    /** The derivation of the class description, with the JDK's HMAC directly (RFC 5869). */
    static byte[] expected(byte[] master, int generation, String identity) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("tls-psk-netty derived PSK v1".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        byte[] prk = mac.doFinal(master);
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        byte[] info = ByteBuffer.allocate(24 + 4 + id.length).put("tls-psk-netty device key"
                .getBytes(StandardCharsets.US_ASCII)).putInt(generation).put(id).array();
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return mac.doFinal(); // T(1), 32 bytes: L = Hash.length
    }

    @Test
    void keysFollowTheDocumentedDerivation() throws Exception {
        PskIdentity id = PskIdentity.of("device-0042");
        ExternalPsk key = lookup(id).get(id).get(0);
        assertArrayEquals(expected(MASTER_1, 1, "device-0042"), TestKeys.secretOf(key));
        assertEquals("gen-1", key.label());
        assertArrayEquals(expected(MASTER_1, 1, "device-0042"), derived().deriveKey(id));
    }

    @Test
    void aRotatedMasterGivesTwoCandidatesForTheGracePeriodThenOne() throws Exception {
        PskIdentity id = PskIdentity.of("device-7");
        RecordingListener heard = new RecordingListener();
        store.addListener(heard);
        derived().rotateMaster(2, MASTER_2);
        heard.expect("all");
        List<ExternalPsk> keys = lookup(id).get(id);
        assertEquals(List.of("gen-2", "gen-1"), List.of(keys.get(0).label(), keys.get(1).label()));
        assertArrayEquals(expected(MASTER_2, 2, "device-7"), TestKeys.secretOf(keys.get(0)));
        assertArrayEquals(expected(MASTER_1, 1, "device-7"), TestKeys.secretOf(keys.get(1)));
        now.set(now.get().plus(Duration.ofDays(7)).minusSeconds(1));
        assertEquals(2, lookup(id).get(id).size(), "still within the grace period");
        now.set(now.get().plusSeconds(1));
        keys = lookup(id).get(id);
        assertEquals(List.of("gen-2"), List.of(keys.get(0).label()));
        heard.expect("all");
        assertEquals(2, derived().generation());
    }

    @Test
    void aRotationMustRaiseTheGeneration() {
        assertThrows(IllegalArgumentException.class, () -> derived().rotateMaster(1, MASTER_2));
        assertThrows(IllegalArgumentException.class, () -> derived().rotateMaster(3, new byte[16]));
    }

    @Test
    void reinstatingARevokedIdentityMakesItKnownAgain() throws Exception {
        PskIdentity id = freshIdentity();
        derived().revoke(id);
        assertTrue(lookup(id).isEmpty());
        assertTrue(derived().reinstate(id));
        assertTrue(lookup(id).containsKey(id));
        assertTrue(derived().revokedIdentities().isEmpty());
    }

    @Test
    void aDenySetGivenAtStartApplies() throws Exception {
        PskIdentity id = PskIdentity.of("gone");
        try (DerivedPskStore s = DerivedPskStore.builder(1, MASTER_1).revoked(List.of(id)).build()) {
            assertTrue(await(s.lookup(List.of(id))).isEmpty());
        }
    }

    @Test
    void aClosedStoreAnswersNothing() {
        derived().close();
        assertThrows(Exception.class, () -> lookup(PskIdentity.of("x")));
        assertThrows(IllegalStateException.class, () -> derived().deriveKey(PskIdentity.of("x")));
    }

    @Test
    void sha384KeysAreFortyEightBytes() throws Exception {
        try (DerivedPskStore s = DerivedPskStore.builder(1, MASTER_1).hash(HashAlgorithm.SHA384).build()) {
            ExternalPsk k = await(s.lookup(List.of(PskIdentity.of("d")))).get(PskIdentity.of("d")).get(0);
            assertEquals(48, TestKeys.secretOf(k).length);
            assertEquals(HashAlgorithm.SHA384, k.hash());
        }
    }
}
