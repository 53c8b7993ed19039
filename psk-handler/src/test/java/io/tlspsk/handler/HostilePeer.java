package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.tlspsk.codec.alert.AlertDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's side of a connection to one real {@link PskHandshakeHandler} in an {@link EmbeddedChannel}: bytes go
 * in with {@link #send}, what the handler wrote comes out with {@link #takeOutbound}, and what reached the end of
 * its pipeline (messages, user events, exceptions) is recorded.
 */
abstract class HostilePeer implements AutoCloseable {

    final EmbeddedChannel channel;
    /** Taken when the handler is added: a closed channel removes its handlers from the pipeline. */
    final PskHandshakeHandler handler;
    final Recorder recorder = new Recorder();

    HostilePeer(PskTlsContext context) {
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(context.newHandler(channel.alloc()), recorder);
        handler = channel.pipeline().get(PskHandshakeHandler.class);
    }

    /**
     * Delivers {@code wire} as one read. Returns false, releasing nothing of the peer's, when the channel was
     * already closed (a closed EmbeddedChannel refuses inbound data).
     */
    boolean send(byte[] wire) {
        if (!channel.isOpen()) {
            return false;
        }
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        channel.runPendingTasks();
        return true;
    }

    byte[] takeOutbound() {
        return HostileWire.takeOutbound(channel);
    }

    Future<PskTlsSession> handshakeFuture() {
        return handler.handshakeFuture();
    }

    /**
     * The handshake failed because this side sent {@code expected}: the future failed with a
     * {@link PskAlertException} that was not received, the completion event carries the same cause, and the
     * channel is closed.
     */
    PskAlertException assertHandshakeFailedBySending(AlertDescription expected) {
        PskAlertException e = assertHandshakeFailed(expected);
        assertFalse(e.isReceived(), "the alert should have been sent by the handler, not received");
        return e;
    }

    PskAlertException assertHandshakeFailed(AlertDescription expected) {
        channel.runPendingTasks();
        Future<PskTlsSession> f = handshakeFuture();
        assertTrue(f.isDone(), "handshake still running");
        assertFalse(f.isSuccess(), "handshake succeeded");
        PskAlertException e = assertInstanceOf(PskAlertException.class, f.cause());
        assertEquals(expected, e.description(), e::getMessage);
        assertEquals(expected.code(), e.code());
        PskHandshakeCompletionEvent event = recorder.event(PskHandshakeCompletionEvent.class);
        assertNotNull(event, "no PskHandshakeCompletionEvent fired");
        assertFalse(event.isSuccess());
        assertSame(e, event.cause());
        assertEquals(1, recorder.count(PskHandshakeCompletionEvent.class), "more than one completion event");
        assertFalse(channel.isOpen(), "channel left open after a fatal alert");
        return e;
    }

    /** The only thing written since the last take is the unprotected fatal alert {@code d}. */
    void assertPlainFatalAlertSent(AlertDescription d) {
        assertArrayEquals(HostileWire.fatalAlertRecord(d), takeOutbound(),
                "expected exactly one unprotected fatal " + d.rfcName() + " alert record");
    }

    /** Both at once, for failures before any key was installed. */
    PskAlertException assertRejectedInClear(AlertDescription d) {
        PskAlertException e = assertHandshakeFailedBySending(d);
        assertPlainFatalAlertSent(d);
        return e;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        recorder.releaseAll();
    }

    /** Collects what reaches the end of the pipeline. */
    @ChannelHandler.Sharable
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<Object> events = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        <T> T event(Class<T> type) {
            for (Object e : events) {
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
            return null;
        }

        int count(Class<?> type) {
            int n = 0;
            for (Object e : events) {
                if (type.isInstance(e)) {
                    n++;
                }
            }
            return n;
        }

        /** The application bytes received so far, joined; the buffers are released. */
        byte[] drainBytes() {
            List<byte[]> parts = new ArrayList<>();
            for (Object o : messages) {
                ByteBuf b = (ByteBuf) o;
                parts.add(io.netty.buffer.ByteBufUtil.getBytes(b));
                b.release();
            }
            messages.clear();
            return HostileWire.concat(parts.toArray(new byte[0][]));
        }

        void releaseAll() {
            for (Object o : messages) {
                ReferenceCountUtil.release(o);
            }
            messages.clear();
        }
    }
}
