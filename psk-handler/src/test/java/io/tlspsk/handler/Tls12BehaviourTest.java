package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.tls12.Tls12Messages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a TLS 1.2 connection between our client and our server does: identity hints (RFC 4279 section 2), the
 * optional ServerKeyExchange, main and backup keys decided at the client's Finished, unknown identities, the
 * asynchronous selector, extended_master_secret (RFC 7627), encrypt_then_mac (RFC 7366), ALPN and SNI, queued
 * writes, close_notify, KeyUpdate refused, and bulk data for each record protection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Tls12BehaviourTest {

    static final CipherSuite PSK_GCM = CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256;
    static final CipherSuite PSK_CBC = CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256;
    static final CipherSuite ECDHE_GCM = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;

    static final ExternalPsk A = psk("tls12-a", 81);
    static final ExternalPsk B = psk("tls12-b", 82);
    static final ExternalPsk MAIN = psk("device-12", 83);
    static final ExternalPsk BACKUP = psk("device-12", 84);
    static final ExternalPsk STALE = psk("device-12", 85);

    static EventLoopGroup group;

    @BeforeAll
    static void startEventLoops() {
        group = LocalPair.newGroup();
    }

    @AfterAll
    static void stopEventLoops() throws InterruptedException {
        LocalPair.shutdown(group);
    }

    static ExternalPsk psk(String identity, int seed) {
        return ExternalPsk.of(identity, WireTap.pattern(32, seed), HashAlgorithm.SHA256);
    }

    /** A TLS 1.2-only client (TLS 1.2 suites only) with these PSKs. */
    static PskTlsContext.Builder client(CipherSuite suite, ExternalPsk... keys) {
        PskTlsContext.Builder b = PskTlsContext.forClient().cipherSuites(suite);
        for (ExternalPsk k : keys) {
            b.addPsk(k);
        }
        return b;
    }

    static PskTlsContext.Builder server(CipherSuite suite, ExternalPsk... keys) {
        return PskTlsContext.forServer(keys).cipherSuites(suite);
    }

    static PskAlertException failure(PskHandshakeHandler h) {
        assertTrue(h.handshakeFuture().isDone(), "handshake still running");
        assertFalse(h.handshakeFuture().isSuccess(), () -> "handshake succeeded: " + h.session());
        return assertInstanceOf(PskAlertException.class, h.handshakeFuture().cause());
    }

    /** The server sent {@code d}, the client received it, both closed. */
    static void assertServerSentAndClientReceived(EmbeddedPair pair, WireTap.Handlers h, AlertDescription d) {
        PskAlertException sent = failure(h.server());
        assertEquals(d, sent.description(), sent::getMessage);
        assertFalse(sent.isReceived());
        PskAlertException received = failure(h.client());
        assertEquals(d, received.description(), received::getMessage);
        assertEquals(d.code(), received.code());
        assertTrue(received.isReceived());
        assertFalse(pair.server.isOpen(), "server closed");
        assertFalse(pair.client.isOpen(), "client closed");
    }

    static boolean hasExtension(int[] types, int type) {
        return Arrays.stream(types).anyMatch(t -> t == type);
    }

    static ClientHello clientHello(List<ByteBuf> bufs) {
        byte[] ch = WireTap.clearHandshakeMessages(bufs).get(0);
        assertEquals(HandshakeType.CLIENT_HELLO, ch[0]);
        try {
            return ClientHello.parse(Unpooled.wrappedBuffer(HostileWire.body(ch)), 64);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs the handshake one flight at a time and returns what was on the wire: the ClientHello, the server's
     * first flight, the client's second flight and the server's answer. The buffers are delivered, not kept.
     */
    record Flights(WireTap.Handlers handlers, ClientHello clientHello, List<Integer> serverFlightTypes,
                   List<byte[]> serverFlight, ServerHello serverHello, byte[] clientSecondFlight, byte[] serverAnswer) {

        void assertBothSucceeded() {
            assertTrue(handlers.client().handshakeFuture().isSuccess(),
                    () -> "client: " + handlers.client().handshakeFuture().cause());
            assertTrue(handlers.server().handshakeFuture().isSuccess(),
                    () -> "server: " + handlers.server().handshakeFuture().cause());
        }
    }

    static Flights runFlights(EmbeddedPair pair) {
        WireTap.Handlers handlers = WireTap.Handlers.of(pair);
        List<ByteBuf> hello = WireTap.take(pair.client);
        ClientHello ch = clientHello(hello);
        WireTap.deliver(hello, pair.server);
        List<ByteBuf> flight = WireTap.take(pair.server);
        List<Integer> types = WireTap.clearHandshakeTypes(flight);
        List<byte[]> messages = WireTap.clearHandshakeMessages(flight);
        ServerHello sh = WireTap.serverHello(flight);
        WireTap.deliver(flight, pair.client);
        List<ByteBuf> second = WireTap.take(pair.client);
        byte[] secondBytes = WireTap.concat(second);
        WireTap.deliver(second, pair.server);
        List<ByteBuf> answer = WireTap.take(pair.server);
        byte[] answerBytes = WireTap.concat(answer);
        WireTap.deliver(answer, pair.client);
        pair.pump();
        return new Flights(handlers, ch, types, messages, sh, secondBytes, answerBytes);
    }

    // ---- identity hint ----

    @ParameterizedTest
    @EnumSource(names = {"TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"})
    void identityHintReachesTheClientsHintCallback(CipherSuite suite) {
        List<String> hints = new ArrayList<>();
        PskTlsContext server = server(suite, A).identityHint("gateway-\u00fc-7").build();
        PskTlsContext client = client(suite, A).pskForHint(hint -> {
            hints.add(hint);
            return A;
        }).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals(List.of("gateway-\u00fc-7"), hints, "the hint, decoded as UTF-8, once");
            assertEquals("tls12-a", pair.serverHandler().session().identityAsString());
            assertEquals(suite, pair.clientHandler().session().cipherSuite());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"})
    void hintCallbackSeesNullWhenTheServerConfiguresNoHint(CipherSuite suite) {
        List<String> hints = new ArrayList<>();
        PskTlsContext client = client(suite, A).pskForHint(hint -> {
            hints.add(hint);
            return A;
        }).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server(suite, A).build())) {
            pair.handshake();
            assertEquals(1, hints.size(), "called once");
            assertNull(hints.get(0), "no hint (or an empty one in ServerKeyExchange) is null");
        }
    }

    @Test
    void defaultHintCallbackUsesTheFirstPskWhateverTheHint() {
        PskTlsContext server = server(PSK_GCM, B, A).identityHint("tls12-b").build();
        PskTlsContext client = client(PSK_GCM, A, B).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals("tls12-a", pair.clientHandler().session().identityAsString());
            assertEquals("tls12-a", pair.serverHandler().session().identityAsString());
        }
    }

    @Test
    void defaultHintCallbackSkipsADestroyedPsk() {
        ExternalPsk revoked = psk("tls12-revoked", 86);
        PskTlsContext client = client(PSK_GCM, revoked, B).build();
        revoked.destroy();
        try (EmbeddedPair pair = new EmbeddedPair(client, server(PSK_GCM, B).build())) {
            pair.handshake();
            assertEquals("tls12-b", pair.serverHandler().session().identityAsString());
        }
    }

    @Test
    void hintCallbackAnsweringNullAbortsTheClientWithHandshakeFailure() {
        PskTlsContext client = client(PSK_GCM, A).pskForHint(hint -> null).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server(PSK_GCM, A).identityHint("nobody").build())) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            PskAlertException sent = failure(h.client());
            assertEquals(AlertDescription.HANDSHAKE_FAILURE, sent.description());
            assertFalse(sent.isReceived());
            PskAlertException received = failure(h.server());
            assertEquals(AlertDescription.HANDSHAKE_FAILURE, received.description());
            assertTrue(received.isReceived());
        }
    }

    // ---- ServerKeyExchange ----

    @Test
    void plainPskWithoutAHintOmitsServerKeyExchange() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server(PSK_GCM, A).build())) {
            Flights f = runFlights(pair);
            assertEquals(List.of((int) HandshakeType.SERVER_HELLO, Tls12Messages.SERVER_HELLO_DONE),
                    f.serverFlightTypes());
            f.assertBothSucceeded();
        }
    }

    @Test
    void plainPskWithAHintSendsServerKeyExchangeCarryingIt() {
        PskTlsContext server = server(PSK_GCM, A).identityHint("hint-42").build();
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server)) {
            Flights f = runFlights(pair);
            assertEquals(List.of((int) HandshakeType.SERVER_HELLO, Tls12Messages.SERVER_KEY_EXCHANGE,
                    Tls12Messages.SERVER_HELLO_DONE), f.serverFlightTypes());
            byte[] ske = HostileWire.body(f.serverFlight().get(1));
            assertArrayEquals(HostileWire.concat(new byte[] {0, 7}, "hint-42".getBytes(StandardCharsets.UTF_8)), ske,
                    "psk_identity_hint<0..2^16-1> and nothing else");
            f.assertBothSucceeded();
        }
    }

    @Test
    void ecdhePskSendsServerKeyExchangeEvenWithoutAHint() {
        PskTlsContext server = server(ECDHE_GCM, A).build();
        try (EmbeddedPair pair = new EmbeddedPair(client(ECDHE_GCM, A).build(), server)) {
            Flights f = runFlights(pair);
            assertEquals(List.of((int) HandshakeType.SERVER_HELLO, Tls12Messages.SERVER_KEY_EXCHANGE,
                    Tls12Messages.SERVER_HELLO_DONE), f.serverFlightTypes());
            f.assertBothSucceeded();
            assertEquals(NamedGroup.X25519, f.handlers().server().session().group());
        }
    }

    // ---- main and backup keys, unknown identities, wrong keys ----

    @ParameterizedTest
    @EnumSource(names = {"TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_PSK_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"})
    void clientHoldingTheBackupKeySucceedsAgainstMainAndBackupCandidates(CipherSuite suite) {
        try (EmbeddedPair pair = new EmbeddedPair(client(suite, BACKUP).build(), server(suite, MAIN, BACKUP).build())) {
            pair.handshake();
            assertEquals("device-12", pair.serverHandler().session().identityAsString());
            assertEquals("device-12", pair.clientHandler().session().identityAsString());
            pair.assertDataFlowsBothWays("backup up", "backup down");
        }
    }

    @Test
    void clientHoldingTheMainKeySucceedsAgainstAnExplicitMainAndBackupSelection() {
        PskTlsContext server = PskTlsContext.forServer(r ->
                CompletableFuture.completedFuture(PskSelection.of(r.offeredPsks().get(0), MAIN, BACKUP)))
                .cipherSuites(PSK_GCM).build();
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, MAIN).build(), server)) {
            pair.handshake();
            assertEquals("device-12", pair.serverHandler().session().identityAsString());
            pair.assertDataFlowsBothWays("main up", "main down");
        }
    }

    @Test
    void clientHoldingNeitherMainNorBackupKeyFailsWithBadRecordMac() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, STALE).build(), server(PSK_GCM, MAIN, BACKUP).build())) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            Flights f = runFlights(pair);
            assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.BAD_RECORD_MAC), f.serverAnswer());
            assertServerSentAndClientReceived(pair, h, AlertDescription.BAD_RECORD_MAC);
        }
    }

    @Test
    void wrongKeyFailsWithBadRecordMac() {
        ExternalPsk wrong = ExternalPsk.of("tls12-a", WireTap.pattern(32, 99), HashAlgorithm.SHA256);
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, wrong).build(), server(PSK_GCM, A).build())) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            Flights f = runFlights(pair);
            assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.BAD_RECORD_MAC), f.serverAnswer());
            assertServerSentAndClientReceived(pair, h, AlertDescription.BAD_RECORD_MAC);
        }
    }

    /**
     * By default an unknown identity is not revealed (RFC 4279 section 2 allows either): the server goes on with a
     * random key and answers the client's Finished exactly as it answers a wrong key.
     */
    @Test
    void unknownIdentityFailsWithBadRecordMacByDefaultExactlyLikeAWrongKey() {
        byte[] wrongKeyAnswer;
        try (EmbeddedPair pair = new EmbeddedPair(
                client(PSK_GCM, ExternalPsk.of("tls12-a", WireTap.pattern(32, 98), HashAlgorithm.SHA256)).build(),
                server(PSK_GCM, A).build())) {
            wrongKeyAnswer = runFlights(pair).serverAnswer();
        }
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, psk("tls12-ghost", 97)).build(),
                server(PSK_GCM, A).build())) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            Flights f = runFlights(pair);
            assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.BAD_RECORD_MAC), f.serverAnswer(),
                    "bad_record_mac, not unknown_psk_identity");
            assertArrayEquals(wrongKeyAnswer, f.serverAnswer(), "indistinguishable from a wrong key");
            assertServerSentAndClientReceived(pair, h, AlertDescription.BAD_RECORD_MAC);
        }
    }

    @Test
    void rejectUnknownIdentityAnswersUnknownPskIdentity() {
        PskTlsContext server = server(PSK_GCM, A).rejectUnknownIdentity(true).build();
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, psk("tls12-ghost", 97)).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            Flights f = runFlights(pair);
            assertArrayEquals(new byte[] {21, 3, 3, 0, 2, 2, 115}, f.serverAnswer(), "fatal unknown_psk_identity (115)");
            assertServerSentAndClientReceived(pair, h, AlertDescription.UNKNOWN_PSK_IDENTITY);
        }
    }

    @Test
    void rejectUnknownIdentityStillAcceptsAKnownIdentity() {
        PskTlsContext server = server(PSK_GCM, A).rejectUnknownIdentity(true).build();
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server)) {
            pair.handshake();
            pair.assertDataFlowsBothWays("known", "welcome");
        }
    }

    // ---- asynchronous selection ----

    /**
     * The server asks its selector at the ClientKeyExchange, which arrives in one flight with the client's
     * change_cipher_spec and Finished: those must be held while the lookup is pending, then processed.
     */
    @Test
    void clientChangeCipherSpecAndFinishedArrivingWhileSelectionPendsAreHeldThenProcessed() {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            return pending;
        }).cipherSuites(PSK_GCM).build();
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            WireTap.deliver(WireTap.take(pair.server), pair.client);
            List<ByteBuf> second = WireTap.take(pair.client);
            assertEquals(List.of(ContentType.HANDSHAKE, ContentType.CHANGE_CIPHER_SPEC, ContentType.HANDSHAKE),
                    WireTap.types(second), "ClientKeyExchange, change_cipher_spec, Finished");
            WireTap.deliverCoalesced(second, pair.server);

            assertNotNull(request.get(), "selector called at the ClientKeyExchange");
            assertEquals(1, request.get().offeredPsks().size());
            assertEquals("tls12-a", request.get().offeredPsks().get(0).identityAsString());
            assertEquals(0, WireTap.take(pair.server).size(), "nothing sent while the lookup is pending");
            assertFalse(h.server().handshakeFuture().isDone());
            assertTrue(pair.server.isOpen());

            pending.complete(PskSelection.of(request.get().offeredPsks().get(0), A));
            List<ByteBuf> answer = WireTap.take(pair.server);
            assertEquals(List.of(ContentType.CHANGE_CIPHER_SPEC, ContentType.HANDSHAKE), WireTap.types(answer),
                    "the held Finished was verified and answered");
            assertTrue(h.server().handshakeFuture().isSuccess(),
                    () -> "server: " + h.server().handshakeFuture().cause());
            WireTap.deliver(answer, pair.client);
            pair.handshake();
            pair.assertDataFlowsBothWays("held", "processed");
        }
    }

    @Test
    void asyncSelectionCompletedOnAnotherThreadFinishesTheTls12Handshake() throws Exception {
        CompletableFuture<PskSelection> pending = new CompletableFuture<>();
        AtomicReference<PskSelectionRequest> request = new AtomicReference<>();
        AtomicReference<Thread> selectorThread = new AtomicReference<>();
        CountDownLatch selected = new CountDownLatch(1);
        PskTlsContext server = PskTlsContext.forServer(r -> {
            request.set(r);
            selectorThread.set(Thread.currentThread());
            selected.countDown();
            return pending;
        }).cipherSuites(PSK_GCM).build();
        try (LocalPair pair = new LocalPair(group, client(PSK_GCM, BACKUP).build(), server)) {
            assertTrue(selected.await(LocalPair.WAIT_SECONDS, TimeUnit.SECONDS), "selector called");
            assertTrue(pair.server.eventLoop().inEventLoop(selectorThread.get()), "select runs on the event loop");
            assertEquals("device-12", request.get().offeredPsks().get(0).identityAsString());
            // The client flushed ClientKeyExchange, change_cipher_spec and Finished together: the last two are now
            // with the server, unprocessed.
            Thread.sleep(200);
            assertFalse(pair.serverHandshake().isDone(), "server waits for the selection");
            assertFalse(pair.clientHandshake().isDone(), "client waits for the server's Finished");

            Thread keyService = new Thread(() -> pending.complete(
                    PskSelection.of(request.get().offeredPsks().get(0), MAIN, BACKUP)), "key-service");
            keyService.start();
            keyService.join(TimeUnit.SECONDS.toMillis(LocalPair.WAIT_SECONDS));
            pair.awaitHandshakes();
            assertEquals("TLSv1.2", pair.serverHandshake().getNow().protocol());
            assertEquals("device-12", pair.serverHandshake().getNow().identityAsString());

            pair.client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            assertEquals("ping", new String(pair.serverEvents.awaitBytes(4), StandardCharsets.UTF_8));
            pair.server.writeAndFlush(Unpooled.copiedBuffer("pong", StandardCharsets.UTF_8));
            assertEquals("pong", new String(pair.clientEvents.awaitBytes(4), StandardCharsets.UTF_8));
            assertTrue(pair.serverEvents.exceptions.isEmpty(), () -> "server: " + pair.serverEvents.exceptions);
            assertTrue(pair.clientEvents.exceptions.isEmpty(), () -> "client: " + pair.clientEvents.exceptions);
        }
    }

    // ---- extended_master_secret ----

    @Test
    void extendedMasterSecretIsNegotiatedWhenBothOfferIt() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server(PSK_GCM, A).build())) {
            Flights f = runFlights(pair);
            assertTrue(f.clientHello().offersExtendedMasterSecret(), "the client offers it");
            assertTrue(f.serverHello().extendedMasterSecret(), "the server accepts it");
            f.assertBothSucceeded();
        }
    }

    /** A client deriving the RFC 7627 master secret on its own completes: the server used the same derivation. */
    @Test
    void serverDerivesTheExtendedMasterSecretWhenTheClientOffersIt() throws Exception {
        try (HostileClient c = new HostileClient(server(PSK_GCM, HostileClientHello.psk()).build())) {
            c.completeTls12Handshake(HostileClientHello.tls12Only(PSK_GCM));
            assertTrue(c.serverHello.extendedMasterSecret());
        }
    }

    /** ClientHelloEncoder always adds extended_master_secret with offerTls12; the test removes it by hand. */
    @Test
    void serverUsesTheClassicMasterSecretWithAClientThatDoesNotOfferExtendedMasterSecret() throws Exception {
        try (HostileClient c = new HostileClient(server(PSK_GCM, HostileClientHello.psk()).build())) {
            c.completeTls12Handshake(
                    HostileClientHello.tls12Only(PSK_GCM).remove(ExtensionType.EXTENDED_MASTER_SECRET));
            assertFalse(c.serverHello.extendedMasterSecret(), "not echoed when not offered");
        }
    }

    @Test
    void serverRequiringExtendedMasterSecretRefusesAClientThatDoesNotOfferIt() {
        PskTlsContext server = server(PSK_GCM, HostileClientHello.psk()).requireExtendedMasterSecret(true).build();
        try (HostileClient c = new HostileClient(server)) {
            c.send(HostileClientHello.tls12Only(PSK_GCM).remove(ExtensionType.EXTENDED_MASTER_SECRET).record());
            c.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    @Test
    void serverRequiringExtendedMasterSecretAcceptsOurClient() {
        PskTlsContext server = server(PSK_GCM, A).requireExtendedMasterSecret(true).build();
        PskTlsContext client = client(PSK_GCM, A).requireExtendedMasterSecret(true).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            pair.assertDataFlowsBothWays("ems", "required");
        }
    }

    @Test
    void clientRequiringExtendedMasterSecretRefusesAServerHelloWithoutIt() {
        try (HostileServer s = new HostileServer(client(PSK_GCM, HostileClientHello.psk())
                .requireExtendedMasterSecret(true).build())) {
            var p = s.tls12ServerHelloParams(PSK_GCM, HostileWire.pattern(32, 9));
            p.extendedMasterSecret = false;
            s.sendHandshake(HostileServer.encode(p));
            s.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    // ---- encrypt_then_mac ----

    @Test
    void encryptThenMacIsNegotiatedForACbcSuite() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_CBC, A).build(), server(PSK_CBC, A).build())) {
            Flights f = runFlights(pair);
            assertTrue(f.clientHello().offersEncryptThenMac(), "offered with a CBC suite");
            assertTrue(hasExtension(f.serverHello().extensionTypes(), ExtensionType.ENCRYPT_THEN_MAC));
            assertTrue(f.serverHello().encryptThenMac());
            f.assertBothSucceeded();
            pair.assertDataFlowsBothWays("cbc up", "cbc down");
        }
    }

    @Test
    void encryptThenMacIsNotNegotiatedForAnAeadSuiteEvenWhenOffered() {
        PskTlsContext client = PskTlsContext.forClient().addPsk(A).cipherSuites(PSK_GCM, PSK_CBC).build();
        PskTlsContext server = PskTlsContext.forServer(A).cipherSuites(PSK_GCM, PSK_CBC).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            Flights f = runFlights(pair);
            assertTrue(f.clientHello().offersEncryptThenMac(), "offered: a CBC suite is in the list");
            assertEquals(PSK_GCM.id(), f.serverHello().cipherSuite());
            assertFalse(hasExtension(f.serverHello().extensionTypes(), ExtensionType.ENCRYPT_THEN_MAC),
                    "RFC 7366 section 3: never with an AEAD suite");
            f.assertBothSucceeded();
        }
    }

    @Test
    void clientOfferingOnlyAeadSuitesDoesNotOfferEncryptThenMac() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server(PSK_GCM, A).build())) {
            Flights f = runFlights(pair);
            assertFalse(f.clientHello().offersEncryptThenMac());
            f.assertBothSucceeded();
        }
    }

    /**
     * A client with its own keys opens the server's CBC Finished with encrypt-then-MAC exactly when it offered it,
     * and the server opens the client's: both directions use what the ServerHello says.
     */
    @ParameterizedTest(name = "client offers encrypt_then_mac: {0}")
    @ValueSource(booleans = {true, false})
    void serverProtectsCbcRecordsAsTheServerHelloSays(boolean offerEncryptThenMac) throws Exception {
        try (HostileClient c = new HostileClient(server(PSK_CBC, HostileClientHello.psk()).build())) {
            HostileClientHello hello = HostileClientHello.tls12Only(PSK_CBC);
            if (!offerEncryptThenMac) {
                hello.remove(ExtensionType.ENCRYPT_THEN_MAC);
            }
            c.completeTls12Handshake(hello);
            assertEquals(offerEncryptThenMac, c.serverHello.encryptThenMac());
            assertEquals(offerEncryptThenMac, c.tls12ClientWrite.encryptThenMac());
            c.send(c.seal12(ContentType.APPLICATION_DATA, "cbc data".getBytes(StandardCharsets.UTF_8)));
            assertEquals("cbc data", new String(c.recorder.drainBytes(), StandardCharsets.UTF_8));
        }
    }

    // ---- ALPN and server_name ----

    @Test
    void alpnAndServerNameAreNegotiatedInTls12() {
        List<String> seenServerNames = new ArrayList<>();
        PskSelector keys = PskSelector.fromKeys(List.of(A));
        PskTlsContext server = PskTlsContext.forServer(r -> {
            seenServerNames.add(r.serverName());
            return keys.select(r);
        }).cipherSuites(PSK_GCM).applicationProtocols("http/1.1", "h2").build();
        PskTlsContext client = client(PSK_GCM, A).applicationProtocols("h2", "http/1.1")
                .serverName("device.example").build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            Flights f = runFlights(pair);
            f.assertBothSucceeded();
            assertEquals(List.of("h2", "http/1.1"), f.clientHello().applicationProtocols());
            assertEquals("device.example", f.clientHello().serverName());
            assertEquals("http/1.1", f.serverHello().applicationProtocol(), "server preference wins");
            assertTrue(f.serverHello().serverNameAcknowledged());
            assertEquals(List.of("device.example"), seenServerNames, "the selector sees server_name");
            PskTlsSession c = pair.clientHandler().session();
            PskTlsSession s = pair.serverHandler().session();
            assertEquals("http/1.1", c.applicationProtocol());
            assertEquals("http/1.1", s.applicationProtocol());
            assertEquals("device.example", c.serverName());
            assertEquals("device.example", s.serverName());
        }
    }

    @Test
    void noCommonAlpnProtocolFailsTheTls12HandshakeWithNoApplicationProtocol() {
        PskTlsContext server = server(PSK_GCM, A).applicationProtocols("mqtt").build();
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).applicationProtocols("h2").build(), server)) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            pair.pump();
            assertServerSentAndClientReceived(pair, h, AlertDescription.NO_APPLICATION_PROTOCOL);
        }
    }

    // ---- application data ----

    @Test
    void writesQueuedBeforeTheTls12HandshakeAreDeliveredInOrderAfterIt() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server(PSK_GCM, A).build())) {
            ChannelFuture c1 = pair.client.write(Unpooled.copiedBuffer("one,", StandardCharsets.UTF_8));
            ChannelFuture c2 = pair.client.writeAndFlush(Unpooled.copiedBuffer("two", StandardCharsets.UTF_8));
            ChannelFuture s1 = pair.server.writeAndFlush(Unpooled.copiedBuffer("early bird", StandardCharsets.UTF_8));
            assertFalse(c1.isDone() || c2.isDone() || s1.isDone(), "held until the handshake completes");
            pair.handshake();
            pair.pump();
            assertTrue(c1.isSuccess() && c2.isSuccess() && s1.isSuccess());
            assertEquals("one,two", pair.serverEvents.drainText());
            assertEquals("early bird", pair.clientEvents.drainText());
        }
    }

    @ParameterizedTest(name = "client closes: {0}")
    @ValueSource(booleans = {true, false})
    void closeSendsAProtectedCloseNotifyAndThePeerAnswersInKind(boolean clientCloses) {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server(PSK_GCM, A).build())) {
            pair.handshake();
            EmbeddedChannel closer = clientCloses ? pair.client : pair.server;
            EmbeddedChannel peer = clientCloses ? pair.server : pair.client;
            EmbeddedPair.Recorder peerEvents = clientCloses ? pair.serverEvents : pair.clientEvents;
            // A TLS 1.2 alert keeps its type in the header: 8-byte explicit nonce, 2 bytes, 16-byte tag.
            List<WireTap.Header> closeNotify = List.of(new WireTap.Header(ContentType.ALERT, 26));

            ChannelFuture closed = closer.close();
            List<ByteBuf> out = WireTap.take(closer);
            assertEquals(closeNotify, WireTap.headers(out));
            assertTrue(closed.isSuccess());
            WireTap.deliver(out, peer);

            assertNotNull(peerEvents.event(PskCloseNotifyEvent.class), "the peer fires PskCloseNotifyEvent");
            assertTrue(peerEvents.exceptions.isEmpty(), () -> "" + peerEvents.exceptions);
            assertFalse(peer.isOpen(), "the peer closes after close_notify");
            List<ByteBuf> reply = WireTap.take(peer);
            assertEquals(closeNotify, WireTap.headers(reply), "the peer answers with its own close_notify");
            WireTap.release(reply);
        }
    }

    @Test
    void updateKeysFailsOnATls12ConnectionAndTheConnectionStaysUsable() {
        try (EmbeddedPair pair = new EmbeddedPair(client(PSK_GCM, A).build(), server(PSK_GCM, A).build())) {
            pair.handshake();
            for (PskHandshakeHandler h : List.of(pair.clientHandler(), pair.serverHandler())) {
                ChannelFuture update = h.updateKeys(true);
                pair.client.runPendingTasks();
                pair.server.runPendingTasks();
                assertTrue(update.isDone());
                assertInstanceOf(IllegalStateException.class, update.cause(), "KeyUpdate exists only in TLS 1.3");
            }
            assertEquals(0, WireTap.take(pair.client).size(), "the client sent nothing");
            assertEquals(0, WireTap.take(pair.server).size(), "the server sent nothing");
            pair.assertDataFlowsBothWays("no key update", "still fine");
        }
    }

    /** The record expansion of each TLS 1.2 protection for a plaintext of a multiple of 16 bytes. */
    static int overhead(CipherSuite suite) {
        switch (suite.aead() == null ? "CBC" : suite.aead().name()) {
            case "CBC":
                return 16 + 16 + 32; // IV, a full block of padding, HMAC-SHA256
            case "CHACHA20_POLY1305":
                return 16; // tag only (RFC 7905)
            default:
                return 8 + suite.aead().tagLength(); // nonce_explicit and tag (RFC 5288, RFC 6655)
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"TLS_PSK_WITH_AES_128_GCM_SHA256", "TLS_PSK_WITH_AES_128_CCM_8",
            "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "TLS_PSK_WITH_AES_128_CBC_SHA256"})
    void fortyKibibytesFlowBothWaysInSeveralRecords(CipherSuite suite) {
        try (EmbeddedPair pair = new EmbeddedPair(client(suite, A).build(), server(suite, A).build())) {
            pair.handshake();
            assertEquals(suite, pair.serverHandler().session().cipherSuite());
            int o = overhead(suite);
            List<WireTap.Header> expected = List.of(new WireTap.Header(ContentType.APPLICATION_DATA, 16384 + o),
                    new WireTap.Header(ContentType.APPLICATION_DATA, 16384 + o),
                    new WireTap.Header(ContentType.APPLICATION_DATA, 8192 + o));
            for (boolean up : new boolean[] {true, false}) {
                EmbeddedChannel from = up ? pair.client : pair.server;
                EmbeddedChannel to = up ? pair.server : pair.client;
                byte[] data = WireTap.pattern(40 * 1024, up ? 3 : 4);
                ChannelFuture write = from.writeAndFlush(Unpooled.wrappedBuffer(data));
                List<ByteBuf> wire = WireTap.take(from);
                assertEquals(expected, WireTap.headers(wire), "three full-size records of " + suite);
                assertTrue(write.isSuccess());
                WireTap.deliverInChunks(wire, to, 1000);
                assertArrayEquals(data, WireTap.drainBytes(up ? pair.serverEvents : pair.clientEvents));
            }
            assertTrue(pair.client.isOpen() && pair.server.isOpen());
        }
    }
}
