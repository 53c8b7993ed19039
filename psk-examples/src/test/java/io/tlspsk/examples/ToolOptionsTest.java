package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.TlsVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ToolOptionsTest {

    static final String KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String KEY2 = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

    // ---- --psk ID:HEXKEY[:hash] ----

    @Test
    void pskWithDefaultHash() throws Exception {
        ExternalPsk psk = PskSpec.parse("device-1:" + KEY);
        assertEquals("device-1", psk.identityAsString());
        assertEquals(HashAlgorithm.SHA256, psk.hash());
    }

    @Test
    void pskWithExplicitHashes() throws Exception {
        assertEquals(HashAlgorithm.SHA256, PskSpec.parse("d:" + KEY + ":sha256").hash());
        assertEquals(HashAlgorithm.SHA384, PskSpec.parse("d:" + KEY + ":sha384").hash());
        assertEquals(HashAlgorithm.SHA384, PskSpec.parse("d:" + KEY + ":SHA384").hash());
    }

    @Test
    void pskUppercaseHexIsAccepted() throws Exception {
        assertEquals("d", PskSpec.parse("d:" + KEY.toUpperCase()).identityAsString());
    }

    @Test
    void pskIdentityMayContainColons() throws Exception {
        ExternalPsk psk = PskSpec.parse("aa:bb:cc:" + KEY + ":sha384");
        assertEquals("aa:bb:cc", psk.identityAsString());
        assertEquals(HashAlgorithm.SHA384, psk.hash());
        assertEquals("aa:bb", PskSpec.parse("aa:bb:" + KEY).identityAsString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"d:0g", "d:abc", "d:xyz:sha256", "d:00 11", "d:0x0011"})
    void pskBadHex(String spec) {
        UsageException e = assertThrows(UsageException.class, () -> PskSpec.parse(spec));
        assertTrue(e.getMessage().contains("hex") || e.getMessage().contains("hash"), e.getMessage());
    }

    @Test
    void pskBadHexMessageDoesNotEchoTheKey() {
        String almostKey = KEY.substring(0, 63) + "z";
        UsageException e = assertThrows(UsageException.class, () -> PskSpec.parse("dev:" + almostKey));
        assertFalse(e.getMessage().contains(KEY.substring(0, 16)), e.getMessage());
        assertTrue(e.getMessage().contains("dev"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "onlyidentity", ":" + KEY, "d:", "d::sha256", "d:" + KEY + ":"})
    void pskMissingParts(String spec) {
        assertThrows(UsageException.class, () -> PskSpec.parse(spec));
    }

    @ParameterizedTest
    @ValueSource(strings = {"md5", "sha512", "sha1", "SHA-1"})
    void pskUnknownHash(String hash) {
        UsageException e = assertThrows(UsageException.class, () -> PskSpec.parse("d:" + KEY + ":" + hash));
        assertTrue(e.getMessage().contains("unknown hash"), e.getMessage());
    }

    @Test
    void pskAllZeroKeyIsRejected() {
        assertThrows(UsageException.class, () -> PskSpec.parse("d:" + "00".repeat(32)));
        assertThrows(UsageException.class, () -> PskSpec.parse("d:0000000000000000", true, "--psk"));
    }

    @Test
    void badHexDigitIsReportedAsSuchByPositionNotAsAnOddCount() {
        UsageException e = assertThrows(UsageException.class, () -> PskSpec.parse("dev1:zz11"));
        assertEquals("--psk dev1: the key has 'z' at position 1, which is not a hex digit (0-9, a-f, A-F)",
                e.getMessage());
        UsageException odd = assertThrows(UsageException.class, () -> PskSpec.parse("dev1:" + KEY.substring(1)));
        assertTrue(odd.getMessage().contains("63 hex digits, an odd number"), odd.getMessage());
    }

    @Test
    void nonAsciiDigitsAreNotHexDigits() {
        // Character.digit accepts ARABIC-INDIC DIGIT ZERO and FULLWIDTH LATIN CAPITAL LETTER A; hex keys are ASCII.
        for (String digit : List.of("\u0660", "\uff21")) {
            UsageException e = assertThrows(UsageException.class,
                    () -> PskSpec.parse("dev:" + KEY.substring(0, 10) + digit + KEY.substring(11)));
            assertTrue(e.getMessage().contains("at position 11, which is not a hex digit"), e.getMessage());
            assertTrue(e.getMessage().contains(String.format("U+%04X", (int) digit.charAt(0))), e.getMessage());
            assertFalse(e.getMessage().contains(KEY.substring(0, 10)), e.getMessage());
        }
    }

    @Test
    void aMistypedKeyAfterAnIdentityWithColonsIsNotEchoedAsAHashName() {
        // Three fields whose last is not hex: the last is read as a hash name, but a long one is a key.
        String typo = KEY.substring(0, 40) + "q" + KEY.substring(41);
        UsageException e = assertThrows(UsageException.class, () -> PskSpec.parse("site:dev:" + typo));
        assertTrue(e.getMessage().contains("position 41"), e.getMessage());
        UsageException shortTypo = assertThrows(UsageException.class, () -> PskSpec.parse("site:dev:beefzz"));
        assertFalse(shortTypo.getMessage().contains("beefzz"), shortTypo.getMessage());
    }

    @Test
    void parsedSpecShowsNoKeyMaterial() throws Exception {
        PskSpec.Parsed p = PskSpec.parse("dev:" + KEY, false, "--psk");
        assertFalse(p.toString().contains(KEY.substring(0, 8)), p.toString());
        assertTrue(p.toString().contains("dev"), p.toString());
        p.psk().destroy();
    }

    // ---- short keys (RFC 9257) ----

    @Test
    void shortKeyIsRefusedWithoutTheFlagAndTheKeyIsNotEchoed() {
        UsageException e = assertThrows(UsageException.class,
                () -> keys(server("--port", "1", "--psk", "legacy:0a1b2c3d4e5f60718293a4b5c6d7e8")));
        assertTrue(e.getMessage().contains("legacy") && e.getMessage().contains("--allow-short-key"), e.getMessage());
        assertFalse(e.getMessage().contains("0a1b2c3d"), e.getMessage());
        assertThrows(UsageException.class, () -> PskSpec.parse("d:01020304"));
    }

    @Test
    void sixteenByteKeyNeedsNoFlag() throws Exception {
        assertEquals(16, ExternalPsk.MIN_SECRET_LENGTH);
        assertEquals("d", PskSpec.parse("d:" + KEY.substring(0, 32)).identityAsString());
    }

    @Test
    void allowShortKeyAcceptsShortKeysWhereverItAppears() throws Exception {
        ServerCommand before = server("--port", "1", "--allow-short-key", "--psk", "legacy:01020304");
        assertTrue(before.keys.allowShortKey);
        assertEquals("legacy", keys(before).get(0).identityAsString());
        ClientCommand after = client("--connect", "h:1", "--psk", "legacy:01020304", "--allow-short-key");
        assertTrue(after.keys.allowShortKey);
        assertEquals(1, keys(after).size());
        assertFalse(client("--connect", "h:1", "--psk", "d:" + KEY).keys.allowShortKey);
    }

    @Test
    void allowShortKeyIsAFlagAndOnlyForCommandsWithKeys() {
        assertThrows(UsageException.class, () -> PskTool.parse("genkey", "--allow-short-key"));
        assertThrows(UsageException.class, () -> server("--port", "1", "--psk", "d:" + KEY, "--allow-short-key=yes"));
    }

    // ---- repeated identities ----

    @Test
    void serverAcceptsMainAndBackupKeyForOneIdentity() throws Exception {
        ServerCommand o = server("--port", "4433", "--psk", "dev:" + KEY, "--psk", "dev:" + KEY2);
        List<ExternalPsk> keys = keys(o);
        assertEquals(2, keys.size());
        assertEquals("dev", keys.get(0).identityAsString());
        assertEquals("dev", keys.get(1).identityAsString());
        o.serverContext(keys);
    }

    @Test
    void serverRejectsTheSameKeyTwice() {
        UsageException e = assertThrows(UsageException.class, () ->
                keys(server("--port", "1", "--psk", "dev:" + KEY, "--psk", "dev:" + KEY.toUpperCase())));
        assertTrue(e.getMessage().contains("the same key is given twice"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY.substring(0, 8)), e.getMessage());
    }

    @Test
    void clientRejectsARepeatedIdentity() {
        UsageException e = assertThrows(UsageException.class, () -> keys(client(
                "--connect", "127.0.0.1:4433", "--psk", "dev:" + KEY, "--psk", "dev:" + KEY2)));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void clientOffersSeveralIdentitiesInOrder() throws Exception {
        List<ExternalPsk> keys = keys(client("--connect", "127.0.0.1:4433",
                "--psk", "first:" + KEY, "--psk", "second:" + KEY2 + ":sha384"));
        assertEquals(List.of("first", "second"), List.of(keys.get(0).identityAsString(),
                keys.get(1).identityAsString()));
        assertEquals(HashAlgorithm.SHA384, keys.get(1).hash());
    }

    // ---- other options ----

    @Test
    void serverDefaults() throws Exception {
        ServerCommand o = server("--port", "0", "--psk", "d:" + KEY);
        assertEquals(0, o.port);
        assertEquals("127.0.0.1", o.bind);
        assertNull(o.tls.modes);
        assertNull(o.tls.groups);
        assertNull(o.tls.ciphers);
        assertNull(o.tls.alpn);
        assertNull(o.statsPort);
        assertFalse(o.quiet);
    }

    @Test
    void serverAllOptions() throws Exception {
        ServerCommand o = server("--port=8443", "--bind", "0.0.0.0", "--psk", "d:" + KEY,
                "--modes", "psk_dhe_ke,psk_ke", "--groups", "x25519,P-256", "--ciphers",
                "TLS_AES_128_CCM_8_SHA256,tls_aes_128_gcm_sha256", "--alpn", "mqtt,h2", "--stats-port", "0",
                "--quiet");
        assertEquals(8443, o.port);
        assertEquals("0.0.0.0", o.bind);
        assertEquals(List.of(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE), o.tls.modes);
        assertEquals(List.of(NamedGroup.X25519, NamedGroup.SECP256R1), o.tls.groups);
        assertEquals(List.of(CipherSuite.TLS_AES_128_CCM_8_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256), o.tls.ciphers);
        assertEquals(List.of("mqtt", "h2"), o.tls.alpn);
        assertEquals(0, o.statsPort);
        assertTrue(o.quiet);
        PskTlsContext tls = serverContext(o);
        assertEquals(List.of(NamedGroup.X25519, NamedGroup.SECP256R1), tls.groups());
    }

    @Test
    void groupsTakeTheFfdheGroupsButNotTheModpOnes() throws Exception {
        ServerCommand o = server("--port", "0", "--psk", "d:" + KEY, "--groups", "ffdhe3072,x25519,ffdhe4096");
        assertEquals(List.of(NamedGroup.FFDHE3072, NamedGroup.X25519, NamedGroup.FFDHE4096),
                serverContext(o).groups());
        assertEquals(PskTlsContext.DEFAULT_GROUPS, serverContext(server("--port", "0", "--psk", "d:" + KEY)).groups());
        // RFC 3526 groups have no TLS codepoint: a client accepts them from a TLS 1.2 server, nobody can offer them.
        ClientCommand modp = client("--connect", "h:1", "--psk", "d:" + KEY, "--groups", "x25519,modp2048");
        UsageException e = assertThrows(UsageException.class, () -> clientContext(modp));
        assertTrue(e.getMessage().contains("modp2048 has no TLS codepoint"), e.getMessage());
    }

    @Test
    void serverHandshakeTimeout() throws Exception {
        assertEquals(PskTlsContext.DEFAULT_HANDSHAKE_TIMEOUT,
                serverContext(server("--port", "0", "--psk", "d:" + KEY)).handshakeTimeout());
        ServerCommand o = server("--port", "0", "--psk", "d:" + KEY, "--handshake-timeout-seconds", "3");
        assertEquals(Duration.ofSeconds(3), serverContext(o).handshakeTimeout());
        UsageException zero = assertThrows(UsageException.class, () -> server("--port", "0",
                "--psk", "d:" + KEY, "--handshake-timeout-seconds=0"));
        assertTrue(zero.getMessage().contains("--handshake-timeout-seconds must be between 1 and 3600"),
                zero.getMessage());
        // The client's handshake timeout is its overall --timeout-seconds.
        UsageException c = assertThrows(UsageException.class, () -> client("--connect",
                "127.0.0.1:1", "--psk", "d:" + KEY, "--handshake-timeout-seconds", "3"));
        assertTrue(c.getMessage().contains("unknown option --handshake-timeout-seconds"), c.getMessage());
    }

    @Test
    void loadContextOfferingAnotherKeyKeepsTheOtherOptions() throws Exception {
        LoadCommand load = (LoadCommand) PskTool.parse("load", "--connect", "127.0.0.1:1", "--psk", "d:" + KEY,
                "--modes", "psk_ke", "--timeout-seconds", "7", "--tls", "1.3");
        LoadTest.Options o = load.options(line -> { });
        ExternalPsk other = PskSpec.parse("other:" + KEY2);
        PskTlsContext tls = o.contexts.offering(other);
        assertTrue(tls.isClient());
        assertEquals(List.of(PskKeyExchangeMode.PSK_KE), tls.keyExchangeModes());
        assertEquals(List.of(TlsVersion.TLS_1_3), tls.protocols());
        assertEquals(Duration.ofSeconds(7), tls.handshakeTimeout());
        other.destroy();
        o.keys.forEach(ExternalPsk::destroy);
    }

    @Test
    void clientOptions() throws Exception {
        ClientCommand o = client("--connect", "localhost:4433", "--psk", "d:" + KEY,
                "--server-name", "gw.example", "--message", "hi there", "--timeout-seconds", "5",
                "--modes", "psk_ke", "--wait-after-eof", "2.5");
        assertEquals("localhost", o.connect.host);
        assertEquals(4433, o.connect.port);
        assertEquals("gw.example", o.connect.serverName);
        assertEquals("hi there", o.message);
        assertEquals(5, o.connect.timeoutSeconds);
        assertEquals(2.5, o.waitAfterEofSeconds);
        assertEquals(List.of(PskKeyExchangeMode.PSK_KE), o.tls.modes);
        assertTrue(clientContext(o).isClient());
    }

    @Test
    void clientDefaultsAndIpv6Connect() throws Exception {
        ClientCommand o = client("--connect", "[::1]:4433", "--psk", "d:" + KEY);
        assertEquals("::1", o.connect.host);
        assertNull(o.message, "no --message: interactive");
        assertEquals(15, o.connect.timeoutSeconds);
        assertEquals(0.5, o.waitAfterEofSeconds);
    }

    // ---- TLS 1.2: --tls, --hint, --reject-unknown-identity, --require-ems, TLS 1.2 suites ----

    @Test
    void tlsVersionsDefaultToBoth() throws Exception {
        ServerCommand o = server("--port", "0", "--psk", "d:" + KEY);
        assertNull(o.tls.protocols);
        assertNull(o.hint);
        assertFalse(o.rejectUnknownIdentity);
        assertFalse(o.tls.requireEms);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), serverContext(o).protocols());
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3),
                clientContext(client("--connect", "h:1", "--psk", "d:" + KEY)).protocols());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "TLSv1.2", "tlsv1.2"})
    void tlsOneTwo(String version) throws Exception {
        ServerCommand o = server("--port", "0", "--psk", "d:" + KEY, "--tls", version);
        assertEquals(List.of(TlsVersion.TLS_1_2), o.tls.protocols);
        assertEquals(List.of(TlsVersion.TLS_1_2), serverContext(o).protocols());
    }

    @Test
    void tlsBothAndOneThree() throws Exception {
        ClientCommand both = client("--connect", "h:1", "--psk", "d:" + KEY, "--tls=1.2,1.3");
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), both.tls.protocols);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), clientContext(both).protocols());
        ClientCommand v13 = client("--connect", "h:1", "--psk", "d:" + KEY, "--tls", "1.3");
        assertEquals(List.of(TlsVersion.TLS_1_3), clientContext(v13).protocols());
    }

    @Test
    void tls12SuitesByIanaName() throws Exception {
        ServerCommand o = server("--port", "0", "--psk", "d:" + KEY, "--ciphers",
                "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,tls_psk_with_aes_128_ccm_8,TLS_DHE_PSK_WITH_AES_128_CCM,"
                        + "TLS_AES_128_GCM_SHA256,TLS_PSK_WITH_AES_128_CBC_SHA256");
        assertEquals(List.of(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
                CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM, CipherSuite.TLS_AES_128_GCM_SHA256,
                CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256), o.tls.ciphers);
        PskTlsContext tls = serverContext(o);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), tls.protocols());
        // The context lists the TLS 1.3 suites first, then the TLS 1.2 ones, each in the given order.
        assertEquals(List.of(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM,
                CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256), tls.cipherSuites());
    }

    @Test
    void onlyTls12SuitesMeanTls12WhenTlsIsNotGiven() throws Exception {
        ClientCommand o = client("--connect", "h:1", "--psk", "d:" + KEY,
                "--ciphers", "TLS_PSK_WITH_AES_128_GCM_SHA256");
        assertEquals(List.of(TlsVersion.TLS_1_2), clientContext(o).protocols());
    }

    @Test
    void versionWithoutASuiteOfItsOwnIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> serverContext(server("--port", "0",
                "--psk", "d:" + KEY, "--tls", "1.2", "--ciphers", "TLS_AES_128_GCM_SHA256")));
        assertTrue(e.getMessage().contains("TLS 1.2"), e.getMessage());
        e = assertThrows(UsageException.class, () -> clientContext(client("--connect", "h:1", "--psk",
                "d:" + KEY, "--tls", "1.2,1.3", "--ciphers", "TLS_PSK_WITH_AES_128_GCM_SHA256")));
        assertTrue(e.getMessage().contains("TLS 1.3"), e.getMessage());
    }

    @Test
    void sha384KeyIsFineForTls12Only() throws Exception {
        // A TLS 1.2 PSK has no hash of its own; only TLS 1.3 needs a suite of the key's hash.
        clientContext(client("--connect", "h:1", "--psk", "d:" + KEY + ":sha384", "--tls", "1.2"));
    }

    @Test
    void serverTls12Options() throws Exception {
        ServerCommand o = server("--require-ems", "--port", "0", "--psk", "d:" + KEY,
                "--hint", "devices of hall 3", "--reject-unknown-identity", "--tls", "1.2");
        assertEquals("devices of hall 3", o.hint);
        assertTrue(o.rejectUnknownIdentity);
        assertTrue(o.tls.requireEms);
        assertEquals(0, o.port); // a flag takes no value: --port after it is still an option
        serverContext(o);
        ServerCommand eq = server("--port=0", "--psk", "d:" + KEY, "--hint=a=b");
        assertEquals("a=b", eq.hint);
    }

    @Test
    void clientRequireEms() throws Exception {
        ClientCommand o = client("--connect", "h:1", "--require-ems", "--psk", "d:" + KEY);
        assertTrue(o.tls.requireEms);
        assertTrue(clientContext(o).isClient());
    }

    @Test
    void flagsTakeNoValue() {
        UsageException e = assertThrows(UsageException.class, () -> server("--port", "0",
                "--psk", "d:" + KEY, "--require-ems=yes"));
        assertTrue(e.getMessage().contains("--require-ems"), e.getMessage());
    }

    @Test
    void sha384KeyWithoutASha384SuiteIsAUsageError() {
        assertThrows(UsageException.class, () -> clientContext(client("--connect", "h:1",
                "--psk", "d:" + KEY + ":sha384", "--ciphers", "TLS_AES_128_GCM_SHA256")));
    }

    @Test
    void genkeyBytes() throws Exception {
        assertEquals(32, ((GenkeyCommand) PskTool.parse("genkey")).keyBytes);
        assertEquals(48, ((GenkeyCommand) PskTool.parse("genkey", "--bytes", "48")).keyBytes);
        assertThrows(UsageException.class, () -> PskTool.parse("genkey", "--bytes", "4"));
        assertThrows(UsageException.class, () -> PskTool.parse("genkey", "--bytes", "many"));
    }

    /** Every line is refused with exit 64 before anything listens or connects; no key is echoed. */
    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "frobnicate",
        "server --psk d:00ff",
        "server --port 1",
        "server --port 1 --psk d:00ff",
        "server --port 70000 --psk d:" + KEY,
        "server --port 1 --psk d:" + KEY + " --connect h:1",
        "server --port 1 --psk d:" + KEY + " --modes psk_foo",
        "server --port 1 --psk d:" + KEY + " --groups x448",
        "server --port 1 --psk d:" + KEY + " --ciphers TLS_RSA_WITH_AES_128_CBC_SHA",
        "server --port 1 --psk d:" + KEY + " --modes psk_ke,,psk_dhe_ke",
        "server --port 1 --psk d:" + KEY + " --modes psk_ke,psk_ke",
        "server --port",
        "server --port 1 --psk-file /nonexistent/keys.txt",
        "server --port 1 --psk d:" + KEY + " " + KEY,
        "client --psk d:" + KEY,
        "client --connect nohost --psk d:" + KEY,
        "client --connect h:0 --psk d:" + KEY,
        "client --connect h:1",
        "client --connect h:1 --psk d:" + KEY + " --timeout-seconds 0",
        "client --connect h:1 --psk d:" + KEY + " --port 3",
        "client --connect h:1 --psk d:" + KEY + " --wait-after-eof -1",
        "server --port 1 --psk d:" + KEY + " --tls 1.1",
        "server --port 1 --psk d:" + KEY + " --tls 1.2,1.2",
        "server --port 1 --psk d:" + KEY + " --tls 1.2,,1.3",
        "server --port 1 --psk d:" + KEY + " --tls",
        "server --port 1 --psk d:" + KEY + " --hint",
        "server --port 1 --psk d:" + KEY + " --reject-unknown-identity=yes",
        "server --port 1 --psk d:" + KEY + " --ciphers TLS_PSK_WITH_AES_128_CBC_SHA",
        "server --port 1 --psk d:" + KEY + " --ciphers TLS_DHE_PSK_WITH_AES_128_CCM_8",
        "server --port 1 --psk d:" + KEY + " --stats-port 65536",
        "client --connect h:1 --psk d:" + KEY + " --hint x",
        "client --connect h:1 --psk d:" + KEY + " --reject-unknown-identity",
        "client --connect h:1 --psk d:" + KEY + " --tls 1.0",
        "client --connect h:1 --psk d:" + KEY + " --pks=d:" + KEY,
        "demo --port 3",
    })
    void badCommandLinesExit64AndNameNoKey(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        String[] r = run(args);
        assertEquals("64", r[0], line + "\n" + r[2]);
        assertEquals("", r[1], "nothing on stdout");
        assertTrue(r[2].startsWith("psk-tool"), r[2]);
        assertFalse(r[2].contains(KEY.substring(0, 16)), r[2]);
    }

    @Test
    void usageErrorsNameTheBadArgumentOnly() {
        String[] hash = run("client", "--connect", "h:1", "--psk", "d:" + KEY + ":md5");
        assertEquals("64", hash[0]);
        assertEquals("psk-tool client: --psk d: unknown hash 'md5' after the last ':' (sha256 or sha384)\n"
                + "Try 'psk-tool client --help'.\n", hash[2]);
        String[] option = run("server", "--port", "1", "--pks=d:" + KEY);
        assertEquals("psk-tool server: unknown option --pks\n"
                + "Try 'psk-tool server --help'.\n", option[2]);
        String[] stray = run("server", "--port", "1", "--psk", "d", KEY);
        assertEquals("psk-tool server: argument 6 is neither an option nor an option's value\n"
                + "Try 'psk-tool server --help'.\n", stray[2]);
        String[] range = run("server", "--port", "70000", "--psk", "d:" + KEY);
        assertTrue(range[2].startsWith("psk-tool server: --port must be between 0 and 65535: 70000\n"), range[2]);
        String[] none = run();
        assertEquals("64", none[0]);
        assertTrue(none[2].contains("no command given; the commands are server, client, load, genkey, demo"),
                none[2]);
        String[] unknown = run("frobnicate");
        assertTrue(unknown[2].startsWith("psk-tool: unknown command frobnicate"), unknown[2]);
    }

    @Test
    void helpAndVersionExitZero() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"},
                new String[] {"server", "--help"}, new String[] {"help", "load"}, new String[] {"client", "-h"})) {
            String[] r = run(args);
            assertEquals("0", r[0], String.join(" ", args) + "\n" + r[2]);
            assertTrue(r[1].contains("Usage: psk-tool"), r[1]);
            assertTrue(r[1].contains("Exit codes:"), r[1]);
            assertEquals("", r[2]);
        }
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"-V"})) {
            String[] r = run(args);
            assertEquals("0", r[0]);
            assertTrue(r[1].matches("(?s)psk-tool \\d+\\.\\d+\\.\\d+\\S*\nNetty 4\\.\\S+, Java .*"), r[1]);
        }
    }

    @Test
    void genkeyPrintsFreshLowercaseHex() {
        String k1 = run("genkey")[1].trim();
        String k2 = run("genkey", "--bytes", "16")[1].trim();
        assertTrue(k1.matches("[0-9a-f]{64}"), k1);
        assertTrue(k2.matches("[0-9a-f]{32}"), k2);
        assertFalse(k1.equals(run("genkey")[1].trim()), "fresh each time");
    }

    @Test
    void helpMentionsTheOptionsAndEverySuite() {
        String server = run("server", "--help")[1];
        String client = run("client", "--help")[1];
        for (String s : List.of("--tls=VERSION", "--hint=TEXT", "--reject-unknown-identity", "--require-ems",
                "--allow-short-key", "--psk-file=FILE", "--bind=ADDR", "--stats-port=N", "loopback")) {
            assertTrue(server.contains(s), s);
        }
        for (String s : List.of("hint=TEXT", "--message=TEXT", "--wait-after-eof=SECONDS", "--psk-file=FILE",
                "openssl s_client")) {
            assertTrue(client.contains(s), s);
        }
        for (CipherSuite suite : CipherSuite.values()) {
            assertTrue(server.contains(suite.name()), suite.name());
            assertTrue(client.contains(suite.name()), suite.name());
        }
    }

    // ---- helpers: parse with the real command line, as psk-tool does ----

    static ServerCommand server(String... args) throws UsageException {
        return (ServerCommand) PskTool.parse(prepend("server", args));
    }

    static ClientCommand client(String... args) throws UsageException {
        return (ClientCommand) PskTool.parse(prepend("client", args));
    }

    static List<ExternalPsk> keys(ServerCommand c) throws UsageException {
        return c.loadKeys(line -> { });
    }

    static List<ExternalPsk> keys(ClientCommand c) throws UsageException {
        return c.loadKeys(line -> { });
    }

    static PskTlsContext serverContext(ServerCommand c) throws UsageException {
        return c.serverContext(keys(c));
    }

    static PskTlsContext clientContext(ClientCommand c) throws UsageException {
        return c.clientContext(keys(c), hint -> { });
    }

    private static String[] prepend(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    /** Runs psk-tool with {@code line} (split at spaces) and returns exit code, stdout and stderr. */
    static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PskTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }
}
