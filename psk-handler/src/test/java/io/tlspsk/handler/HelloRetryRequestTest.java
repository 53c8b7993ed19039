package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.record.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HelloRetryRequest (RFC 8446 section 4.1.4): the client's first key share is for a group the server does not
 * take, so the server asks for another; with and without middlebox compatibility, and with PSKs of two hashes
 * where the retry's suite leaves only one usable.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HelloRetryRequestTest {

    /** RFC 8446 section 4.1.3: the random of a HelloRetryRequest. */
    static final byte[] HRR_RANDOM = HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    static final ExternalPsk PSK_256 = ExternalPsk.of("sensor-256", WireTap.pattern(32, 11), HashAlgorithm.SHA256);
    static final ExternalPsk PSK_384 = ExternalPsk.of("sensor-384", WireTap.pattern(48, 12), HashAlgorithm.SHA384);

    @ParameterizedTest(name = "middleboxCompatibility={0}")
    @ValueSource(booleans = {true, false})
    void serverWithoutClientsFirstGroupRetriesAndCompletesWithSecp384r1(boolean compatibility) {
        PskTlsContext server = PskTlsContext.forServer(PSK_256).groups(NamedGroup.SECP384R1).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK_256)
                .groups(NamedGroup.X25519, NamedGroup.SECP384R1)
                .middleboxCompatibility(compatibility).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            // Flight 1: ClientHello (x25519 share only).
            List<ByteBuf> hello = WireTap.take(pair.client);
            assertEquals(List.of(ContentType.HANDSHAKE), WireTap.types(hello));
            WireTap.deliver(hello, pair.server);

            // The server answers with a HelloRetryRequest only, plus the dummy change_cipher_spec in compat mode.
            List<ByteBuf> retry = WireTap.take(pair.server);
            byte[] bytes = WireTap.concat(retry);
            assertEquals(compatibility ? List.of(ContentType.HANDSHAKE, ContentType.CHANGE_CIPHER_SPEC)
                    : List.of(ContentType.HANDSHAKE), WireTap.types(retry));
            assertEquals(HandshakeType.SERVER_HELLO, bytes[5]);
            assertArrayEquals(HRR_RANDOM, Arrays.copyOfRange(bytes, 11, 43), "first server message is an HRR");
            assertTrue(!pair.serverHandler().handshakeFuture().isDone(), "handshake goes on after the HRR");
            WireTap.deliver(retry, pair.client);

            // The client's second ClientHello, after its own dummy change_cipher_spec in compat mode.
            List<ByteBuf> hello2 = WireTap.take(pair.client);
            assertEquals(compatibility ? List.of(ContentType.CHANGE_CIPHER_SPEC, ContentType.HANDSHAKE)
                    : List.of(ContentType.HANDSHAKE), WireTap.types(hello2));
            WireTap.deliver(hello2, pair.server);

            pair.handshake();
            PskTlsSession c = pair.clientHandler().session();
            PskTlsSession s = pair.serverHandler().session();
            assertEquals(NamedGroup.SECP384R1, c.group());
            assertEquals(NamedGroup.SECP384R1, s.group());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
            assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, c.cipherSuite());
            assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, s.cipherSuite());
            assertEquals("sensor-256", s.identityAsString());
            assertDataFlowsBothWays(pair);
        }
    }

    @Test
    void retryToSha384SuiteDropsTheSha256PskAndStillSucceeds() {
        // The server only knows the SHA-384 key, so its HRR names TLS_AES_256_GCM_SHA384; the client must drop
        // the SHA-256 PSK from its second ClientHello, and the server must find its PSK at the new index 0.
        PskTlsContext server = PskTlsContext.forServer(PSK_384).groups(NamedGroup.SECP384R1).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK_256).addPsk(PSK_384)
                .groups(NamedGroup.X25519, NamedGroup.SECP384R1).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            List<ByteBuf> hello = WireTap.take(pair.client);
            byte[] first = WireTap.concat(hello);
            assertTrue(contains(first, "sensor-256") && contains(first, "sensor-384"),
                    "the first ClientHello offers both PSKs");
            WireTap.deliver(hello, pair.server);
            WireTap.deliver(WireTap.take(pair.server), pair.client);

            List<ByteBuf> hello2 = WireTap.take(pair.client);
            byte[] second = WireTap.concat(hello2);
            assertTrue(!contains(second, "sensor-256") && contains(second, "sensor-384"),
                    "the second ClientHello offers only the PSK that fits the retry's suite");
            WireTap.deliver(hello2, pair.server);

            pair.handshake();
            PskTlsSession c = pair.clientHandler().session();
            PskTlsSession s = pair.serverHandler().session();
            assertEquals(CipherSuite.TLS_AES_256_GCM_SHA384, c.cipherSuite());
            assertEquals(CipherSuite.TLS_AES_256_GCM_SHA384, s.cipherSuite());
            assertEquals("sensor-384", c.identityAsString());
            assertEquals("sensor-384", s.identityAsString());
            assertEquals(NamedGroup.SECP384R1, c.group());
            assertEquals(NamedGroup.SECP384R1, s.group());
            assertDataFlowsBothWays(pair);
        }
    }

    @Test
    void selectorIsCalledOnceAcrossTheRetry() {
        int[] calls = {0};
        PskSelector keys = PskSelector.fromKeys(List.of(PSK_256));
        PskTlsContext server = PskTlsContext.forServer(request -> {
            calls[0]++;
            return keys.select(request);
        }).groups(NamedGroup.SECP384R1).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK_256)
                .groups(NamedGroup.X25519, NamedGroup.SECP384R1).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals(NamedGroup.SECP384R1, pair.serverHandler().session().group());
            assertEquals(1, calls[0], "a HelloRetryRequest reuses the first selection");
        }
    }

    @Test
    void asyncSelectionFollowedByHelloRetryRequestCompletes() {
        java.util.concurrent.CompletableFuture<PskSelection> pending = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<PskSelectionRequest> request =
                new java.util.concurrent.atomic.AtomicReference<>();
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            return pending;
        }).groups(NamedGroup.SECP384R1).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(PSK_256)
                .groups(NamedGroup.X25519, NamedGroup.SECP384R1).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.pump();
            assertTrue(!pair.serverHandler().handshakeFuture().isDone(), "waiting for the selection");
            pending.complete(PskSelection.of(request.get().offeredPsks().get(0), PSK_256));
            pair.handshake();
            assertEquals(NamedGroup.SECP384R1, pair.serverHandler().session().group());
            assertDataFlowsBothWays(pair);
        }
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void assertDataFlowsBothWays(EmbeddedPair pair) {
        pair.client.writeAndFlush(Unpooled.copiedBuffer("up", StandardCharsets.UTF_8));
        pair.server.writeAndFlush(Unpooled.copiedBuffer("down", StandardCharsets.UTF_8));
        pair.pump();
        assertEquals("up", pair.serverEvents.drainText());
        assertEquals("down", pair.clientEvents.drainText());
    }
}
