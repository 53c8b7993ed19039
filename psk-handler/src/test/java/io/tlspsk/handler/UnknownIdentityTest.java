package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.handshake.ExtensionType;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Identity enumeration in TLS 1.3: by default a server answers an identity it does not know exactly as it answers a
 * known identity whose binder does not verify (decrypt_error, RFC 8446 section 6.2), after the same work (one binder
 * check, against a decoy key); {@code rejectUnknownIdentity(true)} tells the client at once with handshake_failure.
 */
class UnknownIdentityTest {

    /** Same length as {@link HostileClientHello#IDENTITY}, so that both hellos have the same shape. */
    static final String UNKNOWN = "device-2";

    private static byte[] wrongKey() {
        byte[] key = HostileClientHello.KEY.clone();
        key[0] ^= 1;
        return key;
    }

    /** A first ClientHello whose key share the default server takes, or one that needs a HelloRetryRequest. */
    private static void shape(HostileClientHello h, boolean needsRetry) {
        if (needsRetry) {
            h.replace(ExtensionType.SUPPORTED_GROUPS,
                    HostileClientHello.u16List(2, HostileClientHello.X25519, HostileClientHello.SECP256R1));
            h.replace(ExtensionType.KEY_SHARE, new byte[] {0, 0});
        }
    }

    /** Sends the valid hello, shaped and then mutated, and returns every byte the server wrote in answer. */
    private static byte[] answer(PskTlsContext server, boolean needsRetry, Consumer<HostileClientHello> mutation,
                                 AlertDescription expected) {
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            shape(hello, needsRetry);
            mutation.accept(hello);
            c.send(hello.record());
            byte[] out = c.takeOutbound();
            c.assertHandshakeFailedBySending(expected);
            // The client goes on as if nothing happened: nothing more is answered either way.
            c.send(hello.record());
            assertEquals(0, c.takeOutbound().length, "the server answered after its fatal alert");
            return out;
        }
    }

    private static PskTlsContext server(boolean rejectUnknownIdentity) {
        return PskTlsContext.forServer(HostileClientHello.psk()).protocols(TlsVersion.TLS_1_3)
                .rejectUnknownIdentity(rejectUnknownIdentity).build();
    }

    @ParameterizedTest(name = "needsRetry={0}")
    @ValueSource(booleans = {false, true})
    void unknownIdentityAndWrongKeyGetTheSameBytesOnTheWire(boolean needsRetry) {
        PskTlsContext server = server(false);
        byte[] wrongKey = answer(server, needsRetry, h -> h.binderSecrets = List.of(wrongKey()),
                AlertDescription.DECRYPT_ERROR);
        byte[] unknown = answer(server, needsRetry, h -> h.psk(List.of(UNKNOWN), 32),
                AlertDescription.DECRYPT_ERROR);
        // Exactly one unprotected fatal decrypt_error each: no HelloRetryRequest, no change_cipher_spec, nothing else.
        assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.DECRYPT_ERROR), wrongKey);
        assertArrayEquals(wrongKey, unknown);
        assertEquals(1, server.stats().authenticationFailures(), "only the known identity is reported");
        assertEquals(2, server.stats().handshakesFailed());
    }

    @ParameterizedTest(name = "needsRetry={0}")
    @ValueSource(booleans = {false, true})
    void rejectUnknownIdentityTellsTheClientAtOnce(boolean needsRetry) {
        PskTlsContext server = server(true);
        byte[] wrongKey = answer(server, needsRetry, h -> h.binderSecrets = List.of(wrongKey()),
                AlertDescription.DECRYPT_ERROR);
        byte[] unknown = answer(server, needsRetry, h -> h.psk(List.of(UNKNOWN), 32),
                AlertDescription.HANDSHAKE_FAILURE);
        assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.DECRYPT_ERROR), wrongKey);
        assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.HANDSHAKE_FAILURE), unknown);
        assertEquals(1, server.stats().authenticationFailures());
    }

    @Test
    void severalUnknownIdentitiesOfMixedHashesFailLikeAWrongKey() {
        PskTlsContext server = server(false);
        answer(server, false, h -> h.psk(List.of("ghost-384", UNKNOWN), 48, 32), AlertDescription.DECRYPT_ERROR);
        answer(server, false, h -> h.psk(List.of("ghost-40", UNKNOWN), 40, 32), AlertDescription.DECRYPT_ERROR);
        assertEquals(0, server.stats().authenticationFailures());
    }

    /** Whoever makes a binder with the decoy key gets nowhere: the decoy check is refused whatever it gives. */
    @Test
    void binderMadeWithTheDecoyKeyIsRefused() {
        PskTlsContext server = server(false);
        byte[] decoy = server.decoyKey(HashAlgorithm.SHA256).secretForKeySchedule().clone();
        answer(server, false, h -> {
            h.psk(List.of(UNKNOWN), 32);
            h.binderSecrets = List.of(decoy);
        }, AlertDescription.DECRYPT_ERROR);
        Arrays.fill(decoy, (byte) 0);
    }

    /**
     * The unknown identity costs one binder check with the decoy key of the binder's hash, as a known identity costs
     * one with its key. Made visible, without timing anything, by destroying that decoy key: using a destroyed key
     * throws, which the handler turns into internal_error.
     */
    @Test
    void unknownIdentityIsCheckedAgainstTheDecoyKeyOfItsBindersHash() {
        PskTlsContext server = server(false);
        server.decoyKey(HashAlgorithm.SHA256).destroy();
        answer(server, false, h -> h.psk(List.of(UNKNOWN), 32), AlertDescription.INTERNAL_ERROR);
        // A SHA-384 binder is checked against the other decoy; a length of no hash costs no check at all.
        answer(server, false, h -> h.psk(List.of(UNKNOWN), 48), AlertDescription.DECRYPT_ERROR);
        answer(server, false, h -> h.psk(List.of(UNKNOWN), 40), AlertDescription.DECRYPT_ERROR);
    }

    /** A known identity bound to another hash than its key's gets the same single decoy check. */
    @Test
    void knownIdentityBoundToAnotherHashIsCheckedAgainstTheDecoyKey() {
        ExternalPsk sha384 = ExternalPsk.of(HostileClientHello.IDENTITY, HostileWire.pattern(48, 3), HashAlgorithm.SHA384);
        PskTlsContext server = PskTlsContext.forServer(sha384).protocols(TlsVersion.TLS_1_3).build();
        server.decoyKey(HashAlgorithm.SHA256).destroy();
        answer(server, false, h -> { }, AlertDescription.INTERNAL_ERROR);
        assertEquals(0, server.stats().authenticationFailures());
    }

    @Test
    void decoyKeysAreRandomPerContextAndOfTheirHashsLength() {
        PskTlsContext one = server(false);
        PskTlsContext two = server(false);
        for (HashAlgorithm hash : HashAlgorithm.values()) {
            byte[] a = one.decoyKey(hash).secretForKeySchedule();
            byte[] b = two.decoyKey(hash).secretForKeySchedule();
            assertEquals(hash, one.decoyKey(hash).hash());
            assertEquals(hash.length(), a.length);
            assertFalse(Arrays.equals(a, b), "two contexts share a decoy key");
            assertTrue(a != b);
        }
    }
}
