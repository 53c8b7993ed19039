package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our client against our server for every TLS 1.3 suite, both PSK key exchange modes and every group, with a PSK
 * of the suite's hash: both sides must agree on what was negotiated, and data must flow both ways intact, large
 * writes split into records and small writes coalesced.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandshakeMatrixTest {

    static final int LARGE = 40 * 1024;

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (CipherSuite suite : CipherSuite.values()) {
            if (!suite.isTls13()) {
                continue;
            }
            // psk_ke has no (EC)DHE: the group is irrelevant, one case per suite.
            out.add(Arguments.of(suite, PskKeyExchangeMode.PSK_KE, null));
            for (NamedGroup group : new NamedGroup[] {NamedGroup.X25519, NamedGroup.SECP256R1, NamedGroup.SECP384R1}) {
                out.add(Arguments.of(suite, PskKeyExchangeMode.PSK_DHE_KE, group));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("matrix")
    void handshakeAgreesAndDataFlowsBothWays(CipherSuite suite, PskKeyExchangeMode mode, NamedGroup group) {
        HashAlgorithm hash = suite == CipherSuite.TLS_AES_256_GCM_SHA384 ? HashAlgorithm.SHA384 : HashAlgorithm.SHA256;
        assertEquals(suite.hash(), hash, "test setup: the PSK hash must be the suite's");
        ExternalPsk psk = ExternalPsk.of("matrix-" + suite + "-" + mode + "-" + group,
                WireTap.pattern(hash.length(), suite.ordinal() + 1), hash);
        NamedGroup[] groups = group == null ? new NamedGroup[] {NamedGroup.X25519} : new NamedGroup[] {group};
        PskTlsContext server = PskTlsContext.forServer(psk)
                .cipherSuites(suite).keyExchangeModes(mode).groups(groups).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(psk)
                .cipherSuites(suite).keyExchangeModes(mode).groups(groups).build();

        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            PskTlsSession c = pair.clientHandler().session();
            PskTlsSession s = pair.serverHandler().session();

            assertEquals(psk.identityAsString(), c.identityAsString());
            assertArrayEquals(c.identity(), s.identity());
            assertEquals("TLSv1.3", c.protocol());
            assertEquals("TLSv1.3", s.protocol());
            assertEquals(suite, c.cipherSuite());
            assertEquals(suite, s.cipherSuite());
            assertEquals(mode, c.keyExchangeMode());
            assertEquals(mode, s.keyExchangeMode());
            if (mode == PskKeyExchangeMode.PSK_KE) {
                assertNull(c.group(), "psk_ke has no group");
                assertNull(s.group(), "psk_ke has no group");
            } else {
                assertEquals(group, c.group());
                assertEquals(group, s.group());
            }

            int overhead = 1 + suite.aead().tagLength(); // inner content type + AEAD tag
            largeWriteIsSplitIntoRecordsAndArrivesInOrder(pair.client, pair.server, pair.serverEvents, overhead, 1);
            largeWriteIsSplitIntoRecordsAndArrivesInOrder(pair.server, pair.client, pair.clientEvents, overhead, 2);
            smallWritesAreCoalescedAndArriveInOrder(pair.client, pair.server, pair.serverEvents, overhead, 3);
            smallWritesAreCoalescedAndArriveInOrder(pair.server, pair.client, pair.clientEvents, overhead, 4);
        }
    }

    @org.junit.jupiter.api.Test
    void serverPreferenceDecidesSuiteAndMode() {
        ExternalPsk psk = ExternalPsk.of("prefs", WireTap.pattern(32, 77), HashAlgorithm.SHA256);
        PskTlsContext server = PskTlsContext.forServer(psk)
                .cipherSuites(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_128_GCM_SHA256)
                .keyExchangeModes(PskKeyExchangeMode.PSK_KE, PskKeyExchangeMode.PSK_DHE_KE).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(psk)
                .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256)
                .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            for (PskTlsSession s : List.of(pair.clientHandler().session(), pair.serverHandler().session())) {
                assertEquals(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, s.cipherSuite());
                assertEquals(PskKeyExchangeMode.PSK_KE, s.keyExchangeMode());
                assertNull(s.group());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void pskKeOnlyClientGetsPskKeFromADualModeServer() {
        ExternalPsk psk = ExternalPsk.of("psk-ke-only", WireTap.pattern(32, 78), HashAlgorithm.SHA256);
        PskTlsContext server = PskTlsContext.forServer(psk)
                .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(psk)
                .keyExchangeModes(PskKeyExchangeMode.PSK_KE).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            assertEquals(PskKeyExchangeMode.PSK_KE, pair.serverHandler().session().keyExchangeMode());
            assertEquals(PskKeyExchangeMode.PSK_KE, pair.clientHandler().session().keyExchangeMode());
        }
    }

    private static void largeWriteIsSplitIntoRecordsAndArrivesInOrder(
            EmbeddedChannel from, EmbeddedChannel to, EmbeddedPair.Recorder receiver, int overhead, int seed) {
        byte[] data = WireTap.pattern(LARGE, seed);
        ChannelFuture write = from.writeAndFlush(Unpooled.wrappedBuffer(data));
        List<ByteBuf> wire = WireTap.take(from);
        List<WireTap.Header> headers = WireTap.headers(wire);
        assertEquals(List.of(
                        new WireTap.Header(ContentType.APPLICATION_DATA, RecordLimits.MAX_PLAINTEXT_LENGTH + overhead),
                        new WireTap.Header(ContentType.APPLICATION_DATA, RecordLimits.MAX_PLAINTEXT_LENGTH + overhead),
                        new WireTap.Header(ContentType.APPLICATION_DATA,
                                LARGE - 2 * RecordLimits.MAX_PLAINTEXT_LENGTH + overhead)),
                headers, "40 KiB is two full records and one of 8 KiB");
        WireTap.deliver(wire, to);
        assertTrue(write.isSuccess(), () -> "write failed: " + write.cause());
        assertArrayEquals(data, WireTap.drainBytes(receiver));
    }

    private static void smallWritesAreCoalescedAndArriveInOrder(
            EmbeddedChannel from, EmbeddedChannel to, EmbeddedPair.Recorder receiver, int overhead, int seed) {
        byte[] data = WireTap.pattern(8 * 100, seed);
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writes.add(from.write(Unpooled.wrappedBuffer(data, i * 100, 100)));
        }
        from.flush();
        List<ByteBuf> wire = WireTap.take(from);
        assertEquals(List.of(new WireTap.Header(ContentType.APPLICATION_DATA, data.length + overhead)),
                WireTap.headers(wire), "eight small writes in one flush make one record");
        WireTap.deliver(wire, to);
        for (ChannelFuture w : writes) {
            assertTrue(w.isSuccess(), () -> "write failed: " + w.cause());
        }
        assertArrayEquals(data, WireTap.drainBytes(receiver));
    }
}
