package io.tlspsk.handler;

import static io.tlspsk.handler.HostileClientHello.SECP256R1;
import static io.tlspsk.handler.HostileClientHello.X25519;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.handshake.Transcript;
import io.tlspsk.codec.record.ContentType;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The server's HelloRetryRequest path (RFC 8446 section 4.1.4): a first ClientHello with an empty client_shares
 * makes the server ask for x25519; the second ClientHello must then repeat the first except for key_share and
 * pre_shared_key, carry exactly the requested share, and bind its PSK over message_hash(ClientHello1) and the
 * HelloRetryRequest. Each test breaks one of those rules.
 */
class ServerHelloRetryRejectionTest {

    /** What the first round left behind. */
    record Retry(byte[] ch1, byte[] hrr, Transcript transcript) {
    }

    private static HostileClientHello firstHello(HostileClient c) {
        HostileClientHello h = c.validHello();
        h.replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, X25519, SECP256R1));
        h.replace(ExtensionType.KEY_SHARE, new byte[] {0, 0}); // "choose a group for me"
        return h;
    }

    /** Sends the first hello and checks the HelloRetryRequest (and compatibility change_cipher_spec) it gets. */
    private static Retry retry(HostileClient c) throws Exception {
        return retry(c, h -> { });
    }

    /** As {@link #retry(HostileClient)}, with the first hello changed by {@code both} first. */
    static Retry retry(HostileClient c, Consumer<HostileClientHello> both) throws Exception {
        HostileClientHello first = firstHello(c);
        both.accept(first);
        byte[] ch1 = first.message();
        c.send(HostileWire.record(ContentType.HANDSHAKE, ch1));
        List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
        assertEquals(2, out.size(), () -> "expected HelloRetryRequest and change_cipher_spec, got " + out);
        assertEquals(ContentType.HANDSHAKE, out.get(0).type());
        assertEquals(ContentType.CHANGE_CIPHER_SPEC, out.get(1).type());
        byte[] hrr = out.get(0).fragment();
        ServerHello parsed = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(hrr)));
        assertTrue(parsed.isHelloRetryRequest());
        assertEquals(X25519, parsed.selectedGroup());
        return new Retry(ch1, hrr, retryTranscript(ch1, hrr));
    }

    /** The transcript a client has after the HelloRetryRequest (RFC 8446 section 4.4.1), SHA-256 suites. */
    static Transcript retryTranscript(byte[] ch1, byte[] hrr) {
        Transcript t = new Transcript();
        t.add(Unpooled.wrappedBuffer(ch1));
        t.selectHash(HashAlgorithm.SHA256);
        t.replaceWithMessageHash();
        t.add(Unpooled.wrappedBuffer(hrr));
        return t;
    }

    /** The correct second hello: the first one with the x25519 share, binder over the retry transcript. */
    static HostileClientHello secondHello(HostileClient c, Retry r) {
        HostileClientHello h = c.validHello();
        h.replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, X25519, SECP256R1));
        h.priorTranscript = r.transcript();
        return h;
    }

    private static void rejectsSecondHello(AlertDescription expected, Consumer<HostileClientHello> mutation)
            throws Exception {
        rejectsSecondHello(HostileClient.againstDefaultServer(), expected, h -> { }, mutation);
    }

    /**
     * Runs the first round with the first hello changed by {@code both}, then sends the correct second hello changed
     * by {@code both} and then {@code mutation}, and expects {@code expected} in clear.
     */
    private static void rejectsSecondHello(HostileClient client, AlertDescription expected,
                                           Consumer<HostileClientHello> both, Consumer<HostileClientHello> mutation)
            throws Exception {
        try (HostileClient c = client) {
            Retry r = retry(c, both);
            HostileClientHello second = secondHello(c, r);
            both.accept(second);
            mutation.accept(second);
            c.send(second.record());
            c.assertRejectedInClear(expected);
        }
    }

    /** The second hello, changed by {@code both} and then {@code mutation}, is answered with a ServerHello. */
    private static void acceptsSecondHello(Consumer<HostileClientHello> both, Consumer<HostileClientHello> mutation)
            throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            Retry r = retry(c, both);
            HostileClientHello second = secondHello(c, r);
            both.accept(second);
            mutation.accept(second);
            c.send(second.record());
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
            assertEquals(ContentType.HANDSHAKE, out.get(0).type(), () -> "server answered " + out);
            ServerHello sh = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(out.get(0).fragment())));
            assertFalse(sh.isHelloRetryRequest());
        }
    }

    @Test
    void acceptsTheSecondClientHelloWithTheRequestedShare() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            Retry r = retry(c);
            c.send(secondHello(c, r).record());
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertEquals(ContentType.HANDSHAKE, out.get(0).type(), () -> "server answered " + out);
            ServerHello sh = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(out.get(0).fragment())));
            assertFalse(sh.isHelloRetryRequest());
            KeyShareEntry share = sh.keyShare();
            assertNotNull(share);
            assertEquals(X25519, share.group());
            assertEquals(0, sh.selectedIdentity());
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
        }
    }

    @Test
    void rejectsASecondClientHelloWithADifferentRandom() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.random[0] ^= 1);
    }

    @Test
    void rejectsASecondClientHelloWithADifferentSessionId() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.sessionId[5] ^= 1);
    }

    @Test
    void rejectsASecondClientHelloWithDifferentCipherSuites() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.cipherSuites = new byte[] {0x13, 0x01, 0x13, 0x03});
    }

    @Test
    void rejectsASecondClientHelloWithAShareForAnotherGroup() throws Exception {
        byte[] p256 = HostileServer.publicKey(io.tlspsk.codec.crypto.NamedGroup.SECP256R1);
        byte[] keyShare = HostileWire.concat(new byte[] {0, (byte) (4 + p256.length), 0, (byte) SECP256R1, 0,
                (byte) p256.length}, p256);
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.replace(ExtensionType.KEY_SHARE, keyShare));
    }

    @Test
    void rejectsASecondClientHelloWithTwoShares() throws Exception {
        byte[] p256 = HostileServer.publicKey(io.tlspsk.codec.crypto.NamedGroup.SECP256R1);
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> {
            byte[] x = h.data(ExtensionType.KEY_SHARE); // list length, then one x25519 entry
            byte[] entries = HostileWire.concat(java.util.Arrays.copyOfRange(x, 2, x.length),
                    new byte[] {0, (byte) SECP256R1, 0, (byte) p256.length}, p256);
            h.replace(ExtensionType.KEY_SHARE, HostileWire.concat(
                    new byte[] {(byte) (entries.length >>> 8), (byte) entries.length}, entries));
        });
    }

    @Test
    void rejectsASecondClientHelloWithEarlyData() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.addBeforePsk(ExtensionType.EARLY_DATA, new byte[0]));
    }

    @Test
    void rejectsASecondClientHelloWhoseBinderIgnoresTheRetry() throws Exception {
        // Bound to the second ClientHello alone, as if it were a first one: the binder does not validate.
        rejectsSecondHello(AlertDescription.DECRYPT_ERROR, h -> h.priorTranscript = null);
    }

    @Test
    void rejectsASecondClientHelloThatReplacesTheChosenIdentity() throws Exception {
        // RFC 8446 section 4.1.2: identities may only be dropped, and only those that do not fit the retry's suite.
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> {
            h.psk(List.of("someone-else"), 32);
            h.binderSecrets = List.of(HostileWire.pattern(32, 1));
        });
    }

    @Test
    void rejectsASecondClientHelloThatNoLongerOffersTls13() throws Exception {
        rejectsSecondHello(AlertDescription.PROTOCOL_VERSION,
                h -> h.replace(ExtensionType.SUPPORTED_VERSIONS, HostileClientHello.u16List(1, 0x0303)));
    }

    @Test
    void rejectsAnotherMessageInsteadOfTheSecondClientHello() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            retry(c);
            c.send(HostileWire.record(ContentType.HANDSHAKE, HostileWire.handshake(HandshakeType.FINISHED, new byte[32])));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void acceptsTheClientsChangeCipherSpecBetweenTheHellos() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            Retry r = retry(c);
            c.send(HostileWire.concat(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}),
                    secondHello(c, r).record()));
            assertEquals(ContentType.HANDSHAKE, HostileWire.records(c.takeOutbound()).get(0).type());
            assertFalse(c.handshakeFuture().isDone(), () -> "server gave up: " + c.handshakeFuture().cause());
        }
    }

    // ---- RFC 8446 section 4.1.2: the second ClientHello repeats the first ----

    /**
     * A server that takes psk_ke too: the first hello offers psk_dhe_ke only and is asked for a share; a second hello
     * that switches to psk_ke only must not be served with the psk_dhe_ke chosen from the first.
     */
    @Test
    void rejectsASecondClientHelloThatChangesPskKeyExchangeModes() throws Exception {
        HostileClient client = new HostileClient(PskTlsContext.forServer(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3)
                .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE).build());
        rejectsSecondHello(client, AlertDescription.ILLEGAL_PARAMETER, h -> { },
                h -> h.replace(ExtensionType.PSK_KEY_EXCHANGE_MODES, new byte[] {1, 0}));
    }

    @Test
    void rejectsASecondClientHelloWithAnotherLegacyVersion() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.legacyVersion = 0x0302);
    }

    /** Already refused as a TLS 1.3 hello with a compression method other than null, whatever the first said. */
    @Test
    void rejectsASecondClientHelloWithOtherCompressionMethods() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.compression = new byte[] {0, 1});
    }

    @Test
    void rejectsASecondClientHelloThatAddsAnExtension() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER, h -> h.addBeforePsk(0x0a0a, new byte[0]));
    }

    @Test
    void rejectsASecondClientHelloThatAddsACookieTheServerNeverSent() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER,
                h -> h.addBeforePsk(ExtensionType.COOKIE, new byte[] {0, 1, 7}));
    }

    @Test
    void rejectsASecondClientHelloThatDropsAnExtension() throws Exception {
        rejectsSecondHello(HostileClient.againstDefaultServer(), AlertDescription.ILLEGAL_PARAMETER,
                h -> h.addBeforePsk(0x1a1a, new byte[] {1}), h -> h.remove(0x1a1a));
    }

    @Test
    void rejectsASecondClientHelloThatChangesAnExtensionsData() throws Exception {
        rejectsSecondHello(HostileClient.againstDefaultServer(), AlertDescription.ILLEGAL_PARAMETER,
                h -> h.addBeforePsk(0x1a1a, new byte[] {1}), h -> h.replace(0x1a1a, new byte[] {2}));
    }

    @Test
    void rejectsASecondClientHelloWithOtherSupportedGroups() throws Exception {
        rejectsSecondHello(AlertDescription.ILLEGAL_PARAMETER,
                h -> h.replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, X25519)));
    }

    @Test
    void acceptsASecondClientHelloWithOtherPaddingAndExtensionsInAnotherOrder() throws Exception {
        acceptsSecondHello(h -> h.addBeforePsk(ExtensionType.PADDING, new byte[5]), h -> {
            h.replace(ExtensionType.PADDING, new byte[40]);
            h.moveToFront(ExtensionType.PSK_KEY_EXCHANGE_MODES);
        });
        acceptsSecondHello(h -> { }, h -> h.addBeforePsk(ExtensionType.PADDING, new byte[12]));
        acceptsSecondHello(h -> h.addBeforePsk(ExtensionType.PADDING, new byte[12]), h -> h.remove(ExtensionType.PADDING));
    }

    @Test
    void acceptsASecondClientHelloThatDropsAPskOfAnotherHash() throws Exception {
        // The first offers a SHA-384 PSK beside ours; the retry's suite is SHA-256, so the client may drop it.
        acceptsSecondHello(h -> h.psk(List.of(HostileClientHello.IDENTITY, "other-384"), 32, 48),
                h -> h.psk(List.of(HostileClientHello.IDENTITY), 32));
    }

    @Test
    void rejectsASecondClientHelloThatDropsAPskOfTheRetrysHash() throws Exception {
        rejectsSecondHello(HostileClient.againstDefaultServer(), AlertDescription.ILLEGAL_PARAMETER,
                h -> h.psk(List.of(HostileClientHello.IDENTITY, "other-256"), 32, 32),
                h -> h.psk(List.of(HostileClientHello.IDENTITY), 32));
    }

    @Test
    void rejectsASecondClientHelloThatReordersItsPsks() throws Exception {
        rejectsSecondHello(HostileClient.againstDefaultServer(), AlertDescription.ILLEGAL_PARAMETER,
                h -> h.psk(List.of(HostileClientHello.IDENTITY, "other-384"), 32, 48), h -> {
                    h.psk(List.of("other-384", HostileClientHello.IDENTITY), 48, 32);
                    h.binderSecrets = Arrays.asList(null, HostileClientHello.KEY);
                });
    }
}
