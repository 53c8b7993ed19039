package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.handler.TlsVersion;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our client against a real Mosquitto broker's TLS-PSK listener (PEERS.md), exchanging real MQTT: two connections of
 * ours do CONNECT/CONNACK, one SUBSCRIBE/SUBACK, the other a PUBLISH the broker routes to the first.
 *
 * <p>Debian's Mosquitto 2.0.11 with OpenSSL 3.0 speaks TLS 1.3 on a PSK listener (its {@code tls_version} sets only a
 * minimum), so our client with every default negotiates TLS 1.3 psk_dhe_ke. A device limited to TLS 1.2 gets what
 * Mosquitto prefers there: a DHE-PSK suite with OpenSSL's automatic DH parameters, an RFC 3526 MODP group, which our
 * client used to refuse with insufficient_security.
 */
@Timeout(90)
@RequiresPeer(InteropPeer.MOSQUITTO)
class MosquittoInteropTest {

    static final Duration WAIT = Duration.ofSeconds(15);
    static final String TOPIC = "tls-psk/dhe";

    @TempDir
    static Path dir;

    /** The broker's path: on the PATH, or where Debian puts it (/usr/sbin, often not on a user's PATH). */
    static String mosquitto() {
        if (PeerProcess.onPath("mosquitto")) {
            return "mosquitto";
        }
        Path sbin = Path.of("/usr/sbin/mosquitto");
        return Files.isExecutable(sbin) ? sbin.toString() : null;
    }

    /**
     * Starts mosquitto on a free loopback port with one PSK listener. {@code user root} keeps a broker started as
     * root from dropping to the {@code mosquitto} user, who could not read the test's private temporary directory;
     * started as anyone else it changes nothing.
     */
    static PeerProcess startBroker(int port) throws Exception {
        Path psk = dir.resolve("psk.txt");
        Files.writeString(psk, Peers.ID + ":" + Peers.KEY + "\n");
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
                "user root",
                "listener " + port + " 127.0.0.1",
                "psk_hint gateway",
                "psk_file " + psk,
                "use_identity_as_username true",
                "allow_anonymous true",
                "persistence false",
                "log_dest stderr", // unbuffered, unlike stdout into a pipe
                "log_type all",
                ""));
        PeerProcess broker = PeerProcess.start(mosquitto(), "-c", conf.toString());
        try {
            broker.awaitOutput("mosquitto version \\S+ running", WAIT);
            broker.awaitPort(port, WAIT);
            return broker;
        } catch (AssertionError | InterruptedException e) {
            broker.close();
            throw e;
        }
    }

    /** OpenSSL's automatic DH group for a PSK suite (ssl_get_auto_dh): 3072 bits for 256-bit ciphers, else 2048. */
    static NamedGroup openSslAutomaticGroup(CipherSuite suite) {
        return suite == CipherSuite.TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256 ? NamedGroup.MODP3072
                : NamedGroup.MODP2048;
    }

    static PskTlsContext.Builder client() {
        return PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, Peers.KEY));
    }

    @Test
    void ourDefaultClientTalksMqttThroughMosquitto() throws Exception {
        PskTlsSession s = publishThroughBroker(client().build());
        assertEquals("TLSv1.3", s.protocol());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        assertEquals(NamedGroup.X25519, s.group());
    }

    @Test
    void ourTls12OnlyClientTalksMqttThroughMosquittoOverDhePsk() throws Exception {
        // A TLS 1.2 device: every other setting at its default. Mosquitto picks by its own order among our suites.
        PskTlsSession s = publishThroughBroker(client().protocols(TlsVersion.TLS_1_2).build());
        assertEquals("TLSv1.2", s.protocol());
        assertEquals(CipherSuite.KeyExchange.DHE_PSK, s.cipherSuite().keyExchange(), s.toString());
        assertEquals(openSslAutomaticGroup(s.cipherSuite()), s.group(), s.toString());
        assertNull(s.keyExchangeMode());
    }

    /**
     * Starts a broker, connects a subscriber and a publisher with {@code tls} (both must negotiate the same), and
     * checks that a message published by one reaches the other. Returns the subscriber's session.
     */
    private static PskTlsSession publishThroughBroker(PskTlsContext tls) throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess broker = startBroker(port);
             MqttOverTls subscriber = MqttOverTls.connect(tls, port)) {
            PskTlsSession s = subscriber.awaitHandshake(WAIT, broker);
            assertEquals(Peers.ID, s.identityAsString());
            subscriber.send(MqttOverTls.connectPacket("tls-psk-sub"));
            assertConnackAccepted(subscriber.awaitPacket(WAIT, broker));
            subscriber.send(MqttOverTls.subscribePacket(1, TOPIC));
            byte[] suback = subscriber.awaitPacket(WAIT, broker);
            // SUBACK: packet id 1, granted QoS 0 (MQTT 3.1.1 section 3.9).
            assertArrayEquals(new byte[] {(byte) 0x90, 3, 0, 1, 0}, suback);

            String message = "reading-" + System.nanoTime();
            try (MqttOverTls publisher = MqttOverTls.connect(tls, port)) {
                PskTlsSession p = publisher.awaitHandshake(WAIT, broker);
                assertEquals(s.protocol(), p.protocol());
                assertEquals(s.cipherSuite(), p.cipherSuite());
                assertEquals(s.group(), p.group());
                publisher.send(MqttOverTls.connectPacket("tls-psk-pub"));
                assertConnackAccepted(publisher.awaitPacket(WAIT, broker));
                publisher.send(MqttOverTls.publishPacket(TOPIC, message.getBytes(StandardCharsets.UTF_8)));
                publisher.send(MqttOverTls.disconnectPacket());

                byte[] publish = subscriber.awaitPacket(WAIT, broker);
                assertEquals(MqttOverTls.PUBLISH, MqttOverTls.type(publish));
                assertArrayEquals(new String[] {TOPIC, message}, MqttOverTls.topicAndPayload(publish));
            }
            // use_identity_as_username: the broker took our PSK identity as the MQTT user name.
            broker.awaitOutput("New client connected from 127\\.0\\.0\\.1:\\d+ as tls-psk-pub .*u'" + Peers.ID + "'",
                    WAIT);
            broker.awaitOutput("Received PUBLISH from tls-psk-pub", WAIT);
            subscriber.send(MqttOverTls.disconnectPacket());
            assertTrue(broker.isAlive(), broker.output());
            return s;
        }
    }

    /** CONNACK: no session present, return code 0, connection accepted (MQTT 3.1.1 section 3.2). */
    private static void assertConnackAccepted(byte[] connack) {
        assertEquals(MqttOverTls.CONNACK, MqttOverTls.type(connack));
        assertArrayEquals(new byte[] {0x20, 2, 0, 0}, connack);
    }
}
