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

    // ---- a client-and-server context: on by default ----

    static PskTlsContext node(TlsVersion version, boolean allowOwn, AtomicInteger selections) {
        PskSelector keys = PskSelector.fromKeys(List.of(SHARED, PEER));
        PskTlsContext.Builder b = PskTlsContext.forClientAndServer(request -> {
            selections.incrementAndGet();
            return keys.select(request);
        }).addPsk(SHARED).protocols(version);
        if (allowOwn) {
            b.allowOwnIdentities();
        }
        return b.build();
    }

    /** A pair: the client side of {@code clientOf} against the server side of {@code serverOf}. */
    static EmbeddedPair pair(PskTlsContext clientOf, PskTlsContext serverOf) {
        return new EmbeddedPair(clientOf, serverOf);
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void clientAndServerContextRefusesItsOwnReflectedHelloByDefault(TlsVersion version) {
        AtomicInteger selections = new AtomicInteger();
        PskTlsContext node = node(version, false, selections);
        try (EmbeddedPair pair = pair(node, node)) {
            pair.pump();
            PskSelectionTest.assertSentAndReceived(pair, WireTap.Handlers.of(pair), AlertDescription.HANDSHAKE_FAILURE);
            assertEquals(0, selections.get(), "refused before the selector is asked");
        }
        // Stats of both sides together: the server side's refusal and the client side's failed handshake.
        assertEquals(2, node.stats().handshakesFailed());
        assertEquals(0, node.stats().handshakesSucceeded());
        // Its server side still serves other clients, and its client side still reaches other servers.
        try (EmbeddedPair pair = pair(PskTlsContext.forClient().addPsk(PEER).protocols(version).build(), node)) {
            pair.handshake();
            assertEquals("node-b", pair.serverHandler().session().identityAsString());
        }
        try (EmbeddedPair pair = pair(node, PskTlsContext.forServer(SHARED).protocols(version).build())) {
            pair.handshake();
            assertEquals("node-a", pair.clientHandler().session().identityAsString());
        }
        assertEquals(2, node.stats().handshakesSucceeded());
    }

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void allowOwnIdentitiesLetsTheEntityTalkToItself(TlsVersion version) {
        AtomicInteger selections = new AtomicInteger();
        PskTlsContext node = node(version, true, selections);
        try (EmbeddedPair pair = pair(node, node)) {
            pair.handshake();
            assertEquals("node-a", pair.serverHandler().session().identityAsString());
        }
        assertEquals(1, selections.get());
    }

    @org.junit.jupiter.api.Test
    void handlersComeFromTheRightSide() {
        PskTlsContext node = node(TlsVersion.TLS_1_3, false, new AtomicInteger());
        io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
        assertThrows(IllegalStateException.class, () -> node.newHandler(alloc));
        assertEquals(true, node.newClientHandler(alloc).isClient());
        assertEquals(false, node.newServerHandler(alloc).isClient());
        PskTlsContext server = PskTlsContext.forServer(PEER).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PEER).build();
        assertThrows(IllegalStateException.class, () -> server.newClientHandler(alloc));
        assertThrows(IllegalStateException.class, () -> client.newServerHandler(alloc));
        assertEquals(false, server.newServerHandler(alloc).isClient());
        assertEquals(true, client.newClientHandler(alloc).isClient());
        assertThrows(IllegalStateException.class, () -> PskTlsContext.forServer(PEER).allowOwnIdentities());
        assertThrows(IllegalStateException.class,
                () -> PskTlsContext.forClientAndServer(PskSelector.fromKeys(List.of(PEER))).build(),
                "a client-and-server context needs a PSK for its client side");
    }
}
