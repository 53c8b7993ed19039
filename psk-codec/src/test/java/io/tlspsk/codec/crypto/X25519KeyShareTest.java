package io.tlspsk.codec.crypto;

import static io.tlspsk.codec.crypto.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;

class X25519KeyShareTest {

    // RFC 7748 section 6.1
    private static final byte[] ALICE_PRIVATE = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PRIVATE = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    private static final byte[] BOB_PUBLIC = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @Test
    void agreeMatchesRfc7748Section6_1() throws Exception {
        X25519KeyShare alice = new X25519KeyShare(ALICE_PRIVATE);
        X25519KeyShare bob = new X25519KeyShare(BOB_PRIVATE);
        assertArrayEquals(ALICE_PUBLIC, alice.publicKey());
        assertArrayEquals(BOB_PUBLIC, bob.publicKey());
        assertArrayEquals(SHARED, alice.agree(BOB_PUBLIC));
        assertArrayEquals(SHARED, bob.agree(ALICE_PUBLIC));
    }

    @Test
    void twoRandomSharesAgree() throws Exception {
        KeyShare a = CryptoBackend.generateKeyShare(NamedGroup.X25519);
        KeyShare b = CryptoBackend.generateKeyShare(NamedGroup.X25519);
        assertEquals(NamedGroup.X25519, a.group());
        assertEquals(32, a.publicKey().length);
        assertArrayEquals(a.agree(b.publicKey()), b.agree(a.publicKey()));
    }

    @Test
    void allZeroSharedSecretFromLowOrderPointIsRejected() {
        KeyShare share = new X25519KeyShare();
        assertThrows(GeneralSecurityException.class, () -> share.agree(new byte[32]));
        byte[] one = new byte[32];
        one[0] = 1; // u = 1 has order 1 as well
        assertThrows(GeneralSecurityException.class, () -> share.agree(one));
    }

    @Test
    void wrongLengthPublicKeyIsRejected() {
        KeyShare share = new X25519KeyShare();
        assertThrows(GeneralSecurityException.class, () -> share.agree(new byte[31]));
        assertThrows(GeneralSecurityException.class, () -> share.agree(new byte[33]));
        assertThrows(GeneralSecurityException.class, () -> share.agree(new byte[0]));
    }

    @Test
    void publicKeyIsAFreshCopy() {
        KeyShare share = new X25519KeyShare(ALICE_PRIVATE);
        share.publicKey()[0] ^= 1;
        assertArrayEquals(ALICE_PUBLIC, share.publicKey());
    }

    @Test
    void destroyedShareRefusesToAgree() {
        KeyShare share = new X25519KeyShare();
        share.destroy();
        assertThrows(IllegalStateException.class, () -> share.agree(BOB_PUBLIC));
    }
}
