package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our TLS 1.2 client against our TLS 1.2 server, for every TLS 1.2 suite. */
class Tls12HandshakeTest {

    static Stream<CipherSuite> tls12Suites() {
        return Arrays.stream(CipherSuite.values()).filter(s -> !s.isTls13());
    }

    @ParameterizedTest
    @MethodSource("tls12Suites")
    void everySuiteCompletesAndCarriesDataBothWays(CipherSuite suite) {
        ExternalPsk psk = ExternalPsk.of("device-12", HandshakeSmokeTest.KEY, HashAlgorithm.SHA256);
        PskTlsContext server = PskTlsContext.forServer(psk).cipherSuites(suite).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(psk).cipherSuites(suite).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            PskTlsSession s = pair.serverHandler().session();
            PskTlsSession c = pair.clientHandler().session();
            assertEquals("TLSv1.2", s.protocol());
            assertEquals("TLSv1.2", c.protocol());
            assertEquals(suite, s.cipherSuite());
            assertEquals(suite, c.cipherSuite());
            assertEquals("device-12", s.identityAsString());
            assertNull(s.keyExchangeMode());
            NamedGroup expectedGroup = suite.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK ? NamedGroup.X25519
                    : suite.keyExchange() == CipherSuite.KeyExchange.DHE_PSK ? NamedGroup.FFDHE2048 : null;
            assertEquals(expectedGroup, s.group());
            assertEquals(expectedGroup, c.group());
            pair.client.writeAndFlush(Unpooled.copiedBuffer("up", StandardCharsets.UTF_8));
            pair.server.writeAndFlush(Unpooled.copiedBuffer("down", StandardCharsets.UTF_8));
            pair.pump();
            assertEquals("up", pair.serverEvents.drainText());
            assertEquals("down", pair.clientEvents.drainText());
        }
    }
}
