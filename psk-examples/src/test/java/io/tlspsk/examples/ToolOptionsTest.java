package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        assertThrows(UsageException.class, () -> PskSpec.parse("d:0000000000000000", true));
    }

    // ---- short keys (RFC 9257) ----

    @Test
    void shortKeyIsRefusedWithoutTheFlagAndTheKeyIsNotEchoed() {
        UsageException e = assertThrows(UsageException.class,
                () -> ToolOptions.parse("server", "--port", "1", "--psk", "legacy:0a1b2c3d4e5f60718293a4b5c6d7e8"));
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
        ToolOptions before = ToolOptions.parse("server", "--port", "1", "--allow-short-key", "--psk", "legacy:01020304");
        assertTrue(before.allowShortKey);
        assertEquals("legacy", before.psks.get(0).identityAsString());
        ToolOptions after = ToolOptions.parse("client", "--connect", "h:1", "--psk", "legacy:01020304",
                "--allow-short-key");
        assertTrue(after.allowShortKey);
        assertEquals(1, after.psks.size());
        assertFalse(ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY).allowShortKey);
    }

    @Test
    void allowShortKeyIsAFlagAndOnlyForServerAndClient() {
        assertThrows(UsageException.class, () -> ToolOptions.parse("genkey", "--allow-short-key"));
        assertThrows(UsageException.class,
                () -> ToolOptions.parse("server", "--port", "1", "--psk", "d:" + KEY, "--allow-short-key=yes"));
    }

    @Test
    void hexRoundTrip() {
        byte[] bytes = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff};
        assertEquals("00017f80ff", Hex.encode(bytes));
        assertArrayEquals(bytes, Hex.decode("00017F80ff"));
        assertNull(Hex.decode("0"));
        assertNull(Hex.decode(""));
        assertNull(Hex.decode("0g"));
    }

    // ---- repeated identities ----

    @Test
    void serverAcceptsMainAndBackupKeyForOneIdentity() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "4433", "--psk", "dev:" + KEY, "--psk", "dev:" + KEY2);
        assertEquals(2, o.psks.size());
        assertEquals("dev", o.psks.get(0).identityAsString());
        assertEquals("dev", o.psks.get(1).identityAsString());
        o.serverContext();
    }

    @Test
    void serverRejectsTheSameKeyTwice() {
        UsageException e = assertThrows(UsageException.class, () ->
                ToolOptions.parse("server", "--port", "1", "--psk", "dev:" + KEY, "--psk", "dev:" + KEY.toUpperCase()));
        assertFalse(e.getMessage().contains(KEY.substring(0, 8)), e.getMessage());
    }

    @Test
    void clientRejectsARepeatedIdentity() {
        UsageException e = assertThrows(UsageException.class, () -> ToolOptions.parse(
                "client", "--connect", "127.0.0.1:4433", "--psk", "dev:" + KEY, "--psk", "dev:" + KEY2));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void clientOffersSeveralIdentitiesInOrder() throws Exception {
        ToolOptions o = ToolOptions.parse("client", "--connect", "127.0.0.1:4433",
                "--psk", "first:" + KEY, "--psk", "second:" + KEY2 + ":sha384");
        assertEquals(List.of("first", "second"), List.of(o.psks.get(0).identityAsString(),
                o.psks.get(1).identityAsString()));
    }

    // ---- other options ----

    @Test
    void serverDefaults() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY);
        assertEquals(0, o.port);
        assertEquals("127.0.0.1", o.bind);
        assertNull(o.modes);
        assertNull(o.groups);
        assertNull(o.ciphers);
        assertNull(o.alpn);
    }

    @Test
    void serverAllOptions() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port=8443", "--bind", "0.0.0.0", "--psk", "d:" + KEY,
                "--modes", "psk_dhe_ke,psk_ke", "--groups", "x25519,P-256", "--ciphers",
                "TLS_AES_128_CCM_8_SHA256,tls_aes_128_gcm_sha256", "--alpn", "mqtt,h2");
        assertEquals(8443, o.port);
        assertEquals("0.0.0.0", o.bind);
        assertEquals(List.of(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE), o.modes);
        assertEquals(List.of(NamedGroup.X25519, NamedGroup.SECP256R1), o.groups);
        assertEquals(List.of(CipherSuite.TLS_AES_128_CCM_8_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256), o.ciphers);
        assertEquals(List.of("mqtt", "h2"), o.alpn);
        PskTlsContext tls = o.serverContext();
        assertEquals(List.of(NamedGroup.X25519, NamedGroup.SECP256R1), tls.groups());
    }

    @Test
    void groupsTakeTheFfdheGroupsButNotTheModpOnes() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY, "--groups",
                "ffdhe3072,x25519,ffdhe4096");
        assertEquals(List.of(NamedGroup.FFDHE3072, NamedGroup.X25519, NamedGroup.FFDHE4096),
                o.serverContext().groups());
        assertEquals(PskTlsContext.DEFAULT_GROUPS,
                ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY).serverContext().groups());
        // RFC 3526 groups have no TLS codepoint: a client accepts them from a TLS 1.2 server, nobody can offer them.
        ToolOptions modp = ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY, "--groups",
                "x25519,modp2048");
        UsageException e = assertThrows(UsageException.class, modp::clientContext);
        assertTrue(e.getMessage().contains("modp2048 has no TLS codepoint"), e.getMessage());
    }

    @Test
    void serverHandshakeTimeout() throws Exception {
        assertEquals(PskTlsContext.DEFAULT_HANDSHAKE_TIMEOUT,
                ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY).serverContext().handshakeTimeout());
        ToolOptions o = ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY,
                "--handshake-timeout-seconds", "3");
        assertEquals(Duration.ofSeconds(3), o.serverContext().handshakeTimeout());
        UsageException zero = assertThrows(UsageException.class, () -> ToolOptions.parse("server", "--port", "0",
                "--psk", "d:" + KEY, "--handshake-timeout-seconds=0"));
        assertTrue(zero.getMessage().contains("--handshake-timeout-seconds must be between 1 and 3600"),
                zero.getMessage());
        // The client's handshake timeout is its overall --timeout-seconds.
        UsageException client = assertThrows(UsageException.class, () -> ToolOptions.parse("client", "--connect",
                "127.0.0.1:1", "--psk", "d:" + KEY, "--handshake-timeout-seconds", "3"));
        assertTrue(client.getMessage().contains("unknown option for client: --handshake-timeout-seconds"),
                client.getMessage());
    }

    @Test
    void clientContextOfferingAnotherKeyKeepsTheOtherOptions() throws Exception {
        ToolOptions o = ToolOptions.parse("client", "--connect", "127.0.0.1:1", "--psk", "d:" + KEY,
                "--modes", "psk_ke", "--timeout-seconds", "7", "--tls", "1.3");
        ExternalPsk other = PskSpec.parse("other:" + KEY2);
        PskTlsContext tls = o.clientContextOffering(other);
        assertTrue(tls.isClient());
        assertEquals(List.of(PskKeyExchangeMode.PSK_KE), tls.keyExchangeModes());
        assertEquals(List.of(TlsVersion.TLS_1_3), tls.protocols());
        assertEquals(Duration.ofSeconds(7), tls.handshakeTimeout());
        other.destroy();
        o.destroyKeys();
    }

    @Test
    void clientOptions() throws Exception {
        ToolOptions o = ToolOptions.parse("client", "--connect", "localhost:4433", "--psk", "d:" + KEY,
                "--server-name", "gw.example", "--message", "hi there", "--timeout-seconds", "5",
                "--modes", "psk_ke");
        assertEquals("localhost", o.connectHost);
        assertEquals(4433, o.connectPort);
        assertEquals("gw.example", o.serverName);
        assertEquals("hi there", o.message);
        assertEquals(5, o.timeoutSeconds);
        assertEquals(List.of(PskKeyExchangeMode.PSK_KE), o.modes);
        assertTrue(o.clientContext().isClient());
    }

    @Test
    void clientDefaultsAndIpv6Connect() throws Exception {
        ToolOptions o = ToolOptions.parse("client", "--connect", "[::1]:4433", "--psk", "d:" + KEY);
        assertEquals("::1", o.connectHost);
        assertEquals("hello", o.message);
        assertEquals(15, o.timeoutSeconds);
    }

    // ---- TLS 1.2: --tls, --hint, --reject-unknown-identity, --require-ems, TLS 1.2 suites ----

    @Test
    void tlsVersionsDefaultToBoth() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY);
        assertNull(o.protocols);
        assertNull(o.hint);
        assertFalse(o.rejectUnknownIdentity);
        assertFalse(o.requireEms);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), o.serverContext().protocols());
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3),
                ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY).clientContext().protocols());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "TLSv1.2", "tlsv1.2"})
    void tlsOneTwo(String version) throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY, "--tls", version);
        assertEquals(List.of(TlsVersion.TLS_1_2), o.protocols);
        assertEquals(List.of(TlsVersion.TLS_1_2), o.serverContext().protocols());
    }

    @Test
    void tlsBothAndOneThree() throws Exception {
        ToolOptions both = ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY, "--tls=1.2,1.3");
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), both.protocols);
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), both.clientContext().protocols());
        ToolOptions v13 = ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY, "--tls", "1.3");
        assertEquals(List.of(TlsVersion.TLS_1_3), v13.clientContext().protocols());
    }

    @Test
    void tls12SuitesByIanaName() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "0", "--psk", "d:" + KEY, "--ciphers",
                "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,tls_psk_with_aes_128_ccm_8,TLS_DHE_PSK_WITH_AES_128_CCM,"
                        + "TLS_AES_128_GCM_SHA256,TLS_PSK_WITH_AES_128_CBC_SHA256");
        assertEquals(List.of(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8,
                CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM, CipherSuite.TLS_AES_128_GCM_SHA256,
                CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256), o.ciphers);
        PskTlsContext tls = o.serverContext();
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), tls.protocols());
        // The context lists the TLS 1.3 suites first, then the TLS 1.2 ones, each in the given order.
        assertEquals(List.of(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM,
                CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256), tls.cipherSuites());
    }

    @Test
    void onlyTls12SuitesMeanTls12WhenTlsIsNotGiven() throws Exception {
        ToolOptions o = ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY,
                "--ciphers", "TLS_PSK_WITH_AES_128_GCM_SHA256");
        assertEquals(List.of(TlsVersion.TLS_1_2), o.clientContext().protocols());
    }

    @Test
    void versionWithoutASuiteOfItsOwnIsAUsageError() {
        UsageException e = assertThrows(UsageException.class, () -> ToolOptions.parse("server", "--port", "0",
                "--psk", "d:" + KEY, "--tls", "1.2", "--ciphers", "TLS_AES_128_GCM_SHA256").serverContext());
        assertTrue(e.getMessage().contains("TLS 1.2"), e.getMessage());
        e = assertThrows(UsageException.class, () -> ToolOptions.parse("client", "--connect", "h:1", "--psk",
                "d:" + KEY, "--tls", "1.2,1.3", "--ciphers", "TLS_PSK_WITH_AES_128_GCM_SHA256").clientContext());
        assertTrue(e.getMessage().contains("TLS 1.3"), e.getMessage());
    }

    @Test
    void sha384KeyIsFineForTls12Only() throws Exception {
        // A TLS 1.2 PSK has no hash of its own; only TLS 1.3 needs a suite of the key's hash.
        ToolOptions.parse("client", "--connect", "h:1", "--psk", "d:" + KEY + ":sha384", "--tls", "1.2")
                .clientContext();
    }

    @Test
    void serverTls12Options() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--require-ems", "--port", "0", "--psk", "d:" + KEY,
                "--hint", "devices of hall 3", "--reject-unknown-identity", "--tls", "1.2");
        assertEquals("devices of hall 3", o.hint);
        assertTrue(o.rejectUnknownIdentity);
        assertTrue(o.requireEms);
        assertEquals(0, o.port); // a flag takes no value: --port after it is still an option
        o.serverContext();
        ToolOptions eq = ToolOptions.parse("server", "--port=0", "--psk", "d:" + KEY, "--hint=a=b");
        assertEquals("a=b", eq.hint);
    }

    @Test
    void clientRequireEms() throws Exception {
        ToolOptions o = ToolOptions.parse("client", "--connect", "h:1", "--require-ems", "--psk", "d:" + KEY);
        assertTrue(o.requireEms);
        assertTrue(o.clientContext(hint -> { }).isClient());
    }

    @Test
    void flagsTakeNoValue() {
        UsageException e = assertThrows(UsageException.class, () -> ToolOptions.parse("server", "--port", "0",
                "--psk", "d:" + KEY, "--require-ems=yes"));
        assertTrue(e.getMessage().contains("takes no value"), e.getMessage());
    }

    @Test
    void sha384KeyWithoutASha384SuiteIsAUsageError() {
        assertThrows(UsageException.class, () -> ToolOptions.parse("client", "--connect", "h:1",
                "--psk", "d:" + KEY + ":sha384", "--ciphers", "TLS_AES_128_GCM_SHA256").clientContext());
    }

    @Test
    void genkeyBytes() throws Exception {
        assertEquals(32, ToolOptions.parse("genkey").keyBytes);
        assertEquals(48, ToolOptions.parse("genkey", "--bytes", "48").keyBytes);
        assertThrows(UsageException.class, () -> ToolOptions.parse("genkey", "--bytes", "4"));
        assertThrows(UsageException.class, () -> ToolOptions.parse("genkey", "--bytes", "many"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "frobnicate",
        "server --psk d:00ff",
        "server --port 1",
        "server --port 70000 --psk d:00ff",
        "server --port 1 --psk d:00ff --connect h:1",
        "server --port 1 --psk d:00ff --modes psk_foo",
        "server --port 1 --psk d:00ff --groups x448",
        "server --port 1 --psk d:00ff --ciphers TLS_RSA_WITH_AES_128_CBC_SHA",
        "server --port 1 --psk d:00ff --modes psk_ke,,psk_dhe_ke",
        "server --port 1 --psk d:00ff --modes psk_ke,psk_ke",
        "server --port",
        "client --psk d:00ff",
        "client --connect nohost --psk d:00ff",
        "client --connect h:0 --psk d:00ff",
        "client --connect h:1",
        "client --connect h:1 --psk d:00ff --timeout-seconds 0",
        "client --connect h:1 --psk d:00ff --port 3",
        "server --port 1 --psk d:00ff --tls 1.1",
        "server --port 1 --psk d:00ff --tls 1.2,1.2",
        "server --port 1 --psk d:00ff --tls 1.2,,1.3",
        "server --port 1 --psk d:00ff --tls",
        "server --port 1 --psk d:00ff --hint",
        "server --port 1 --psk d:00ff --reject-unknown-identity=true",
        "server --port 1 --psk d:00ff --ciphers TLS_PSK_WITH_AES_128_CBC_SHA",
        "server --port 1 --psk d:00ff --ciphers TLS_DHE_PSK_WITH_AES_128_CCM_8",
        "client --connect h:1 --psk d:00ff --hint x",
        "client --connect h:1 --psk d:00ff --reject-unknown-identity",
        "client --connect h:1 --psk d:00ff --tls 1.0",
        "demo --port 3",
    })
    void badCommandLines(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertThrows(UsageException.class, () -> ToolOptions.parse(args));
    }

    @Test
    void badArgumentsExitWith64AndPrintUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PskTool.run(new String[] {"client", "--connect", "h:1", "--psk", "d:" + KEY + ":md5"},
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(PskTool.EXIT_USAGE, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("usage: psk-tool"), text);
        assertFalse(text.contains(KEY), text);
        assertEquals(64, PskTool.run(new String[0], new PrintStream(out, true), new PrintStream(err, true)));
    }

    @Test
    void genkeyPrintsFreshLowercaseHex() {
        ByteArrayOutputStream out1 = new ByteArrayOutputStream();
        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true);
        assertEquals(0, PskTool.run(new String[] {"genkey"}, new PrintStream(out1, true), err));
        assertEquals(0, PskTool.run(new String[] {"genkey", "--bytes", "16"}, new PrintStream(out2, true), err));
        String k1 = out1.toString(StandardCharsets.UTF_8).trim();
        String k2 = out2.toString(StandardCharsets.UTF_8).trim();
        assertTrue(k1.matches("[0-9a-f]{64}"), k1);
        assertTrue(k2.matches("[0-9a-f]{32}"), k2);
    }

    @Test
    void usageMentionsTheNewOptionsAndTls12Suites() {
        for (String s : List.of("--tls 1.2,1.3", "--hint TEXT", "--reject-unknown-identity", "--require-ems",
                "--allow-short-key",
                "hint=TEXT", "TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
                "TLS_DHE_PSK_WITH_AES_128_CCM")) {
            assertTrue(PskTool.USAGE.contains(s), s);
        }
        for (CipherSuite suite : CipherSuite.values()) {
            assertTrue(PskTool.USAGE.contains(suite.name()), suite.name());
        }
    }

    @Test
    void toStringShowsNoKeyMaterial() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "1", "--psk", "dev:" + KEY);
        assertFalse(o.toString().contains(KEY.substring(0, 8)), o.toString());
        assertTrue(o.toString().contains("dev"), o.toString());
    }
}
