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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        assertThrows(UsageException.class, () -> PskSpec.parse("d:0000000000000000"));
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
    void toStringShowsNoKeyMaterial() throws Exception {
        ToolOptions o = ToolOptions.parse("server", "--port", "1", "--psk", "dev:" + KEY);
        assertFalse(o.toString().contains(KEY.substring(0, 8)), o.toString());
        assertTrue(o.toString().contains("dev"), o.toString());
    }
}
