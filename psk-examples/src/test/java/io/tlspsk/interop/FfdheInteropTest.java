package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-field groups against real peers. TLS 1.2 DHE_PSK: our client, with its default settings, against
 * {@code openssl s_server} with OpenSSL's own DH parameters (no {@code -dhparam}: OpenSSL 3.0 ignores RFC 7919 in
 * TLS 1.2 and sends an RFC 3526 MODP group, 2048 or 3072 bits by the suite's strength), and refusing the groups it
 * must refuse; gnutls-serv, which follows RFC 7919 and picks from our supported_groups. TLS 1.3: ffdhe2048 and
 * ffdhe3072 as psk_dhe_ke groups, both directions, with OpenSSL and GnuTLS limited to that one group.
 */
@Timeout(60)
class FfdheInteropTest {

    static final Duration WAIT = OpenSslRuns.WAIT;

    @TempDir
    static Path dir;

    static PskTlsContext.Builder clientTls() {
        return PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, Peers.KEY));
    }

    static PskTlsContext.Builder serverTls() {
        return PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY));
    }

    // ---------------------------------------------------------------- TLS 1.2: s_server's own DH parameters

    @Test
    @RequiresPeer(InteropPeer.OPENSSL)
    void ourDefaultClientTalksToSServerWithItsDefaultDhParameters() throws Exception {
        // Every default of ours; s_server offers the DHE-PSK suites only and picks its DH group itself. Our client
        // prefers TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 among them, for which OpenSSL takes RFC 3526's 2048-bit group.
        PskTlsSession s = OpenSslRuns.talkWithSServer(clientTls().build(),
                port -> Peers.openSslServerTls12(port, Peers.ID, Peers.KEY, "kDHEPSK"), "TLSv1.2", Peers.ID);
        assertEquals(CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256, s.cipherSuite());
        assertEquals(NamedGroup.MODP2048, s.group());
        assertNull(s.keyExchangeMode());
    }

    static Stream<Arguments> dheSuites() {
        return Stream.of(
                arguments("DHE-PSK-AES128-GCM-SHA256", CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
                        NamedGroup.MODP2048),
                arguments("DHE-PSK-AES128-CCM", CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM, NamedGroup.MODP2048),
                // a 256-bit cipher: OpenSSL wants 128-bit security from the group, RFC 3526's 3072-bit one
                arguments("DHE-PSK-CHACHA20-POLY1305", CipherSuite.TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
                        NamedGroup.MODP3072));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dheSuites")
    @RequiresPeer(InteropPeer.OPENSSL)
    void ourClientTakesTheGroupSServerPicksForEachDhePskSuite(String openSslName, CipherSuite suite,
                                                             NamedGroup group) throws Exception {
        PskTlsSession s = OpenSslRuns.talkWithSServer(clientTls().cipherSuites(suite).build(),
                port -> Peers.openSslServerTls12(port, Peers.ID, Peers.KEY, openSslName), "TLSv1.2", Peers.ID);
        assertEquals(suite, s.cipherSuite());
        assertEquals(group, s.group());
    }

    /**
     * A 2048-bit safe prime made for this test with {@code openssl dhparam 2048}: the kind of group a server with its
     * own parameters sends (stunnel makes a new one every day).
     */
    static final String CUSTOM_DH_PARAMETERS = String.join("\n",
            "-----BEGIN DH PARAMETERS-----",
            "MIIBCAKCAQEAyv1il/0ac3rH7xP8VBMrIGJWIZ3HNqzYvWJTDdzMIo6ucCRI4iu2",
            "2yQMaN4sgyRbKeMR2p/lpvJERXS59Xu3Er8oabGg+gxJHKNd0+b+iP2mGkXZv9sh",
            "RZgbXfc1bHI/mzwCY/9Up2/bLhFdwCzfafY13s1JDa62HR0MrbmmG7zms0U7smcn",
            "6Qo1Htad0QcQB90NHLYKG8Kl3EQNNfZWkwpW75jAlFMSb81IQ7s3xRMNYYjSH9iF",
            "Z0JxXkn0G2qSRDCMHBKKjd3atDeIuU9IAvTXVjDjxDRaEiW5ei0NfceCsKx7/y0J",
            "gZ9tq5ZXzocmBSkyeNg6SHpozR3uwptoVwIBAg==",
            "-----END DH PARAMETERS-----",
            "");

    /** A DH parameter file for s_server: the custom group above, or one of OpenSSL's named groups. */
    static Path dhParameters(String name) throws Exception {
        Path file = dir.resolve(name + ".pem");
        if (Files.exists(file)) {
            return file;
        }
        if (name.equals("custom")) {
            Files.writeString(file, CUSTOM_DH_PARAMETERS);
            return file;
        }
        try (PeerProcess p = PeerProcess.start("openssl", "genpkey", "-genparam", "-algorithm", "DH",
                "-pkeyopt", "group:" + name, "-out", file.toString())) {
            int exit = p.awaitExit(WAIT);
            if (exit != 0 || !Files.isRegularFile(file)) {
                throw new AssertionError("openssl genpkey failed (" + exit + "): " + p.output());
            }
        }
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "custom", // a 2048-bit safe prime of no standard
        "dh_2048_256", // RFC 5114 section 2.3: 2048 bits, but not a safe prime (a 256-bit prime-order subgroup)
        "modp_1536", // RFC 3526 group 5: a safe prime, too small
        "ffdhe6144", // RFC 7919, larger than we compute in
    })
    @RequiresPeer(InteropPeer.OPENSSL)
    void ourClientRefusesAnyOtherGroupFromSServerWithInsufficientSecurity(String group) throws Exception {
        Path params = dhParameters(group);
        // @SECLEVEL=0: OpenSSL would refuse to send a 1536-bit group itself.
        PskAlertException alert = OpenSslRuns.failWithSServer(clientTls().build(),
                port -> Peers.openSslServerTls12(port, Peers.ID, Peers.KEY, "kDHEPSK:@SECLEVEL=0", "-dhparam",
                        params.toString()));
        assertFalse(alert.isReceived(), alert.getMessage());
        assertEquals(AlertDescription.INSUFFICIENT_SECURITY, alert.description(), alert.getMessage());
    }

    // ---------------------------------------------------------------- TLS 1.2: gnutls-serv follows RFC 7919

    @Test
    @RequiresPeer(InteropPeer.GNUTLS)
    void gnutlsServPicksFfdhe2048FromOurDefaultClientsSupportedGroups() throws Exception {
        // RFC 7919 section 4: a compatible server picks one of the client's FFDHE groups; ours lists ffdhe2048 first.
        GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsServ(dir, clientTls().build(),
                "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-PSK", "TLSv1.2");
        assertEquals(CipherSuite.KeyExchange.DHE_PSK, run.session.cipherSuite().keyExchange());
        assertEquals(NamedGroup.FFDHE2048, run.session.group());
    }

    // ---------------------------------------------------------------- TLS 1.3: ffdhe2048 and ffdhe3072

    static Stream<Arguments> tls13Groups() {
        return Stream.of(arguments("ffdhe2048", NamedGroup.FFDHE2048), arguments("ffdhe3072", NamedGroup.FFDHE3072));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Groups")
    @RequiresPeer(InteropPeer.OPENSSL)
    void ourDefaultClientReachesAnSServerLimitedToOneFfdheGroup(String openSslGroup, NamedGroup group)
            throws Exception {
        // Our default ClientHello carries an x25519 share and lists ffdhe2048/3072: s_server asks for its group
        // with a HelloRetryRequest.
        PskTlsSession s = OpenSslRuns.talkWithSServer(clientTls().build(),
                port -> Peers.openSslServer(port, Peers.ID, Peers.KEY, "-groups", openSslGroup), "TLSv1.3", Peers.ID);
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        assertEquals(group, s.group());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Groups")
    @RequiresPeer(InteropPeer.OPENSSL)
    void anSClientLimitedToOneFfdheGroupReachesOurDefaultServer(String openSslGroup, NamedGroup group)
            throws Exception {
        try (OurServer server = OurServer.start(serverTls().build())) {
            OpenSslRuns.SClientRun run = OpenSslRuns.echoWithSClient(server,
                    Peers.openSslClient(server.port(), Peers.ID, Peers.KEY, "-groups", openSslGroup), "TLSv1.3",
                    Peers.ID);
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, run.session().keyExchangeMode());
            assertEquals(group, run.session().group());
            assertTrue(run.output.contains("Server Temp Key: DH, " + (group.publicKeyLength() * 8) + " bits"),
                    run.output);
        }
    }

    /** GnuTLS, TLS 1.3 psk_dhe_ke limited to one finite-field group. */
    static String gnutlsFfdhePriority(String group) {
        return "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+DHE-PSK:-GROUP-ALL:+GROUP-" + group;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Groups")
    @RequiresPeer(InteropPeer.GNUTLS)
    void ourDefaultClientReachesAGnutlsServLimitedToOneFfdheGroup(String name, NamedGroup group) throws Exception {
        GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsServ(dir, clientTls().build(),
                gnutlsFfdhePriority(name.toUpperCase(java.util.Locale.ROOT)), "TLSv1.3");
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, run.session.keyExchangeMode());
        assertEquals(group, run.session.group());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Groups")
    @RequiresPeer(InteropPeer.GNUTLS)
    void aGnutlsCliLimitedToOneFfdheGroupReachesOurDefaultServer(String name, NamedGroup group) throws Exception {
        try (OurServer server = OurServer.start(serverTls().build())) {
            GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsCli(server,
                    gnutlsFfdhePriority(name.toUpperCase(java.util.Locale.ROOT)), "TLSv1.3");
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, run.session.keyExchangeMode());
            assertEquals(group, run.session.group());
        }
    }
}
