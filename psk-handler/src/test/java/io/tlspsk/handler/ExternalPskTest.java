package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.crypto.HashAlgorithm;
import org.junit.jupiter.api.Test;

/** Key checks of {@link ExternalPsk}: the 128-bit floor of RFC 9257 and its explicit legacy escape. */
class ExternalPskTest {

    @Test
    void secretsShorterThanSixteenBytesAreRefusedByOf() {
        for (int length : new int[] {1, 8, 15}) {
            byte[] secret = WireTap.pattern(length, 7);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ExternalPsk.of("legacy", secret, HashAlgorithm.SHA256));
            assertTrue(e.getMessage().contains(length + " bytes") && e.getMessage().contains("ofShortSecret"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("RFC 9257"), e.getMessage());
        }
    }

    @Test
    void sixteenBytesIsEnough() {
        ExternalPsk psk = ExternalPsk.of("device", WireTap.pattern(ExternalPsk.MIN_SECRET_LENGTH, 7),
                HashAlgorithm.SHA256);
        assertEquals("device", psk.identityAsString());
    }

    @Test
    void ofShortSecretAcceptsShortKeysButStillRefusesEmptyAndZeroOnes() {
        ExternalPsk psk = ExternalPsk.ofShortSecret("legacy", new byte[] {1, 2, 3, 4}, HashAlgorithm.SHA256);
        assertEquals("legacy", psk.identityAsString());
        assertFalse(psk.isDestroyed());
        assertThrows(IllegalArgumentException.class,
                () -> ExternalPsk.ofShortSecret("legacy", new byte[0], HashAlgorithm.SHA256));
        assertThrows(IllegalArgumentException.class,
                () -> ExternalPsk.ofShortSecret("legacy", new byte[4], HashAlgorithm.SHA256));
        assertThrows(IllegalArgumentException.class,
                () -> ExternalPsk.ofShortSecret(new byte[0], new byte[] {1}, HashAlgorithm.SHA256));
    }

    @Test
    void shortKeyFromOfShortSecretCompletesHandshakesInBothVersions() {
        ExternalPsk psk = ExternalPsk.ofShortSecret("legacy-device", new byte[] {9, 8, 7, 6, 5, 4, 3, 2},
                HashAlgorithm.SHA256);
        for (TlsVersion version : TlsVersion.values()) {
            try (EmbeddedPair pair = new EmbeddedPair(
                    PskTlsContext.forClient().addPsk(psk).protocols(version).build(),
                    PskTlsContext.forServer(psk).protocols(version).build())) {
                pair.handshake();
                assertEquals("legacy-device", pair.serverHandler().session().identityAsString());
            }
        }
    }
}
