package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.CipherSuite.KeyExchange;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.FfdheKeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.MessageWriter;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.tls12.Tls12Messages;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The finite-field groups in both versions. TLS 1.2 DHE_PSK: which server groups our client accepts (the RFC 7919
 * and RFC 3526 groups of 2048 to 4096 bits, by exact parameters) and refuses (everything else, with
 * insufficient_security), which group our server picks (RFC 7919 section 4), and the 1 &lt; Y &lt; p-1 check both
 * ways (handshake_failure, RFC 7919 sections 3 and 4). TLS 1.3: ffdhe2048/3072/4096 as psk_dhe_ke groups (RFC 8446
 * section 4.2.8.1), offered and accepted by default, reached by a HelloRetryRequest, and checked shares.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FiniteFieldGroupTest {

    static final CipherSuite DHE_GCM = CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256;
    static final CipherSuite PSK_GCM = CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256;
    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /**
     * A 2048-bit safe prime made for this test with {@code openssl dhparam 2048} (generator 2): what a server with its
     * own DH parameters sends, such as stunnel, which generates a new one every day.
     */
    static final BigInteger CUSTOM_SAFE_PRIME = new BigInteger(
            "CAFD6297FD1A737AC7EF13FC54132B206256219DC736ACD8BD62530DDCCC228EAE702448E22BB6DB240C68DE2C83245B"
            + "29E311DA9FE5A6F2444574B9F57BB712BF2869B1A0FA0C491CA35DD3E6FE88FDA61A45D9BFDB2145981B5DF7356C723F"
            + "9B3C0263FF54A76FDB2E115DC02CDF69F635DECD490DAEB61D1D0CADB9A61BBCE6B3453BB26727E90A351ED69DD10710"
            + "07DD0D1CB60A1BC2A5DC440D35F656930A56EF98C09453126FCD4843BB37C5130D6188D21FD8856742715E49F41B6A92"
            + "44308C1C128A8DDDDAB43788B94F4802F4D75630E3C4345A1225B97A2D0D7DC782B0AC7BFF2D09819F6DAB9657CE8726"
            + "05293278D83A487A68CD1DEEC29B6857", 16);

    static PskTlsContext.Builder tls12Client(CipherSuite... suites) {
        return PskTlsContext.forClient().addPsk(HostileClientHello.psk()).cipherSuites(suites);
    }

    static PskTlsContext.Builder tls12Server(CipherSuite... suites) {
        return PskTlsContext.forServer(HostileClientHello.psk()).cipherSuites(suites);
    }

    static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static BigInteger p(NamedGroup group) {
        return new BigInteger(1, FfdheKeyShare.prime(group));
    }

    /** A DHE_PSK ServerKeyExchange (no hint) with these parameters, then ServerHelloDone, after the ServerHello. */
    static void sendDheServerFlight(HostileServer s, byte[] p, byte[] g, byte[] ys) {
        byte[] ske = bytes(Tls12Messages.encodeDhePskServerKeyExchange(ALLOC, new byte[0], p, g, ys));
        s.sendHandshake(s.tls12ServerHello(DHE_GCM, HostileWire.pattern(32, 9)), ske,
                HostileWire.handshake(Tls12Messages.SERVER_HELLO_DONE, new byte[0]));
    }

    // ==== TLS 1.2 client: the server's group ====

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = NamedGroup.class, names = {"FFDHE2048", "FFDHE3072", "FFDHE4096", "MODP2048", "MODP3072",
            "MODP4096"})
    void clientAcceptsEveryWellKnownSafePrimeGroupFromTheServer(NamedGroup group) throws Exception {
        try (HostileServer s = new HostileServer(tls12Client(DHE_GCM).build())) {
            sendDheServerFlight(s, FfdheKeyShare.prime(group), FfdheKeyShare.generator(),
                    HostileServer.publicKey(group));
            List<HostileWire.Rec> out = HostileWire.records(s.takeOutbound());
            assertEquals(List.of(ContentType.HANDSHAKE, ContentType.CHANGE_CIPHER_SPEC, ContentType.HANDSHAKE),
                    out.stream().map(HostileWire.Rec::type).toList(), () -> "client sent " + out);
            byte[] cke = out.get(0).fragment();
            assertEquals(Tls12Messages.CLIENT_KEY_EXCHANGE, cke[0]);
            byte[] yc = Tls12Messages.parseClientKeyExchange(Unpooled.wrappedBuffer(HostileWire.body(cke)),
                    KeyExchange.DHE_PSK).publicValue();
            assertEquals(group.publicKeyLength(), yc.length, "dh_Yc as long as p");
            BigInteger y = new BigInteger(1, yc);
            assertTrue(y.compareTo(BigInteger.ONE) > 0 && y.compareTo(p(group).subtract(BigInteger.ONE)) < 0);
        }
    }

    static Stream<Arguments> unknownGroups() {
        BigInteger ffdhe2048 = p(NamedGroup.FFDHE2048);
        BigInteger two = BigInteger.TWO;
        return Stream.of(
                arguments("RFC 2409 group 2 (1024 bits)", DHStandardGroups.rfc2409_1024.getP(), two),
                arguments("RFC 3526 group 5 (1536 bits)", DHStandardGroups.rfc3526_1536.getP(), two),
                arguments("RFC 3526 group 17 (6144 bits)", DHStandardGroups.rfc3526_6144.getP(), two),
                arguments("ffdhe8192", DHStandardGroups.rfc7919_ffdhe8192.getP(), two),
                arguments("a custom 2048-bit safe prime", CUSTOM_SAFE_PRIME, two),
                arguments("a 2047-bit prime that is not safe (ffdhe2048's q)", ffdhe2048.shiftRight(1), two),
                arguments("ffdhe2048 with one bit flipped", ffdhe2048.flipBit(1000), two),
                arguments("ffdhe2048 with g=1", ffdhe2048, BigInteger.ONE),
                arguments("ffdhe2048 with g=p-1", ffdhe2048, ffdhe2048.subtract(BigInteger.ONE)),
                arguments("ffdhe2048 with g=5", ffdhe2048, BigInteger.valueOf(5)),
                arguments("MODP 2048 with g=p", p(NamedGroup.MODP2048), p(NamedGroup.MODP2048)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownGroups")
    void clientRefusesAnyOtherGroupWithInsufficientSecurity(String name, BigInteger p, BigInteger g) {
        // RFC 7919 section 3: a group the client does not accept ends the handshake with insufficient_security,
        // before any ClientKeyExchange.
        try (HostileServer s = new HostileServer(tls12Client(DHE_GCM).build())) {
            byte[] ys = BigIntegers.asUnsignedByteArray(BigInteger.valueOf(4).modPow(BigInteger.TEN, p));
            sendDheServerFlight(s, BigIntegers.asUnsignedByteArray(p), BigIntegers.asUnsignedByteArray(g), ys);
            PskAlertException e = s.assertRejectedInClear(AlertDescription.INSUFFICIENT_SECURITY);
            assertTrue(e.getMessage().contains(p.bitLength() + "-bit p"), e.getMessage());
        }
    }

    static Stream<Arguments> outOfRangeServerValues() {
        return Stream.of(NamedGroup.FFDHE2048, NamedGroup.MODP3072).flatMap(group -> {
            BigInteger p = p(group);
            int length = group.publicKeyLength();
            return Stream.of(
                    arguments(group, "0", new byte[] {0}),
                    arguments(group, "1", BigIntegers.asUnsignedByteArray(length, BigInteger.ONE)),
                    arguments(group, "p-1", BigIntegers.asUnsignedByteArray(p.subtract(BigInteger.ONE))),
                    arguments(group, "p", BigIntegers.asUnsignedByteArray(p)),
                    arguments(group, "p+1", BigIntegers.asUnsignedByteArray(p.add(BigInteger.ONE))),
                    arguments(group, "longer than p", HostileWire.pattern(length + 1, 3)));
        });
    }

    @ParameterizedTest(name = "{0} Ys={1}")
    @MethodSource("outOfRangeServerValues")
    void clientRefusesAServerValueOutsideTheRangeWithHandshakeFailure(NamedGroup group, String name, byte[] ys) {
        // RFC 7919 section 3: dh_Ys outside 1 < dh_Ys < dh_p - 1 is a fatal handshake_failure, for every group.
        try (HostileServer s = new HostileServer(tls12Client(DHE_GCM).build())) {
            sendDheServerFlight(s, FfdheKeyShare.prime(group), FfdheKeyShare.generator(), ys);
            s.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    // ==== TLS 1.2 server: its group ====

    /** The dh_p of the DHE_PSK ServerKeyExchange our server answers {@code hello} with. */
    static BigInteger serverPrime(PskTlsContext server, HostileClientHello hello) throws Exception {
        try (HostileClient c = new HostileClient(server)) {
            List<byte[]> flight = c.sendTls12Hello(hello);
            assertEquals(DHE_GCM, c.suite);
            byte[] ske = flight.get(1);
            assertEquals(Tls12Messages.SERVER_KEY_EXCHANGE, ske[0]);
            Tls12Messages.ServerKeyExchange parsed = Tls12Messages.parseServerKeyExchange(
                    Unpooled.wrappedBuffer(HostileWire.body(ske)), KeyExchange.DHE_PSK);
            assertArrayEquals(FfdheKeyShare.generator(), parsed.dhG());
            return new BigInteger(1, parsed.dhP());
        }
    }

    static HostileClientHello dheHelloListing(CipherSuite[] suites, int... groups) {
        HostileClientHello hello = HostileClientHello.tls12Only(suites);
        if (groups.length > 0) {
            hello.addBeforePsk(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, groups));
        }
        return hello;
    }

    static Stream<Arguments> serverGroupChoices() {
        NamedGroup[] defaults = PskTlsContext.DEFAULT_GROUPS.toArray(new NamedGroup[0]);
        return Stream.of(
                arguments("client lists none", defaults, new int[0], NamedGroup.FFDHE2048),
                arguments("client lists curves only", defaults, new int[] {0x1d, 0x17}, NamedGroup.FFDHE2048),
                arguments("client lists ffdhe3072", defaults, new int[] {0x101}, NamedGroup.FFDHE3072),
                arguments("client lists ffdhe4096, ffdhe3072", defaults, new int[] {0x102, 0x101},
                        NamedGroup.FFDHE3072),
                arguments("server prefers ffdhe3072", new NamedGroup[] {NamedGroup.FFDHE3072, NamedGroup.X25519},
                        new int[0], NamedGroup.FFDHE3072),
                arguments("server has ffdhe4096 the client lists", new NamedGroup[] {NamedGroup.FFDHE4096},
                        new int[] {0x100, 0x102}, NamedGroup.FFDHE4096),
                arguments("server lists no finite-field group", new NamedGroup[] {NamedGroup.X25519}, new int[0],
                        NamedGroup.FFDHE2048));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverGroupChoices")
    void serverUsesItsFirstFiniteFieldGroupThatTheClientAccepts(String name, NamedGroup[] serverGroups,
                                                              int[] clientGroups, NamedGroup expected)
            throws Exception {
        // RFC 7919 section 4: a client listing FFDHE groups gets one of them; one listing none gets ours.
        PskTlsContext server = tls12Server(DHE_GCM).groups(serverGroups).build();
        assertEquals(p(expected), serverPrime(server, dheHelloListing(new CipherSuite[] {DHE_GCM}, clientGroups)));
    }

    @Test
    void serverRefusesDheWhenTheClientListsNoneOfItsGroups() throws Exception {
        // RFC 7919 section 4: FFDHE groups listed, none acceptable, no other suite: insufficient_security.
        try (HostileClient c = new HostileClient(tls12Server(DHE_GCM).build())) {
            c.send(dheHelloListing(new CipherSuite[] {DHE_GCM}, 0x102, 0x1d).record());
            c.assertRejectedInClear(AlertDescription.INSUFFICIENT_SECURITY);
        }
        // With another suite in common the server takes that one instead.
        try (HostileClient c = new HostileClient(tls12Server(DHE_GCM, PSK_GCM).build())) {
            c.sendTls12Hello(dheHelloListing(new CipherSuite[] {DHE_GCM, PSK_GCM}, 0x102));
            assertEquals(PSK_GCM, c.suite);
        }
    }

    static Stream<Arguments> outOfRangeClientValues() {
        BigInteger p = p(NamedGroup.FFDHE2048);
        return Stream.of(
                arguments("1", new byte[] {1}),
                arguments("p-1", BigIntegers.asUnsignedByteArray(p.subtract(BigInteger.ONE))),
                arguments("p", BigIntegers.asUnsignedByteArray(p)));
    }

    @ParameterizedTest(name = "Yc={0}")
    @MethodSource("outOfRangeClientValues")
    void serverRefusesAClientValueOutsideTheRangeWithHandshakeFailure(String name, byte[] yc) throws Exception {
        // RFC 7919 section 4: dh_Yc outside 1 < dh_Yc < dh_p - 1 is a fatal handshake_failure.
        try (HostileClient c = new HostileClient(tls12Server(DHE_GCM).build())) {
            c.sendTls12Hello(HostileClientHello.tls12Only(DHE_GCM));
            byte[] cke = bytes(Tls12Messages.encodeClientKeyExchange(ALLOC, KeyExchange.DHE_PSK,
                    HostileClientHello.IDENTITY.getBytes(StandardCharsets.UTF_8), yc));
            c.send(HostileWire.record(ContentType.HANDSHAKE, cke));
            c.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = NamedGroup.class, names = {"FFDHE2048", "FFDHE3072", "FFDHE4096"})
    void tls12DhePskCompletesInEachOfOurGroups(NamedGroup group) {
        try (EmbeddedPair pair = new EmbeddedPair(tls12Client(DHE_GCM).groups(group).build(),
                tls12Server(DHE_GCM).groups(NamedGroup.X25519, NamedGroup.FFDHE2048, NamedGroup.FFDHE3072,
                        NamedGroup.FFDHE4096).build())) {
            pair.handshake();
            assertSame(group, pair.clientHandler().session().group());
            assertSame(group, pair.serverHandler().session().group());
        }
    }

    // ==== TLS 1.3 ====

    @Test
    void defaultClientListsTheFfdheGroupsButSendsOnlyAnX25519Share() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            assertArrayEquals(new int[] {0x1d, 0x17, 0x18, 0x100, 0x101}, s.hello.supportedGroups());
            assertEquals(NamedGroup.X25519.id(), s.clientShare().group());
        }
    }

    static Stream<Arguments> tls13Pairs() {
        return Stream.of(
                // a client limited to one FFDHE group, the default server: served at once, no HelloRetryRequest
                arguments("client ffdhe2048, default server", new NamedGroup[] {NamedGroup.FFDHE2048}, null,
                        NamedGroup.FFDHE2048),
                arguments("client ffdhe3072, default server", new NamedGroup[] {NamedGroup.FFDHE3072}, null,
                        NamedGroup.FFDHE3072),
                // the default client and a server limited to FFDHE: one HelloRetryRequest
                arguments("default client, server ffdhe2048", null, new NamedGroup[] {NamedGroup.FFDHE2048},
                        NamedGroup.FFDHE2048),
                arguments("default client, server ffdhe3072", null, new NamedGroup[] {NamedGroup.FFDHE3072},
                        NamedGroup.FFDHE3072),
                arguments("ffdhe4096 both", new NamedGroup[] {NamedGroup.FFDHE4096},
                        new NamedGroup[] {NamedGroup.FFDHE4096}, NamedGroup.FFDHE4096),
                // both defaults: x25519, never a finite-field group
                arguments("both defaults", null, null, NamedGroup.X25519));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Pairs")
    void tls13PskDheKeUsesTheFfdheGroupBothSidesCanDo(String name, NamedGroup[] clientGroups,
                                                      NamedGroup[] serverGroups, NamedGroup expected) {
        PskTlsContext.Builder client = PskTlsContext.forClient().addPsk(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3);
        PskTlsContext.Builder server = PskTlsContext.forServer(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3);
        if (clientGroups != null) {
            client.groups(clientGroups);
        }
        if (serverGroups != null) {
            server.groups(serverGroups);
        }
        try (EmbeddedPair pair = new EmbeddedPair(client.build(), server.build())) {
            pair.handshake();
            for (PskTlsSession s : List.of(pair.clientHandler().session(), pair.serverHandler().session())) {
                assertEquals("TLSv1.3", s.protocol());
                assertSame(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
                assertSame(expected, s.group());
            }
        }
    }

    static Stream<Arguments> badServerShares() {
        BigInteger p = p(NamedGroup.FFDHE2048);
        // 2^2039 is a valid ffdhe2048 value (1 < Y < p-1) of 255 bytes: sent without the leading zero byte of its
        // padded form.
        byte[] unpadded = BigIntegers.asUnsignedByteArray(BigInteger.TWO.pow(2039));
        return Stream.of(
                arguments("255 bytes (not padded to p)", unpadded),
                arguments("1", BigIntegers.asUnsignedByteArray(256, BigInteger.ONE)),
                arguments("p-1", BigIntegers.asUnsignedByteArray(256, p.subtract(BigInteger.ONE))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badServerShares")
    void clientRefusesABadFfdheServerShare(String name, byte[] share) {
        // RFC 8446 section 4.2.8.1: the share is Y padded to the length of p, and 1 < Y < p-1.
        PskTlsContext client = PskTlsContext.forClient().addPsk(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3).groups(NamedGroup.FFDHE2048).build();
        try (HostileServer s = new HostileServer(client)) {
            assertEquals(NamedGroup.FFDHE2048.id(), s.clientShare().group());
            assertEquals(256, s.clientShare().keyExchange().length);
            s.sendHandshake(s.serverHello(0x1301, 0, new KeyShareEntry(NamedGroup.FFDHE2048.id(), share)));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    /** key_share with one entry, as a ClientHello carries it (RFC 8446 section 4.2.8). */
    static byte[] clientKeyShare(int group, byte[] keyExchange) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.begin16().u16(group).bytes16(keyExchange).end();
        return bytes(w.buffer());
    }

    @Test
    void serverRefusesABadFfdheClientShare() {
        BigInteger p = p(NamedGroup.FFDHE2048);
        byte[][] bad = {
            HostileWire.pattern(255, 4), // not padded to the 256 bytes of p
            BigIntegers.asUnsignedByteArray(256, BigInteger.ONE),
            BigIntegers.asUnsignedByteArray(256, p.subtract(BigInteger.ONE)),
            BigIntegers.asUnsignedByteArray(256, p),
        };
        for (byte[] share : bad) {
            try (HostileClient c = HostileClient.againstDefaultServer()) {
                HostileClientHello hello = c.validHello()
                        .replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, 0x100))
                        .replace(ExtensionType.KEY_SHARE, clientKeyShare(0x100, share));
                c.send(hello.record());
                c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            }
        }
        // Control: the same hello with a valid ffdhe2048 share is answered with a ServerHello for ffdhe2048.
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello()
                    .replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, 0x100))
                    .replace(ExtensionType.KEY_SHARE, clientKeyShare(0x100,
                            HostileServer.publicKey(NamedGroup.FFDHE2048)));
            c.send(hello.record());
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            byte[] sh = out.get(0).fragment();
            assertEquals(2, sh[0], () -> "server answered " + out);
            io.tlspsk.codec.handshake.ServerHello parsed = parseServerHello(sh);
            assertEquals(0x100, parsed.keyShare().group());
            assertEquals(256, parsed.keyShare().keyExchange().length);
        }
    }

    private static io.tlspsk.codec.handshake.ServerHello parseServerHello(byte[] message) {
        try {
            return io.tlspsk.codec.handshake.ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(message)));
        } catch (io.tlspsk.codec.alert.TlsAlertException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = NamedGroup.class, names = {"MODP2048", "MODP3072", "MODP4096"})
    void modpGroupsCannotBeConfigured(NamedGroup modp) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PskTlsContext.forServer(HostileClientHello.psk()).groups(NamedGroup.X25519, modp).build());
        assertTrue(e.getMessage().contains(modp.tlsName()), e.getMessage());
    }
}
