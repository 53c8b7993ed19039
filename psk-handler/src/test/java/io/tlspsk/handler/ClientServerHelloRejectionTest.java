package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.record.ContentType;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real client handler answered by a hand-built ServerHello or HelloRetryRequest that breaks one rule each (RFC
 * 8446 sections 4.1.3, 4.1.4, 4.2, 4.2.1, 4.2.8, 4.2.11). The client has no keys yet, so its alert goes out in
 * clear right after the ClientHello.
 */
class ClientServerHelloRejectionTest {

    /** The HelloRetryRequest random of RFC 8446 section 4.1.3. */
    private static final byte[] HRR_RANDOM = HexFormat.of().parseHex(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
    private static final byte[] SUPPORTED_VERSIONS_13 = {3, 4};
    private static final byte[] SELECTED_IDENTITY_0 = {0, 0};

    private static KeyShareEntry x25519Share() {
        return new KeyShareEntry(NamedGroup.X25519.id(), HostileServer.publicKey(NamedGroup.X25519));
    }

    private static byte[] keyShareData(KeyShareEntry e) {
        byte[] k = e.keyExchange();
        byte[] out = new byte[4 + k.length];
        out[0] = (byte) (e.group() >>> 8);
        out[1] = (byte) e.group();
        out[2] = (byte) (k.length >>> 8);
        out[3] = (byte) k.length;
        System.arraycopy(k, 0, out, 4, k.length);
        return out;
    }

    // ---- controls ----

    @Test
    void clientHelloOffersWhatTheTestsAssume() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            assertEquals(32, s.hello.legacySessionId().length, "compatibility mode is the default");
            assertEquals(NamedGroup.X25519.id(), s.clientShare().group());
            assertArrayEquals(new int[] {0x1d, 0x17, 0x18, 0x100, 0x101}, s.hello.supportedGroups());
            assertArrayEquals(new int[] {PskKeyExchangeMode.PSK_DHE_KE.id()}, s.hello.pskKeyExchangeModes());
            assertEquals(1, s.hello.pskOffer().identities().size());
        }
    }

    @Test
    void acceptsTheUnmutatedServerHello() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.validServerHello());
            assertFalse(s.handshakeFuture().isDone(), () -> "client gave up: " + s.handshakeFuture().cause());
            // No alert. (The compatibility change_cipher_spec is written but only flushed with the second flight.)
            assertEquals(0, s.takeOutbound().length);
            assertTrue(s.channel.isOpen());
        }
    }

    // ---- ServerHello ----

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 0xffff})
    void rejectsASelectedIdentityOutOfRange(int identity) {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.serverHello(0x1301, identity, x25519Share()));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsACipherSuiteItDidNotOffer() {
        PskTlsContext client = PskTlsContext.forClient().addPsk(HostileClientHello.psk())
                .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256).build();
        for (int suite : new int[] {0x1302, 0x1303, 0x1306, 0x00a8, 0x0000, 0xffff}) {
            try (HostileServer s = new HostileServer(client)) {
                assertArrayEquals(new int[] {0x1301}, s.hello.cipherSuites());
                s.sendHandshake(s.serverHello(suite, 0, x25519Share()));
                s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            }
        }
    }

    @Test
    void rejectsASessionIdEchoThatDiffers() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            byte[] echo = s.hello.legacySessionId().clone();
            echo[31] ^= 1;
            s.sendHandshake(HostileServer.serverHello(echo, 0x1301, 0, x25519Share()));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAnEmptySessionIdEchoInCompatibilityMode() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(HostileServer.serverHello(new byte[0], 0x1301, 0, x25519Share()));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAServerHelloWithoutSupportedVersions() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.rawServerHello(0x0303, HostileWire.pattern(32, 3), 0x1301, 0,
                    ExtensionType.KEY_SHARE, keyShareData(x25519Share()),
                    ExtensionType.PRE_SHARED_KEY, SELECTED_IDENTITY_0));
            s.assertRejectedInClear(AlertDescription.PROTOCOL_VERSION);
        }
    }

    @Test
    void rejectsASelectedVersionItDidNotOffer() {
        // RFC 8446 section 4.2.1: a version not offered, or older than 1.3, in supported_versions is illegal_parameter.
        for (byte[] version : new byte[][] {{3, 3}, {3, 5}, {0x7f, 0x1c}}) {
            try (HostileServer s = HostileServer.againstDefaultClient()) {
                s.sendHandshake(s.rawServerHello(0x0303, HostileWire.pattern(32, 3), 0x1301, 0,
                        ExtensionType.SUPPORTED_VERSIONS, version,
                        ExtensionType.KEY_SHARE, keyShareData(x25519Share()),
                        ExtensionType.PRE_SHARED_KEY, SELECTED_IDENTITY_0));
                s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
            }
        }
    }

    @Test
    void rejectsALegacyVersionOtherThanTls12() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.rawServerHello(0x0304, HostileWire.pattern(32, 3), 0x1301, 0,
                    ExtensionType.SUPPORTED_VERSIONS, SUPPORTED_VERSIONS_13,
                    ExtensionType.KEY_SHARE, keyShareData(x25519Share()),
                    ExtensionType.PRE_SHARED_KEY, SELECTED_IDENTITY_0));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsANonNullCompressionMethod() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.rawServerHello(0x0303, HostileWire.pattern(32, 3), 0x1301, 1,
                    ExtensionType.SUPPORTED_VERSIONS, SUPPORTED_VERSIONS_13,
                    ExtensionType.KEY_SHARE, keyShareData(x25519Share()),
                    ExtensionType.PRE_SHARED_KEY, SELECTED_IDENTITY_0));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {ExtensionType.SERVER_NAME, ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
            ExtensionType.EARLY_DATA, ExtensionType.PSK_KEY_EXCHANGE_MODES, ExtensionType.SUPPORTED_GROUPS, 0x0a0a})
    void rejectsAnExtensionItDidNotOffer(int type) {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.rawServerHello(0x0303, HostileWire.pattern(32, 3), 0x1301, 0,
                    ExtensionType.SUPPORTED_VERSIONS, SUPPORTED_VERSIONS_13,
                    ExtensionType.KEY_SHARE, keyShareData(x25519Share()),
                    type, new byte[0],
                    ExtensionType.PRE_SHARED_KEY, SELECTED_IDENTITY_0));
            s.assertRejectedInClear(AlertDescription.UNSUPPORTED_EXTENSION);
        }
    }

    /**
     * RFC 8446 section 4.2: an extension response the client did not request is unsupported_extension. A client
     * configured for psk_ke only sends no key_share, so a key_share in the ServerHello is such a response.
     */
    @Test
    void rejectsAKeyShareWhenItSentNoKeyShareWithUnsupportedExtension() {
        PskTlsContext client = PskTlsContext.forClient().addPsk(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3).keyExchangeModes(PskKeyExchangeMode.PSK_KE).build();
        try (HostileServer s = new HostileServer(client)) {
            assertEquals(null, s.hello.keyShares());
            s.sendHandshake(s.serverHello(0x1301, 0, x25519Share()));
            s.assertRejectedInClear(AlertDescription.UNSUPPORTED_EXTENSION);
        }
    }

    @Test
    void rejectsAServerHelloWithoutPreSharedKeyWithHandshakeFailure() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.serverHello(0x1301, -1, x25519Share()));
            s.assertRejectedInClear(AlertDescription.HANDSHAKE_FAILURE);
        }
    }

    @Test
    void rejectsAKeyShareForAGroupItSentNoShareFor() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            // secp256r1 is in supported_groups but the client's only share is x25519.
            s.sendHandshake(s.serverHello(0x1301, 0,
                    new KeyShareEntry(NamedGroup.SECP256R1.id(), HostileServer.publicKey(NamedGroup.SECP256R1))));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAnInvalidX25519PublicKey() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            // The all-zero point gives the all-zero shared secret (RFC 8446 section 7.4.2).
            s.sendHandshake(s.serverHello(0x1301, 0, new KeyShareEntry(NamedGroup.X25519.id(), new byte[32])));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsPskKeWhenOnlyPskDheKeWasOffered() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.serverHello(0x1301, 0, null));
            s.assertRejectedInClear(AlertDescription.MISSING_EXTENSION);
        }
    }

    @Test
    void rejectsASuiteWhoseHashDoesNotMatchTheSelectedPsk() {
        ExternalPsk psk384 = ExternalPsk.of("sha384-device", HostileWire.pattern(48, 5), HashAlgorithm.SHA384);
        PskTlsContext client = PskTlsContext.forClient().addPsk(psk384).build();
        try (HostileServer s = new HostileServer(client)) {
            s.sendHandshake(s.serverHello(0x1301, 0, x25519Share()));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAHandshakeMessageOtherThanServerHelloFirst() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(HostileWire.handshake(HandshakeType.ENCRYPTED_EXTENSIONS, new byte[] {0, 0}));
            s.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsApplicationDataBeforeTheServerHello() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.send(HostileWire.record(ContentType.APPLICATION_DATA, new byte[40]));
            s.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void fatalAlertFromTheServerFailsTheHandshakeAsReceived() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.send(HostileWire.alertRecord(2, AlertDescription.HANDSHAKE_FAILURE.code()));
            assertTrue(s.assertHandshakeFailed(AlertDescription.HANDSHAKE_FAILURE).isReceived());
            assertEquals(0, s.takeOutbound().length, "no alert may answer a fatal alert");
        }
    }

    // ---- HelloRetryRequest ----

    @Test
    void answersAHelloRetryRequestWithTheRequestedShare() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.SECP256R1.id()));
            s.readClientHello();
            assertEquals(ContentType.CHANGE_CIPHER_SPEC, s.lastFlight.get(0).type());
            assertEquals(NamedGroup.SECP256R1.id(), s.clientShare().group());
            assertFalse(s.handshakeFuture().isDone());
        }
    }

    @Test
    void rejectsASecondHelloRetryRequest() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.SECP256R1.id()));
            s.readClientHello();
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.SECP384R1.id()));
            s.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void rejectsAHelloRetryRequestForTheGroupAlreadySent() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.X25519.id()));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x0019, 0x0102, 0x0a0a}) // secp521r1, ffdhe4096, a GREASE value
    void rejectsAHelloRetryRequestForAGroupNotInSupportedGroups(int group) {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.helloRetryRequest(0x1301, group));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAHelloRetryRequestThatWouldChangeNothing() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.rawServerHello(0x0303, HRR_RANDOM, 0x1301, 0,
                    ExtensionType.SUPPORTED_VERSIONS, SUPPORTED_VERSIONS_13));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAHelloRetryRequestWhoseSuiteFitsNoOfferedPsk() {
        // The only PSK is SHA-256; the client offers a SHA-384 suite too, which a retry must not pick.
        PskTlsContext client = PskTlsContext.forClient().addPsk(HostileClientHello.psk())
                .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384).build();
        try (HostileServer s = new HostileServer(client)) {
            s.sendHandshake(s.helloRetryRequest(0x1302, NamedGroup.SECP256R1.id()));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void rejectsAServerHelloWhoseSuiteDiffersFromTheHelloRetryRequest() {
        try (HostileServer s = HostileServer.againstDefaultClient()) {
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.SECP256R1.id()));
            s.readClientHello();
            s.sendHandshake(s.serverHello(0x1303, 0,
                    new KeyShareEntry(NamedGroup.SECP256R1.id(), HostileServer.publicKey(NamedGroup.SECP256R1))));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }
}
