package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskTlsContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seeded spread of hostile connections, their garbage, and the ClientHello the raw kinds replay. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HostilePlanTest {

    static final List<HostileKind> ALL = List.of(HostileKind.values());

    @Test
    void exactShareWithTheKindsTakingTurns() {
        HostilePlan plan = HostilePlan.spread(1000, 25, ALL, 1);
        assertEquals(250, plan.hostileCount());
        Map<HostileKind, Integer> counts = counts(plan, 1000);
        for (HostileKind k : ALL) {
            assertEquals(50, counts.get(k), k.toString());
        }
        assertEquals(250, counts.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void hostileConnectionsAreSpreadNotBunched() {
        HostilePlan plan = HostilePlan.spread(1000, 25, ALL, 1);
        int firstHalf = 0;
        for (int i = 0; i < 500; i++) {
            firstHalf += plan.kindOf(i) != null ? 1 : 0;
        }
        assertTrue(firstHalf > 80 && firstHalf < 170, "hostile in the first half: " + firstHalf);
    }

    @Test
    void oneSeedOnePlanAnotherSeedAnother() {
        HostilePlan a = HostilePlan.spread(500, 30, ALL, 42);
        HostilePlan b = HostilePlan.spread(500, 30, ALL, 42);
        HostilePlan c = HostilePlan.spread(500, 30, ALL, 43);
        boolean differs = false;
        for (int i = 0; i < 500; i++) {
            assertEquals(a.kindOf(i), b.kindOf(i), "index " + i);
            differs |= a.kindOf(i) != c.kindOf(i);
            assertArrayEquals(a.garbage(i), b.garbage(i), "garbage " + i);
        }
        assertTrue(differs, "seeds 42 and 43 gave the same plan");
        assertFalse(Arrays.equals(a.garbage(0), c.garbage(0)));
        assertFalse(Arrays.equals(a.garbage(0), a.garbage(1)));
    }

    @Test
    void noneAndAll() {
        HostilePlan none = HostilePlan.spread(100, 0, ALL, 1);
        HostilePlan all = HostilePlan.spread(100, 100, List.of(HostileKind.ABORT), 1);
        for (int i = 0; i < 100; i++) {
            assertNull(none.kindOf(i));
            assertEquals(HostileKind.ABORT, all.kindOf(i));
        }
        assertThrows(IllegalArgumentException.class, () -> HostilePlan.spread(10, 101, ALL, 1));
        assertThrows(IllegalArgumentException.class, () -> HostilePlan.spread(10, 10, List.of(), 1));
    }

    @Test
    void garbageIsEitherNotTlsOrOneWholeHandshakeRecord() {
        HostilePlan plan = HostilePlan.spread(1, 100, ALL, 7);
        int notTls = 0;
        int records = 0;
        for (int i = 0; i < 400; i++) {
            byte[] g = plan.garbage(i);
            assertTrue(g.length >= HostilePlan.MIN_GARBAGE && g.length <= HostilePlan.MAX_GARBAGE, "length " + g.length);
            int type = g[0] & 0xff;
            if (type == ContentType.HANDSHAKE) {
                records++;
                // The server has the whole record and the whole message at once: it can refuse, never wait.
                assertEquals(3, g[1]);
                assertEquals(g.length - 5, ((g[3] & 0xff) << 8) | (g[4] & 0xff));
                assertEquals(1, g[5], "client_hello");
                assertEquals(g.length - 9, ((g[6] & 0xff) << 16) | ((g[7] & 0xff) << 8) | (g[8] & 0xff));
            } else {
                notTls++;
                assertTrue(type < 20 || type > 24, "content type " + type);
            }
        }
        assertTrue(notTls > 100 && records > 100, notTls + " not TLS, " + records + " records");
    }

    @Test
    void kindNamesParse() throws Exception {
        assertEquals(List.of(HostileKind.SLOWLORIS, HostileKind.WRONG_KEY),
                HostileKind.parseList("slowloris, Wrong-Key"));
        assertEquals(ALL, HostileKind.parseList(HostileKind.allNames()));
        assertThrows(UsageException.class, () -> HostileKind.parseList(""));
        assertThrows(UsageException.class, () -> HostileKind.parseList("garbage,,abort"));
        assertThrows(UsageException.class, () -> HostileKind.parseList("abort,abort"));
    }

    @Test
    void noKindIsEverAcceptedLeftOpenOrRefusedWithInternalError() {
        for (HostileKind k : ALL) {
            assertFalse(k.isExpected(HostileOutcome.ACCEPTED, null), k.toString());
            assertFalse(k.isExpected(HostileOutcome.TIMED_OUT, null), k.toString());
            assertFalse(k.isExpected(HostileOutcome.UNFINISHED, null), k.toString());
            assertFalse(k.isExpected(HostileOutcome.FAILED_OTHERWISE, null), k.toString());
            // internal_error is the server failing, not refusing: never a sound end, whatever was sent.
            assertFalse(k.isExpected(HostileOutcome.REFUSED_WITH_ALERT, "internal_error"), k.toString());
            assertFalse(k.isExpected(HostileOutcome.REFUSED_WITH_ALERT, null), k.toString());
            assertFalse(k.isExpected(HostileOutcome.REFUSED_WITH_ALERT, "alert(255)"), k.toString());
        }
    }

    @Test
    void eachKindExpectsItsOwnAlertsOnly() {
        assertExpectedAlerts(HostileKind.WRONG_KEY, "decrypt_error", "bad_record_mac");
        // handshake_failure today, decrypt_error from a server that hides which identities exist; TLS 1.2 likewise.
        assertExpectedAlerts(HostileKind.UNKNOWN_IDENTITY, "handshake_failure", "decrypt_error", "unknown_psk_identity",
                "bad_record_mac");
        assertExpectedAlerts(HostileKind.GARBAGE, "unexpected_message", "decode_error", "illegal_parameter",
                "protocol_version", "handshake_failure", "record_overflow");
        assertExpectedAlerts(HostileKind.ABORT);
        assertExpectedAlerts(HostileKind.SLOWLORIS, "user_canceled");
        assertTrue(HostileKind.ABORT.isExpected(HostileOutcome.ANSWERED_THEN_RESET, null));
        assertTrue(HostileKind.SLOWLORIS.isExpected(HostileOutcome.CLOSED_BY_SERVER, null));
        assertTrue(HostileKind.GARBAGE.isExpected(HostileOutcome.CLOSED_BY_SERVER, null));
        assertFalse(HostileKind.WRONG_KEY.isExpected(HostileOutcome.CLOSED_BY_SERVER, null));
        assertFalse(HostileKind.UNKNOWN_IDENTITY.isExpected(HostileOutcome.CLOSED_BY_SERVER, null));
    }

    /** {@code kind} accepts exactly these alerts as a refusal: every other alert there is is unexpected. */
    private static void assertExpectedAlerts(HostileKind kind, String... alerts) {
        List<String> expected = List.of(alerts);
        for (AlertDescription a : AlertDescription.values()) {
            assertEquals(expected.contains(a.rfcName()), kind.isExpected(HostileOutcome.REFUSED_WITH_ALERT,
                    a.rfcName()), kind + " refused with " + a.rfcName());
        }
    }

    @Test
    void anUnsoundAlertIsCountedAndMarkedUnexpected() {
        HostileTally tally = new HostileTally();
        tally.starting(HostileKind.GARBAGE);
        tally.starting(HostileKind.GARBAGE);
        tally.starting(HostileKind.UNKNOWN_IDENTITY);
        tally.ended(HostileKind.GARBAGE, HostileOutcome.REFUSED_WITH_ALERT, "decode_error");
        tally.ended(HostileKind.GARBAGE, HostileOutcome.REFUSED_WITH_ALERT, "internal_error");
        tally.ended(HostileKind.UNKNOWN_IDENTITY, HostileOutcome.REFUSED_WITH_ALERT, "internal_error");
        assertEquals(2, tally.unexpected());
        List<String> lines = new ArrayList<>();
        tally.print(lines::add);
        assertEquals("hostile: 3 started (unknown-identity 1, garbage 2), 2 unexpected outcomes", lines.get(0));
        assertTrue(lines.contains("       1  garbage: refused with alert decode_error"), lines.toString());
        assertTrue(lines.contains("       1  garbage: refused with alert internal_error  UNEXPECTED"), lines.toString());
        assertTrue(lines.contains("       1  unknown-identity: refused with alert internal_error  UNEXPECTED"),
                lines.toString());
    }

    @Test
    void capturedClientHelloIsOneRecordAServerAnswers() throws Exception {
        ClientCommand client = ToolOptionsTest.client("--connect", "127.0.0.1:1", "--psk",
                "dev-1:" + ToolOptionsTest.KEY);
        ServerCommand server = ToolOptionsTest.server("--port", "0", "--psk", "dev-1:" + ToolOptionsTest.KEY);
        List<ExternalPsk> clientKeys = ToolOptionsTest.keys(client);
        List<ExternalPsk> serverKeys = ToolOptionsTest.keys(server);
        try {
            byte[] hello = HostilePeer.clientHello(client.clientContext(clientKeys, hint -> { }));
            assertEquals(ContentType.HANDSHAKE, hello[0]);
            assertEquals(hello.length - 5, ((hello[3] & 0xff) << 8) | (hello[4] & 0xff), "exactly one record");
            assertEquals(1, hello[5], "client_hello");
            // A server takes it for a real handshake and answers with its ServerHello.
            PskTlsContext tls = server.serverContext(serverKeys);
            EmbeddedChannel ch = new EmbeddedChannel();
            try {
                PskHandshakeHandler handler = tls.newHandler(ch.alloc());
                ch.pipeline().addLast(handler);
                ch.writeInbound(Unpooled.wrappedBuffer(hello));
                ch.runPendingTasks();
                ByteBuf answer = ch.readOutbound();
                try {
                    assertEquals(ContentType.HANDSHAKE, answer.getUnsignedByte(0));
                    assertEquals(2, answer.getUnsignedByte(5), "server_hello");
                } finally {
                    answer.release();
                }
                assertFalse(handler.handshakeFuture().isDone());
            } finally {
                ch.finishAndReleaseAll();
            }
            assertNotEquals(0, tls.stats().handshakesFailed(), "closing mid-handshake fails it");
        } finally {
            clientKeys.forEach(ExternalPsk::destroy);
            serverKeys.forEach(ExternalPsk::destroy);
        }
    }

    private static Map<HostileKind, Integer> counts(HostilePlan plan, int connections) {
        Map<HostileKind, Integer> counts = new EnumMap<>(HostileKind.class);
        for (int i = 0; i < connections; i++) {
            HostileKind k = plan.kindOf(i);
            if (k != null) {
                counts.merge(k, 1, Integer::sum);
            }
        }
        return counts;
    }
}
