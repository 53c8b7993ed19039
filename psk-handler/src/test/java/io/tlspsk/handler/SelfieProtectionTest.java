package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Selfie attack (RFC 9257): an entity that is client and server with one PSK is made to talk to
 * itself. Its server, given its client context, refuses its own ClientHello before any PSK selection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelfieProtectionTest {

    /** The one key this entity uses in both roles (what RFC 9257 advises against). */
    static final ExternalPsk SHARED = ExternalPsk.of("node-a", WireTap.pattern(32, 81), HashAlgorithm.SHA256);
    static final ExternalPsk PEER = ExternalPsk.of("node-b", WireTap.pattern(32, 82), HashAlgorithm.SHA256);

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void serverGivenItsClientContextRefusesItsOwnHelloBeforeSelection(TlsVersion version) {
        PskTlsContext ownClient = PskTlsContext.forClient().addPsk(SHARED).protocols(version).build();
        AtomicInteger selections = new AtomicInteger();
        PskSelector keys = PskSelector.fromKeys(List.of(SHARED, PEER));
        PskTlsContext ownServer = PskTlsContext.forServer(request -> {
            selections.incrementAndGet();
            return keys.select(request);
        }).protocols(version).rejectIdentitiesOf(ownClient).build();
        // The attacker reflects this entity's ClientHello to its own server.
        try (EmbeddedPair pair = new EmbeddedPair(ownClient, ownServer)) {
            pair.pump();
            PskSelectionTest.assertSentAndReceived(pair, WireTap.Handlers.of(pair), AlertDescription.HANDSHAKE_FAILURE);
            assertEquals(0, selections.get(), "refused before the selector is asked");
            assertEquals(List.of(), WireTap.events(pair.serverEvents, PskAuthenticationFailedEvent.class));
        }
        AuthenticationFailureTest.assertStats(ownServer, 0, 1, 0);
        // Other clients still get in.
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PEER).protocols(version).build(),
                ownServer)) {
            pair.handshake();
            assertEquals("node-b", pair.serverHandler().session().identityAsString());
        }
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void withoutTheClientContextTheReflectedHandshakeSucceeds(TlsVersion version) {
        PskTlsContext ownClient = PskTlsContext.forClient().addPsk(SHARED).protocols(version).build();
        PskTlsContext ownServer = PskTlsContext.forServer(SHARED, PEER).protocols(version).build();
        try (EmbeddedPair pair = new EmbeddedPair(ownClient, ownServer)) {
            pair.handshake(); // the Selfie attack works: the entity authenticated itself
        }
    }

    @Test
    void anyOfferedIdentityOfTheClientIsRefusedInTls13() {
        PskTlsContext ownClient = PskTlsContext.forClient().addPsk(SHARED).build();
        PskTlsContext ownServer = PskTlsContext.forServer(SHARED, PEER).rejectIdentitiesOf(ownClient).build();
        // A hello offering a legitimate identity first and ours second is still our client's hello.
        PskTlsContext mixed = PskTlsContext.forClient().addPsk(PEER).addPsk(SHARED).build();
        try (EmbeddedPair pair = new EmbeddedPair(mixed, ownServer)) {
            pair.pump();
            PskSelectionTest.assertSentAndReceived(pair, WireTap.Handlers.of(pair), AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    @Test
    void builderChecksRoles() {
        PskTlsContext client = PskTlsContext.forClient().addPsk(SHARED).build();
        PskTlsContext server = PskTlsContext.forServer(SHARED).build();
        assertThrows(IllegalStateException.class, () -> PskTlsContext.forClient().rejectIdentitiesOf(client));
        assertThrows(IllegalArgumentException.class, () -> PskTlsContext.forServer(SHARED).rejectIdentitiesOf(server));
        assertThrows(NullPointerException.class, () -> PskTlsContext.forServer(SHARED).rejectIdentitiesOf(null));
    }
}
