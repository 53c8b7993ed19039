package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ALPN (RFC 7301) and server_name (RFC 6066) as both sessions and the PSK selector see them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AlpnAndServerNameTest {

    static final ExternalPsk PSK = ExternalPsk.of("alpn-sni", WireTap.pattern(32, 51), HashAlgorithm.SHA256);

    @Test
    void serverPicksTheProtocolItSupportsFromTheClientsOffer() {
        PskTlsContext server = PskTlsContext.forServer(PSK).applicationProtocols("mqtt").build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).applicationProtocols("h2", "mqtt").build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("mqtt", pair.serverHandler().session().applicationProtocol());
            assertEquals("mqtt", pair.clientHandler().session().applicationProtocol());
        }
    }

    @Test
    void serverPreferenceWinsWhenSeveralProtocolsAreShared() {
        PskTlsContext server = PskTlsContext.forServer(PSK).applicationProtocols("mqtt", "h2").build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).applicationProtocols("h2", "mqtt").build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("mqtt", pair.serverHandler().session().applicationProtocol());
            assertEquals("mqtt", pair.clientHandler().session().applicationProtocol());
        }
    }

    @Test
    void noCommonProtocolFailsWithNoApplicationProtocol() {
        PskTlsContext server = PskTlsContext.forServer(PSK).applicationProtocols("coap").build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).applicationProtocols("h2", "mqtt").build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            PskAlertException sent = assertInstanceOf(PskAlertException.class, h.server().handshakeFuture().cause());
            assertEquals(AlertDescription.NO_APPLICATION_PROTOCOL, sent.description());
            assertFalse(sent.isReceived());
            PskAlertException received = assertInstanceOf(PskAlertException.class,
                    h.client().handshakeFuture().cause());
            assertEquals(AlertDescription.NO_APPLICATION_PROTOCOL, received.description());
            assertTrue(received.isReceived());
        }
    }

    @Test
    void noAlpnWhenOnlyOneSideConfiguresIt() {
        PskTlsContext plainServer = PskTlsContext.forServer(PSK).build();
        PskTlsContext alpnClient = PskTlsContext.forClient().addPsk(PSK).applicationProtocols("mqtt").build();
        try (EmbeddedPair pair = new EmbeddedPair(alpnClient, plainServer)) {
            pair.handshake();
            assertNull(pair.serverHandler().session().applicationProtocol());
            assertNull(pair.clientHandler().session().applicationProtocol());
        }
        PskTlsContext alpnServer = PskTlsContext.forServer(PSK).applicationProtocols("mqtt").build();
        PskTlsContext plainClient = PskTlsContext.forClient().addPsk(PSK).build();
        try (EmbeddedPair pair = new EmbeddedPair(plainClient, alpnServer)) {
            pair.handshake();
            assertNull(pair.serverHandler().session().applicationProtocol());
            assertNull(pair.clientHandler().session().applicationProtocol());
        }
    }

    @Test
    void serverNameReachesTheSelectorAndBothSessions() {
        List<String> seen = new ArrayList<>();
        PskSelector keys = PskSelector.fromKeys(List.of(PSK));
        PskTlsContext server = PskTlsContext.forServer(request -> {
            seen.add(request.serverName());
            return keys.select(request);
        }).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).serverName("broker.example.com").build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals(List.of("broker.example.com"), seen);
            assertEquals("broker.example.com", pair.serverHandler().session().serverName());
            assertEquals("broker.example.com", pair.clientHandler().session().serverName());
        }
    }

    @Test
    void noServerNameWhenTheClientSendsNone() {
        List<String> seen = new ArrayList<>();
        PskSelector keys = PskSelector.fromKeys(List.of(PSK));
        PskTlsContext server = PskTlsContext.forServer(request -> {
            seen.add(request.serverName());
            return keys.select(request);
        }).build();
        try (EmbeddedPair pair = new EmbeddedPair(PskTlsContext.forClient().addPsk(PSK).build(), server)) {
            pair.handshake();
            assertEquals(1, seen.size());
            assertNull(seen.get(0));
            assertNull(pair.serverHandler().session().serverName());
            assertNull(pair.clientHandler().session().serverName());
        }
    }

    @Test
    void alpnAndServerNameSurviveAHelloRetryRequest() {
        PskTlsContext server = PskTlsContext.forServer(PSK).applicationProtocols("mqtt")
                .groups(io.tlspsk.codec.crypto.NamedGroup.SECP256R1).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK).applicationProtocols("h2", "mqtt")
                .serverName("broker.example.com").build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            PskTlsSession s = pair.serverHandler().session();
            assertEquals(io.tlspsk.codec.crypto.NamedGroup.SECP256R1, s.group(), "an HRR took place");
            assertEquals("mqtt", s.applicationProtocol());
            assertEquals("mqtt", pair.clientHandler().session().applicationProtocol());
            assertEquals("broker.example.com", s.serverName());
        }
    }
}
