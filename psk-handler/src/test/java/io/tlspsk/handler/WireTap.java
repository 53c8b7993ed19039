package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.TlsRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helpers for looking at the bytes between two {@link EmbeddedChannel}s: take what one side wrote without
 * delivering it, read the TLS record headers in it, deliver it (whole, coalesced, or in chunks), and collect
 * what an {@link EmbeddedPair.Recorder} received as bytes.
 */
final class WireTap {

    /** One TLS record header seen on the wire. */
    record Header(int type, int length) {
    }

    /**
     * Both handshake handlers of a pair, taken right after it is built: a channel that closes removes its handlers
     * from the pipeline, so {@link EmbeddedPair#serverHandler()} is {@code null} after a failed handshake.
     */
    record Handlers(PskHandshakeHandler client, PskHandshakeHandler server) {
        static Handlers of(EmbeddedPair pair) {
            return new Handlers(pair.clientHandler(), pair.serverHandler());
        }
    }

    private WireTap() {
    }

    /** Everything {@code from} wrote so far, removed from its outbound queue; the caller delivers or releases it. */
    static List<ByteBuf> take(EmbeddedChannel from) {
        from.runPendingTasks();
        List<ByteBuf> out = new ArrayList<>();
        for (Object o; (o = from.readOutbound()) != null; ) {
            out.add((ByteBuf) o);
        }
        return out;
    }

    /** The record headers in {@code bufs}, read from their concatenation without consuming anything. */
    static List<Header> headers(List<ByteBuf> bufs) {
        byte[] all = concat(bufs);
        List<Header> out = new ArrayList<>();
        int i = 0;
        while (i + 5 <= all.length) {
            int type = all[i] & 0xff;
            int length = ((all[i + 3] & 0xff) << 8) | (all[i + 4] & 0xff);
            out.add(new Header(type, length));
            i += 5 + length;
        }
        if (i != all.length) {
            throw new AssertionError("bytes do not end on a record boundary: " + i + " != " + all.length);
        }
        return out;
    }

    /** The record lengths in {@code bufs}, in order. */
    static List<Integer> lengths(List<ByteBuf> bufs) {
        List<Integer> out = new ArrayList<>();
        for (Header h : headers(bufs)) {
            out.add(h.length());
        }
        return out;
    }

    /** The record content types in {@code bufs}, in order. */
    static List<Integer> types(List<ByteBuf> bufs) {
        List<Integer> out = new ArrayList<>();
        for (Header h : headers(bufs)) {
            out.add(h.type());
        }
        return out;
    }

    /** A copy of the bytes of {@code bufs}, concatenated; the buffers are not consumed. */
    static byte[] concat(List<ByteBuf> bufs) {
        int n = 0;
        for (ByteBuf b : bufs) {
            n += b.readableBytes();
        }
        byte[] all = new byte[n];
        int off = 0;
        for (ByteBuf b : bufs) {
            b.getBytes(b.readerIndex(), all, off, b.readableBytes());
            off += b.readableBytes();
        }
        return all;
    }

    /** Writes each buffer into {@code to}'s inbound side (or releases it when {@code to} is closed). */
    static void deliver(List<ByteBuf> bufs, EmbeddedChannel to) {
        for (ByteBuf b : bufs) {
            if (to.isActive()) {
                to.writeInbound(b);
            } else {
                b.release();
            }
        }
        bufs.clear();
    }

    /** Delivers all of {@code bufs} as a single inbound buffer, as one socket read would. */
    static void deliverCoalesced(List<ByteBuf> bufs, EmbeddedChannel to) {
        CompositeByteBuf one = Unpooled.compositeBuffer(Math.max(2, bufs.size()));
        one.addComponents(true, bufs);
        bufs.clear();
        if (to.isActive()) {
            to.writeInbound(one);
        } else {
            one.release();
        }
    }

    /** Delivers the bytes of {@code bufs} in chunks of {@code chunk} bytes, cutting across record boundaries. */
    static void deliverInChunks(List<ByteBuf> bufs, EmbeddedChannel to, int chunk) {
        byte[] all = concat(bufs);
        release(bufs);
        for (int off = 0; off < all.length && to.isActive(); off += chunk) {
            int n = Math.min(chunk, all.length - off);
            to.writeInbound(Unpooled.copiedBuffer(all, off, n));
        }
    }

    static void release(List<ByteBuf> bufs) {
        for (ByteBuf b : bufs) {
            ReferenceCountUtil.release(b);
        }
        bufs.clear();
    }

    /** All application bytes a recorder received, joined, releasing the buffers. */
    static byte[] drainBytes(EmbeddedPair.Recorder recorder) {
        int n = 0;
        for (Object o : recorder.messages) {
            n += ((ByteBuf) o).readableBytes();
        }
        byte[] all = new byte[n];
        int off = 0;
        for (Object o : recorder.messages) {
            ByteBuf b = (ByteBuf) o;
            int len = b.readableBytes();
            b.getBytes(b.readerIndex(), all, off, len);
            off += len;
            b.release();
        }
        recorder.messages.clear();
        return all;
    }

    /** {@code n} bytes of a pattern that differs for each seed and has no short period. */
    static byte[] pattern(int n, int seed) {
        byte[] out = new byte[n];
        int x = seed * 0x9E3779B9 + 1;
        for (int i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            out[i] = (byte) x;
        }
        return out;
    }

    /**
     * The handshake messages (headers included) of the leading unprotected handshake records in {@code bufs}, e.g.
     * a ServerHello flight; reading stops at the first record of another type. The buffers are not consumed.
     */
    static List<byte[]> clearHandshakeMessages(List<ByteBuf> bufs) {
        byte[] joined = new byte[0];
        for (HostileWire.Rec r : HostileWire.records(concat(bufs))) {
            if (r.type() != ContentType.HANDSHAKE) {
                break;
            }
            joined = HostileWire.concat(joined, r.fragment());
        }
        return HostileWire.messages(joined);
    }

    /** The handshake message types of {@link #clearHandshakeMessages}, in order. */
    static List<Integer> clearHandshakeTypes(List<ByteBuf> bufs) {
        List<Integer> out = new ArrayList<>();
        for (byte[] m : clearHandshakeMessages(bufs)) {
            out.add(m[0] & 0xff);
        }
        return out;
    }

    /** The first message of {@code bufs}, which must be a ServerHello, parsed as a client offering TLS 1.2 would. */
    static ServerHello serverHello(List<ByteBuf> bufs) {
        byte[] sh = clearHandshakeMessages(bufs).get(0);
        if (sh[0] != io.tlspsk.codec.handshake.HandshakeType.SERVER_HELLO) {
            throw new AssertionError("first message is of type " + sh[0] + ", not ServerHello");
        }
        try {
            return ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(sh)), true);
        } catch (TlsAlertException e) {
            throw new AssertionError("unparsable ServerHello", e);
        }
    }

    /**
     * Puts a {@link RecordSpy} between the record layer and the {@link PskHandshakeHandler} of {@code ch}: it sees
     * every record the handler receives, already opened, and can send records through the record layer, which
     * protects them with the current keys.
     */
    static RecordSpy spy(Channel ch) {
        RecordSpy spy = new RecordSpy();
        ch.pipeline().addBefore(ch.pipeline().context(PskHandshakeHandler.class).name(), "record-spy", spy);
        return spy;
    }

    /** See {@link #spy}. */
    static final class RecordSpy extends ChannelInboundHandlerAdapter {
        /** Copies of the opened records that reached the handshake handler, in order. */
        final List<HostileWire.Rec> received = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TlsRecord) {
                TlsRecord r = (TlsRecord) msg;
                received.add(new HostileWire.Rec(r.contentType(), ByteBufUtil.getBytes(r.content())));
            }
            ctx.fireChannelRead(msg);
        }

        /** Sends a record of {@code type} carrying {@code content}, protected by the record layer, and flushes. */
        ChannelFuture send(int type, byte[] content) {
            return ctx.writeAndFlush(new TlsRecord(type, Unpooled.wrappedBuffer(content)));
        }

        /** The received records of {@code type}. */
        List<HostileWire.Rec> received(int type) {
            List<HostileWire.Rec> out = new ArrayList<>();
            for (HostileWire.Rec r : received) {
                if (r.type() == type) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    /** All user events of {@code type}, in order. */
    static <T> List<T> events(EmbeddedPair.Recorder recorder, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Object e : recorder.events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }
}
