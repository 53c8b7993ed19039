package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which key verified: a key's label, carried by the session and the completion event for the candidate whose TLS 1.3
 * binder or TLS 1.2 Finished verified, and the selector's {@link PskSelector#authenticated} call once a handshake
 * completed.
 */
class KeyLabelTest {

    static final ExternalPsk MAIN = PskSelectionTest.psk("device-7", 3).withLabel("main-3");
    static final ExternalPsk BACKUP = PskSelectionTest.psk("device-7", 4).withLabel("backup-4");

    @Test
    void withLabelMakesAnIndependentCopy() {
        ExternalPsk plain = PskSelectionTest.psk("dev", 9);
        ExternalPsk labelled = plain.withLabel("backup-2");
        assertNull(plain.label());
        assertEquals("backup-2", labelled.label());
        assertEquals(plain.identityAsString(), labelled.identityAsString());
        plain.destroy();
        assertFalse(labelled.isDestroyed(), "the copy has its own secret");
        assertTrue(labelled.toString().contains("label=backup-2"), labelled::toString);
        assertThrows(IllegalStateException.class, () -> plain.withLabel("x"), "a destroyed key is not copied");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "tab\t", "caf\u00e9", "0123456789012345678901234567890123"})
    void unprintableEmptyOrLongLabelsAreRefused(String label) {
        ExternalPsk psk = PskSelectionTest.psk("dev", 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> psk.withLabel(label));
        if (!label.isEmpty()) {
            assertFalse(e.getMessage().contains(label), "the refused label is not echoed: " + e.getMessage());
        }
    }

    @Test
    void tls13SessionAndEventCarryTheLabelOfTheBackupKeyThatVerified() {
        assertLabelOfVerifiedKey(CipherSuite.TLS_AES_128_GCM_SHA256, BACKUP, "backup-4");
        assertLabelOfVerifiedKey(CipherSuite.TLS_AES_128_GCM_SHA256, MAIN, "main-3");
    }

    @Test
    void tls12SessionAndEventCarryTheLabelOfTheKeyWhoseFinishedVerified() {
        assertLabelOfVerifiedKey(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, BACKUP, "backup-4");
        assertLabelOfVerifiedKey(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, MAIN, "main-3");
    }

    private static void assertLabelOfVerifiedKey(CipherSuite suite, ExternalPsk clientKey, String expected) {
        List<ExternalPsk> confirmed = new ArrayList<>();
        List<PskTlsSession> sessions = new ArrayList<>();
        PskSelector keys = PskSelector.fromKeys(List.of(MAIN, BACKUP));
        PskTlsContext server = PskTlsContext.forServer(new PskSelector() {
            @Override
            public java.util.concurrent.CompletionStage<PskSelection> select(PskSelectionRequest request) {
                return keys.select(request);
            }

            @Override
            public void authenticated(PskSelectionRequest request, ExternalPsk key, PskTlsSession session) {
                assertEquals("device-7", request.offeredPsks().get(0).identityAsString());
                confirmed.add(key);
                sessions.add(session);
            }
        }).cipherSuites(suite).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(clientKey).cipherSuites(suite).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            PskTlsSession session = pair.serverHandler().session();
            assertEquals(expected, session.keyLabel());
            assertTrue(session.toString().contains("key=" + expected), session::toString);
            assertEquals(expected, pair.serverEvents.event(PskHandshakeCompletionEvent.class).keyLabel());
            assertEquals(expected, pair.clientHandler().session().keyLabel(), "the client's own key's label");
            assertEquals(1, confirmed.size(), "authenticated once per completed handshake");
            assertEquals(expected, confirmed.get(0).label());
            assertSame(session, sessions.get(0));
        }
    }

    @Test
    void authenticatedIsNotCalledWhenNoCandidateVerifies() {
        List<ExternalPsk> confirmed = new ArrayList<>();
        PskSelector keys = PskSelector.fromKeys(List.of(MAIN));
        PskTlsContext server = PskTlsContext.forServer(new PskSelector() {
            @Override
            public java.util.concurrent.CompletionStage<PskSelection> select(PskSelectionRequest request) {
                return keys.select(request);
            }

            @Override
            public void authenticated(PskSelectionRequest request, ExternalPsk key, PskTlsSession session) {
                confirmed.add(key);
            }
        }).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(BACKUP).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            assertFalse(pair.serverHandler().handshakeFuture().isSuccess());
            assertTrue(confirmed.isEmpty());
        }
    }

    @Test
    void anAuthenticatedHookThatThrowsDoesNotUndoTheHandshake() {
        PskSelector keys = PskSelector.fromKeys(List.of(MAIN));
        PskTlsContext server = PskTlsContext.forServer(new PskSelector() {
            @Override
            public java.util.concurrent.CompletionStage<PskSelection> select(PskSelectionRequest request) {
                return CompletableFuture.completedFuture(keys.select(request).toCompletableFuture().join());
            }

            @Override
            public void authenticated(PskSelectionRequest request, ExternalPsk key, PskTlsSession session) {
                throw new IllegalStateException("promotion service down");
            }
        }).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(MAIN).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            pair.assertDataFlowsBothWays("up", "down");
        }
    }

    @Test
    void anUnlabelledKeyHasNoLabel() {
        ExternalPsk key = ExternalPsk.of("plain", WireTap.pattern(32, 1), HashAlgorithm.SHA256);
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(key).build(),
                PskTlsContext.forServer(key).build())) {
            pair.handshake();
            assertNull(pair.serverHandler().session().keyLabel());
            assertFalse(pair.serverHandler().session().toString().contains("key="));
        }
    }
}
