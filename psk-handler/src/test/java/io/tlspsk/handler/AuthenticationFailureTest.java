package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failed-key reporting: a {@link PskAuthenticationFailedEvent} before the failure events when a known identity's
 * key is not proven, and the context's {@link PskTlsStats} totals.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AuthenticationFailureTest {

    static final ExternalPsk PSK = ExternalPsk.of("meter-7", WireTap.pattern(32, 71), HashAlgorithm.SHA256);
    static final ExternalPsk WRONG = ExternalPsk.of("meter-7", WireTap.pattern(32, 72), HashAlgorithm.SHA256);
    static final ExternalPsk STRANGER = ExternalPsk.of("stranger", WireTap.pattern(32, 73), HashAlgorithm.SHA256);

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void wrongKeyFiresOneEventBeforeTheFailureAndIsCounted(TlsVersion version) {
        PskTlsContext client = PskTlsContext.forClient().addPsk(WRONG).protocols(version).build();
        PskTlsContext server = PskTlsContext.forServer(PSK).protocols(version).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            assertFalse(pair.serverHandler().handshakeFuture().isSuccess());
            List<PskAuthenticationFailedEvent> failed =
                    WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class);
            assertEquals(1, failed.size(), () -> "events: " + pair.serverEvents.events);
            PskAuthenticationFailedEvent event = failed.get(0);
            assertEquals("meter-7", event.identityAsString());
            assertArrayEquals("meter-7".getBytes(StandardCharsets.UTF_8), event.identity());
            assertEquals(version, event.protocolVersion());
            assertNotNull(event.remoteAddress());
            // Before the completion event that reports the failure.
            int at = pair.serverEvents.events.indexOf(event);
            int completion = pair.serverEvents.events.indexOf(
                    pair.serverEvents.event(PskHandshakeCompletionEvent.class));
            assertTrue(at >= 0 && at < completion, () -> "order: " + pair.serverEvents.events);
            PskAlertException sent = PskSelectionTest.alert(pair.serverHandler().handshakeFuture());
            assertEquals(version == TlsVersion.TLS_1_3 ? AlertDescription.DECRYPT_ERROR
                    : AlertDescription.BAD_RECORD_MAC, sent.description());
            // The client learns nothing new: no event on its side.
            assertTrue(WireTap.events(pair.clientEvents, PskAuthenticationFailedEvent.class).isEmpty());
        }
        assertStats(server, 0, 1, 1);
        assertStats(client, 0, 1, 0);
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void unknownIdentityFiresNoEventButCountsAFailedHandshake(TlsVersion version) {
        PskTlsContext client = PskTlsContext.forClient().addPsk(STRANGER).protocols(version).build();
        PskTlsContext server = PskTlsContext.forServer(PSK).protocols(version).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            // By default the wire says what a wrong key gets (TLS 1.3: decrypt_error after a decoy binder check;
            // TLS 1.2: a random stand-in key failing at Finished), but nothing is reported: nothing to guess against.
            assertEquals(version == TlsVersion.TLS_1_3 ? AlertDescription.DECRYPT_ERROR
                    : AlertDescription.BAD_RECORD_MAC,
                    PskSelectionTest.alert(pair.serverHandler().handshakeFuture()).description());
            assertTrue(WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class).isEmpty(),
                    () -> "events: " + pair.serverEvents.events);
        }
        assertStats(server, 0, 1, 0);
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void rejectedUnknownIdentityFiresNoEventEither(TlsVersion version) {
        PskTlsContext client = PskTlsContext.forClient().addPsk(STRANGER).protocols(version).build();
        PskTlsContext server = PskTlsContext.forServer(PSK).protocols(version).rejectUnknownIdentity(true).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            assertEquals(version == TlsVersion.TLS_1_3 ? AlertDescription.HANDSHAKE_FAILURE
                    : AlertDescription.UNKNOWN_PSK_IDENTITY,
                    PskSelectionTest.alert(pair.serverHandler().handshakeFuture()).description());
            assertTrue(WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class).isEmpty(),
                    () -> "events: " + pair.serverEvents.events);
        }
        assertStats(server, 0, 1, 0);
    }

    /**
     * The client bound a known identity to SHA-256 (a 32-byte binder) while the server's key for it is SHA-384: no
     * key of that identity was tried, so nobody guessed one; decrypt_error, as for any binder that cannot verify.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void binderOfAnotherHashThanTheKnownKeysFiresNoEvent(boolean rejectUnknownIdentity) {
        ExternalPsk sha384 = ExternalPsk.of("meter-7", WireTap.pattern(48, 75), HashAlgorithm.SHA384);
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).protocols(TlsVersion.TLS_1_3).build();
        PskTlsContext server = PskTlsContext.forServer(sha384).rejectUnknownIdentity(rejectUnknownIdentity).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            PskAlertException sent = PskSelectionTest.alert(pair.serverHandler().handshakeFuture());
            assertEquals(AlertDescription.DECRYPT_ERROR, sent.description(), sent::getMessage);
            assertTrue(WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class).isEmpty(),
                    () -> "events: " + pair.serverEvents.events);
        }
        assertStats(server, 0, 1, 0);
    }

    /** A key destroyed (revoked) after the selector chose it is no key: the identity fails as an unknown one. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void identityWhoseKeysWereDestroyedFailsAsUnknownWithoutEvent(boolean rejectUnknownIdentity) {
        ExternalPsk revoked = ExternalPsk.of("meter-7", WireTap.pattern(32, 71), HashAlgorithm.SHA256);
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).protocols(TlsVersion.TLS_1_3).build();
        PskTlsContext server = PskTlsContext.forServer(request -> {
            revoked.destroy(); // revoked between the lookup and the binder check
            return java.util.concurrent.CompletableFuture.completedFuture(
                    PskSelection.of(request.offeredPsks().get(0), revoked));
        }).rejectUnknownIdentity(rejectUnknownIdentity).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            assertEquals(rejectUnknownIdentity ? AlertDescription.HANDSHAKE_FAILURE : AlertDescription.DECRYPT_ERROR,
                    PskSelectionTest.alert(pair.serverHandler().handshakeFuture()).description());
            assertTrue(WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class).isEmpty(),
                    () -> "events: " + pair.serverEvents.events);
        }
        assertStats(server, 0, 1, 0);
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void backupKeyMatchingIsNoFailureAndSuccessesAreCounted(TlsVersion version) {
        ExternalPsk backup = ExternalPsk.of("meter-7", WireTap.pattern(32, 74), HashAlgorithm.SHA256);
        PskTlsContext server = PskTlsContext.forServer(PSK, backup).protocols(version).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(backup).protocols(version).build();
        for (int i = 0; i < 2; i++) {
            try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
                pair.handshake();
                assertTrue(WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class).isEmpty());
            }
        }
        assertStats(server, 2, 0, 0);
        assertStats(client, 2, 0, 0);
        assertTrue(server.stats().toString().contains("succeeded=2"), server.stats()::toString);
    }

    static void assertStats(PskTlsContext context, long succeeded, long failed, long authFailures) {
        PskTlsStats stats = context.stats();
        assertEquals(succeeded, stats.handshakesSucceeded(), stats::toString);
        assertEquals(failed, stats.handshakesFailed(), stats::toString);
        assertEquals(authFailures, stats.authenticationFailures(), stats::toString);
    }
}
