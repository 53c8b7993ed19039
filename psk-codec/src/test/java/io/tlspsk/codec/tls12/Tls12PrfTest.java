package io.tlspsk.codec.tls12;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.Arrays;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Tls12Prf}: the widely published TLS 1.2 PRF vectors, and agreement with BouncyCastle's PRF. */
class Tls12PrfTest {

    /** The P_SHA256 vector posted to the TLS WG list (msg03416), also used by the OASIS PKCS#11 TC. */
    @Test
    void sha256KnownAnswer() {
        byte[] out = new Tls12Prf(HashAlgorithm.SHA256).prf(Hex.decode("9bbe436ba940f017b17652849a71db35"),
                "test label", Hex.decode("a0ba9f936cda311827a6f796ffd5198c"), 100);
        assertArrayEquals(Hex.decode("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                + "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                + "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                + "87347b66"), out);
    }

    /** The P_SHA384 vector from the same posting. */
    @Test
    void sha384KnownAnswer() {
        byte[] out = new Tls12Prf(HashAlgorithm.SHA384).prf(Hex.decode("b80b733d6ceefcdc71566ea48e5567df"),
                "test label", Hex.decode("cd665cf6a8447dd6ff8b27555edb7465"), 148);
        assertArrayEquals(Hex.decode("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
                + "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
                + "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
                + "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
                + "91c8f3a26854308d5eaa3be85e0990703d73e56f"), out);
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void matchesBouncyCastleForEveryLength(HashAlgorithm hash) {
        Tls12Prf prf = new Tls12Prf(hash);
        for (int length : new int[] {0, 1, 12, 31, 32, 33, 47, 48, 49, 64, 96, 104, 200}) {
            byte[] secret = Tls12RecordProtectionTest.random(1 + length % 70);
            byte[] seed = Tls12RecordProtectionTest.random(64);
            assertArrayEquals(BcTls12.prf(hash, secret, "some label", seed, length),
                    prf.prf(secret, "some label", seed, length), "length " + length);
        }
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void derivedSecretsMatchBouncyCastle(HashAlgorithm hash) {
        Tls12Prf prf = new Tls12Prf(hash);
        byte[] premaster = PskPremaster.plain(Tls12RecordProtectionTest.random(32));
        byte[] clientRandom = Tls12RecordProtectionTest.random(32);
        byte[] serverRandom = Tls12RecordProtectionTest.random(32);
        byte[] sessionHash = Tls12RecordProtectionTest.random(hash.length());

        byte[] master = prf.masterSecret(premaster, clientRandom, serverRandom);
        assertEquals(48, master.length);
        assertArrayEquals(BcTls12.prf(hash, premaster, "master secret",
                Tls12RecordProtectionTest.concat(clientRandom, serverRandom), 48), master);

        // RFC 7627 section 4
        byte[] ems = prf.extendedMasterSecret(premaster, sessionHash);
        assertArrayEquals(BcTls12.prf(hash, premaster, "extended master secret", sessionHash, 48), ems);
        assertFalse(Arrays.equals(master, ems));

        byte[] keyBlock = prf.keyBlock(master, serverRandom, clientRandom, 96);
        assertArrayEquals(BcTls12.prf(hash, master, "key expansion",
                Tls12RecordProtectionTest.concat(serverRandom, clientRandom), 96), keyBlock);

        byte[] client = prf.verifyData(master, true, sessionHash);
        byte[] server = prf.verifyData(master, false, sessionHash);
        assertEquals(12, client.length);
        assertArrayEquals(BcTls12.prf(hash, master, "client finished", sessionHash, 12), client);
        assertArrayEquals(BcTls12.prf(hash, master, "server finished", sessionHash, 12), server);
    }

    /**
     * The (extended) master secret against BouncyCastle's own derivation (its handshake's calculateMasterSecret, which
     * picks RFC 7627's label and the session hash, or RFC 5246's label and the randoms, itself), not against our PRF
     * with our label: a premaster of each PSK shape (RFC 4279 section 2, with and without an (EC)DHE secret).
     */
    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void masterSecretsMatchBouncyCastlesHandshakeDerivation(HashAlgorithm hash) throws Exception {
        Tls12Prf prf = new Tls12Prf(hash);
        byte[][] premasters = {PskPremaster.plain(Tls12RecordProtectionTest.random(32)),
                PskPremaster.withOtherSecret(Tls12RecordProtectionTest.random(32), Tls12RecordProtectionTest.random(256))};
        for (byte[] premaster : premasters) {
            byte[] clientRandom = Tls12RecordProtectionTest.random(32);
            byte[] serverRandom = Tls12RecordProtectionTest.random(32);
            byte[] sessionHash = Tls12RecordProtectionTest.random(hash.length());
            assertArrayEquals(BcTls12.masterSecret(hash, premaster, clientRandom, serverRandom, sessionHash, true),
                    prf.extendedMasterSecret(premaster, sessionHash), "extended master secret");
            assertArrayEquals(BcTls12.masterSecret(hash, premaster, clientRandom, serverRandom, sessionHash, false),
                    prf.masterSecret(premaster, clientRandom, serverRandom), "master secret");
        }
    }

    @Test
    void rejectsBadRandoms() {
        Tls12Prf prf = new Tls12Prf(HashAlgorithm.SHA256);
        assertThrows(IllegalArgumentException.class, () -> prf.masterSecret(new byte[10], new byte[31], new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> prf.keyBlock(new byte[48], new byte[32], new byte[33], 40));
    }
}
