package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.record.ContentType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte-level helpers for the hostile peers of the rejection tests: framing records by hand, splitting what a
 * channel wrote back into records and handshake messages, and the exact bytes of an alert record.
 */
final class HostileWire {

    /** One record as it was on the wire. */
    record Rec(int type, byte[] fragment) {
        @Override
        public String toString() {
            return ContentType.name(type) + "(" + fragment.length + ")";
        }
    }

    private HostileWire() {
    }

    /** A record with legacy_record_version 0x0303. */
    static byte[] record(int type, byte[] fragment) {
        byte[] out = new byte[5 + fragment.length];
        out[0] = (byte) type;
        out[1] = 3;
        out[2] = 3;
        out[3] = (byte) (fragment.length >>> 8);
        out[4] = (byte) fragment.length;
        System.arraycopy(fragment, 0, out, 5, fragment.length);
        return out;
    }

    /** A handshake message: type, uint24 length, body. */
    static byte[] handshake(int type, byte[] body) {
        byte[] out = new byte[HandshakeType.HEADER_LENGTH + body.length];
        out[0] = (byte) type;
        out[1] = (byte) (body.length >>> 16);
        out[2] = (byte) (body.length >>> 8);
        out[3] = (byte) body.length;
        System.arraycopy(body, 0, out, HandshakeType.HEADER_LENGTH, body.length);
        return out;
    }

    /** The body of a handshake message. */
    static byte[] body(byte[] message) {
        return Arrays.copyOfRange(message, HandshakeType.HEADER_LENGTH, message.length);
    }

    /** An unprotected alert record. */
    static byte[] alertRecord(int level, int code) {
        return record(ContentType.ALERT, new byte[] {(byte) level, (byte) code});
    }

    /** The unprotected fatal alert a peer must send for {@code d} before it has keys. */
    static byte[] fatalAlertRecord(AlertDescription d) {
        return alertRecord(2, d.code());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 29 + seed);
        }
        return b;
    }

    /** Everything {@code ch} wrote so far, joined; the buffers are released. */
    static byte[] takeOutbound(EmbeddedChannel ch) {
        ch.runPendingTasks();
        List<byte[]> parts = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            parts.add(ByteBufUtil.getBytes(b));
            assertTrue(b.release(), "outbound buffer still referenced elsewhere");
        }
        return concat(parts.toArray(new byte[0][]));
    }

    /** Splits bytes into records; they must end on a record boundary. */
    static List<Rec> records(byte[] wire) {
        List<Rec> out = new ArrayList<>();
        int i = 0;
        while (i + 5 <= wire.length) {
            int type = wire[i] & 0xff;
            assertEquals(3, wire[i + 1], "record version major");
            assertEquals(3, wire[i + 2], "record version minor");
            int length = ((wire[i + 3] & 0xff) << 8) | (wire[i + 4] & 0xff);
            assertTrue(i + 5 + length <= wire.length, "truncated record");
            out.add(new Rec(type, Arrays.copyOfRange(wire, i + 5, i + 5 + length)));
            i += 5 + length;
        }
        assertEquals(wire.length, i, "bytes do not end on a record boundary");
        return out;
    }

    /** Splits joined handshake fragments into whole messages (headers included). */
    static List<byte[]> messages(byte[] handshakeBytes) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < handshakeBytes.length) {
            assertTrue(i + 4 <= handshakeBytes.length, "partial handshake header");
            int length = ((handshakeBytes[i + 1] & 0xff) << 16) | ((handshakeBytes[i + 2] & 0xff) << 8)
                    | (handshakeBytes[i + 3] & 0xff);
            out.add(Arrays.copyOfRange(handshakeBytes, i, i + 4 + length));
            i += 4 + length;
        }
        return out;
    }
}
