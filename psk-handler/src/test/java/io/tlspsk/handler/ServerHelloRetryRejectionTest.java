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
        byte[] ch1 = firstHello(c).message();
        c.send(HostileWire.record(ContentType.HANDSHAKE, ch1));
        List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
        assertEquals(2, out.size(), () -> "expected HelloRetryRequest and change_cipher_spec, got " + out);
        assertEquals(ContentType.HANDSHAKE, out.get(0).type());
        assertEquals(ContentType.CHANGE_CIPHER_SPEC, out.get(1).type());
        byte[] hrr = out.get(0).fragment();
        ServerHello parsed = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(hrr)));
        assertTrue(parsed.isHelloRetryRequest());
        assertEquals(X25519, parsed.selectedGroup());
        Transcript t = new Transcript();
        t.add(Unpooled.wrappedBuffer(ch1));
        t.selectHash(HashAlgorithm.SHA256);
        t.replaceWithMessageHash();
        t.add(Unpooled.wrappedBuffer(hrr));
        return new Retry(ch1, hrr, t);
    }

    /** The correct second hello: the first one with the x25519 share, binder over the retry transcript. */
    private static HostileClientHello secondHello(HostileClient c, Retry r) {
        HostileClientHello h = c.validHello();
        h.replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, X25519, SECP256R1));
        h.priorTranscript = r.transcript();
        return h;
    }

    private static void rejectsSecondHello(AlertDescription expected, Consumer<HostileClientHello> mutation)
            throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            Retry r = retry(c);
            HostileClientHello second = secondHello(c, r);
            mutation.accept(second);
            c.send(second.record());
            c.assertRejectedInClear(expected);
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
    void rejectsASecondClientHelloThatDropsTheChosenIdentity() throws Exception {
        rejectsSecondHello(AlertDescription.HANDSHAKE_FAILURE, h -> {
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
}
