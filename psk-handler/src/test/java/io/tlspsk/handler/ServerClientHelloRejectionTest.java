package io.tlspsk.handler;

import static io.tlspsk.handler.HostileClientHello.SECP256R1;
import static io.tlspsk.handler.HostileClientHello.X25519;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.record.ContentType;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real server handler fed hand-built ClientHellos that break one rule each (RFC 8446 sections 4.1.2, 4.2, 4.2.9,
 * 4.2.11, 9.2). Every rejection happens before keys exist, so the alert goes out in clear: exactly one record of
 * type 21, level 2 (fatal), the description's code; the handshake future fails with a {@link PskAlertException} we
 * sent, a completion event carries it, and the channel closes.
 */
class ServerClientHelloRejectionTest {

    /** Sends the valid hello after {@code mutation} and expects {@code expected} in clear. */
    private static PskAlertException rejects(AlertDescription expected, Consumer<HostileClientHello> mutation) {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            mutation.accept(hello);
            c.send(hello.record());
            return c.assertRejectedInClear(expected);
        }
    }

    // ---- controls: the unmutated hello is accepted ----

    @Test
    void validHelloCompletesTheHandshake() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.completeHandshake();
            assertEquals(HostileClientHello.IDENTITY, c.handshakeFuture().getNow().identityAsString());
            assertTrue(c.channel.isOpen());
        }
    }

    // ---- extensions ----

    @Test
    void rejectsPreSharedKeyThatIsNotLast() {
        PskAlertException e = rejects(AlertDescription.ILLEGAL_PARAMETER,
                h -> h.moveToFront(ExtensionType.PRE_SHARED_KEY));
        assertTrue(e.getMessage().contains("pre_shared_key"), e.getMessage());
    }

    @Test
    void rejectsPreSharedKeyFollowedByAnUnknownExtension() {
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> h.extensions.add(new HostileClientHello.Ext(0x1a1a, new byte[0])));
    }

    @Test
    void rejectsADuplicatedExtension() {
        rejects(AlertDescription.ILLEGAL_PARAMETER,
                h -> h.insert(0, ExtensionType.SUPPORTED_VERSIONS, h.data(ExtensionType.SUPPORTED_VERSIONS)));
    }

    @Test
    void rejectsADuplicatedUnknownExtension() {
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> {
            h.insert(0, 0xfafa, new byte[0]);
            h.insert(2, 0xfafa, new byte[] {1});
        });
    }

    @Test
    void ignoresGreaseAndUnknownExtensions() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            hello.insert(0, 0x0a0a, new byte[0]);
            hello.addBeforePsk(0xfafa, new byte[] {0});
            hello.addBeforePsk(ExtensionType.SIGNATURE_ALGORITHMS, new byte[] {0, 2, 8, 4});
            c.runServerFlight(hello);
            c.sendFinished();
            assertTrue(c.handshakeFuture().isSuccess(), () -> String.valueOf(c.handshakeFuture().cause()));
        }
    }

    @Test
    void rejectsMissingPskKeyExchangeModes() {
        rejects(AlertDescription.MISSING_EXTENSION, h -> h.remove(ExtensionType.PSK_KEY_EXCHANGE_MODES));
    }

    @Test
    void rejectsPskDheKeOnlyWithoutKeyShare() {
        // Neither key_share nor supported_groups (so the pairing rule of section 9.2 holds): psk_dhe_ke cannot work.
        PskAlertException e = rejects(AlertDescription.MISSING_EXTENSION,
                h -> h.remove(ExtensionType.KEY_SHARE).remove(ExtensionType.SUPPORTED_GROUPS));
        assertTrue(e.getMessage().contains("psk_dhe_ke"), e.getMessage());
    }

    @Test
    void rejectsSupportedGroupsWithoutKeyShare() {
        PskAlertException e = rejects(AlertDescription.MISSING_EXTENSION, h -> h.remove(ExtensionType.KEY_SHARE));
        assertTrue(e.getMessage().contains("supported_groups"), e.getMessage());
    }

    @Test
    void rejectsKeyShareWithoutSupportedGroups() {
        rejects(AlertDescription.MISSING_EXTENSION, h -> h.remove(ExtensionType.SUPPORTED_GROUPS));
    }

    @Test
    void rejectsAKeyShareForAGroupMissingFromSupportedGroups() {
        rejects(AlertDescription.ILLEGAL_PARAMETER,
                h -> h.replace(ExtensionType.SUPPORTED_GROUPS, HostileClientHello.u16List(2, SECP256R1)));
    }

    @Test
    void rejectsAnX25519KeyShareOfTheWrongLength() {
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> h.replace(ExtensionType.KEY_SHARE,
                HostileWire.concat(new byte[] {0, 37, 0, (byte) X25519, 0, 33}, HostileWire.pattern(33, 1))));
    }

    @Test
    void rejectsAHelloWithoutPreSharedKeyWithHandshakeFailure() {
        // A conforming certificate-based hello (signature_algorithms present, section 9.2): this server has no
        // certificate, so there are no acceptable parameters.
        rejects(AlertDescription.HANDSHAKE_FAILURE, h -> {
            h.remove(ExtensionType.PRE_SHARED_KEY).remove(ExtensionType.PSK_KEY_EXCHANGE_MODES);
            h.insert(0, ExtensionType.SIGNATURE_ALGORITHMS, new byte[] {0, 2, 8, 4});
        });
    }

    /**
     * RFC 8446 section 9.2: a ClientHello without pre_shared_key MUST contain signature_algorithms and
     * supported_groups, and a server receiving one that does not "MUST abort the handshake with a missing_extension
     * alert" (before deciding that it has no certificate to offer).
     */
    @Test
    void rejectsAHelloWithNeitherPreSharedKeyNorSignatureAlgorithmsWithMissingExtension() {
        rejects(AlertDescription.MISSING_EXTENSION,
                h -> h.remove(ExtensionType.PRE_SHARED_KEY).remove(ExtensionType.PSK_KEY_EXCHANGE_MODES));
    }

    @Test
    void rejectsAClientThatDoesNotOfferTls13() {
        rejects(AlertDescription.PROTOCOL_VERSION,
                h -> h.replace(ExtensionType.SUPPORTED_VERSIONS, HostileClientHello.u16List(1, 0x0303, 0x0302)));
    }

    @Test
    void rejectsAClientWithoutSupportedVersions() {
        rejects(AlertDescription.PROTOCOL_VERSION, h -> h.remove(ExtensionType.SUPPORTED_VERSIONS));
    }

    @Test
    void acceptsTls13AmongOtherAndGreaseVersions() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            hello.replace(ExtensionType.SUPPORTED_VERSIONS, HostileClientHello.u16List(1, 0x7a7a, 0x0304, 0x0303));
            c.runServerFlight(hello);
            assertEquals(0x0304, c.serverHello.selectedVersion());
        }
    }

    @Test
    void rejectsCompressionMethodsOtherThanNullOnly() {
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> h.compression = new byte[] {0, 1});
    }

    @Test
    void rejectsCompressionMethodsWithoutNull() {
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> h.compression = new byte[] {1});
    }

    // ---- pre_shared_key and binders ----

    @Test
    void rejectsAnUnknownIdentityWithDecryptErrorLikeAWrongKey() {
        rejects(AlertDescription.DECRYPT_ERROR, h -> h.psk(List.of("nobody"), 32));
    }

    @Test
    void rejectsABinderMadeWithTheWrongKeyWithDecryptError() {
        byte[] wrongKey = HostileClientHello.KEY.clone();
        wrongKey[0] ^= 1;
        rejects(AlertDescription.DECRYPT_ERROR, h -> h.binderSecrets = List.of(wrongKey));
    }

    @Test
    void rejectsAnUnsignedBinderWithDecryptError() {
        rejects(AlertDescription.DECRYPT_ERROR, h -> {
            h.psk(List.of(HostileClientHello.IDENTITY), 32);
            h.binderSecrets = null;
        });
    }

    @Test
    void rejectsABinderComputedOverADifferentTruncatedHello() {
        // Sign, then change a byte covered by the binder (the random): the binder no longer validates.
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            byte[] message = c.validHello().message();
            message[4 + 2 + 5] ^= 1;
            c.send(HostileWire.record(ContentType.HANDSHAKE, message));
            c.assertRejectedInClear(AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void acceptsTheSecondIdentityWhenTheFirstIsUnknown() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            hello.psk(List.of("stranger", HostileClientHello.IDENTITY), 32, 32);
            hello.binderSecrets = Arrays.asList(HostileWire.pattern(32, 9), HostileClientHello.KEY);
            c.runServerFlight(hello);
            assertEquals(1, c.serverHello.selectedIdentity());
        }
    }

    /**
     * A binder whose length is not the PSK's hash length can never validate. RFC 8446 section 4.2.11 requires the
     * abort; section 6.2 names decrypt_error for a binder that does not validate, and handshake_failure is
     * defensible when the length betrays a PSK of another hash. Either is accepted, nothing is answered with a
     * ServerHello.
     */
    @Test
    void rejectsABinderOfTheWrongLength() {
        for (int length : new int[] {48, 33, 255}) {
            try (HostileClient c = HostileClient.againstDefaultServer()) {
                HostileClientHello hello = c.validHello();
                hello.psk(List.of(HostileClientHello.IDENTITY), length);
                hello.binderSecrets = null;
                c.send(hello.record());
                byte[] out = c.takeOutbound();
                assertEquals(7, out.length, "server answered something other than an alert");
                AlertDescription sent = AlertDescription.byCode(out[6]);
                assertTrue(Set.of(AlertDescription.DECRYPT_ERROR, AlertDescription.HANDSHAKE_FAILURE).contains(sent),
                        "binder of " + length + " bytes answered with " + sent);
                assertArrayEquals(HostileWire.fatalAlertRecord(sent), out);
                c.assertHandshakeFailedBySending(sent);
            }
        }
    }

    @Test
    void rejectsAPsk384BinderForASha256KeyEvenWithASha384Suite() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            HostileClientHello hello = c.validHello();
            hello.cipherSuites = new byte[] {0x13, 0x02, 0x13, 0x01};
            hello.psk(List.of(HostileClientHello.IDENTITY), 48);
            hello.binderHash = HashAlgorithm.SHA384;
            hello.binderSecrets = List.of(HostileWire.pattern(48, 3));
            c.send(hello.record());
            // The client thinks the PSK is SHA-384, the server knows it as SHA-256: the binder cannot validate
            // (RFC 8446 section 6.2: decrypt_error).
            c.assertRejectedInClear(AlertDescription.DECRYPT_ERROR);
        }
    }

    @Test
    void rejectsIdentitiesAndBindersOfDifferentCount() {
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> h.psk(List.of(HostileClientHello.IDENTITY, "b"), 32));
        rejects(AlertDescription.ILLEGAL_PARAMETER, h -> h.psk(List.of(HostileClientHello.IDENTITY), 32, 32));
    }

    @Test
    void rejectsMoreIdentitiesThanConfigured() {
        PskTlsContext server = PskTlsContext.forServer(HostileClientHello.psk()).maxOfferedIdentities(2).build();
        try (HostileClient c = new HostileClient(server)) {
            HostileClientHello hello = c.validHello();
            hello.psk(List.of("a", "b", HostileClientHello.IDENTITY), 32, 32, 32);
            c.send(hello.record());
            c.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    // ---- malformed lengths ----

    /** Byte offsets into the handshake message of the valid hello (header included). */
    static Stream<Arguments> malformedLengths() {
        return Stream.of(
                Arguments.of("handshake length - 1", (Consumer<byte[]>) m -> m[3]--),
                Arguments.of("legacy_session_id length + 1", (Consumer<byte[]>) m -> m[4 + 2 + 32]++),
                Arguments.of("cipher_suites length + 1", (Consumer<byte[]>) m -> m[4 + 2 + 32 + 1 + 32 + 1]++),
                Arguments.of("cipher_suites length - 1", (Consumer<byte[]>) m -> m[4 + 2 + 32 + 1 + 32 + 1]--),
                Arguments.of("compression length + 1", (Consumer<byte[]>) m -> m[4 + 2 + 32 + 1 + 32 + 2 + 2]++),
                Arguments.of("extensions length + 1", (Consumer<byte[]>) m -> m[4 + 2 + 32 + 1 + 32 + 2 + 2 + 2 + 1]++),
                Arguments.of("extensions length - 1", (Consumer<byte[]>) m -> m[4 + 2 + 32 + 1 + 32 + 2 + 2 + 2 + 1]--));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedLengths")
    void rejectsMalformedLengthsWithDecodeError(String what, Consumer<byte[]> mutation) {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            byte[] message = c.validHello().message();
            mutation.accept(message);
            c.send(HostileWire.record(ContentType.HANDSHAKE, message));
            c.assertRejectedInClear(AlertDescription.DECODE_ERROR);
        }
    }

    @Test
    void rejectsPreSharedKeyListsOffByOneWithDecodeError() {
        // identities length + 1 / - 1 and binders length + 1 / - 1 inside an otherwise consistent extension.
        for (int[] edit : new int[][] {{0, 1}, {0, -1}, {1, 1}, {1, -1}}) {
            try (HostileClient c = HostileClient.againstDefaultServer()) {
                HostileClientHello hello = c.validHello();
                byte[] psk = hello.data(ExtensionType.PRE_SHARED_KEY).clone();
                int at = edit[0] == 0 ? 1 : 2 + (((psk[0] & 0xff) << 8) | (psk[1] & 0xff)) + 1;
                psk[at] += edit[1];
                hello.replace(ExtensionType.PRE_SHARED_KEY, psk);
                hello.binderSecrets = null;
                c.send(hello.record());
                c.assertRejectedInClear(AlertDescription.DECODE_ERROR);
            }
        }
    }

    @Test
    void rejectsAHandshakeMessageOtherThanClientHelloFirst() {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            c.send(HostileWire.record(ContentType.HANDSHAKE,
                    HostileWire.handshake(io.tlspsk.codec.handshake.HandshakeType.FINISHED, new byte[32])));
            c.assertRejectedInClear(AlertDescription.UNEXPECTED_MESSAGE);
        }
    }

    @Test
    void acceptsAClientHelloSplitOverManyRecords() throws Exception {
        try (HostileClient c = HostileClient.againstDefaultServer()) {
            byte[] message = c.validHello().message();
            byte[] wire = new byte[0];
            for (int i = 0; i < message.length; i += 7) {
                wire = HostileWire.concat(wire, HostileWire.record(ContentType.HANDSHAKE,
                        Arrays.copyOfRange(message, i, Math.min(message.length, i + 7))));
            }
            c.send(wire);
            List<HostileWire.Rec> out = HostileWire.records(c.takeOutbound());
            assertEquals(ContentType.HANDSHAKE, out.get(0).type(), "no ServerHello for a fragmented ClientHello");
        }
    }
}
