package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A client and a server channel wired back to back in one thread: {@link #pump()} moves the bytes each side
 * wrote into the other until both are quiet. Each side records the user events and messages that reach the end
 * of its pipeline.
 */
final class EmbeddedPair implements AutoCloseable {

    final EmbeddedChannel client;
    final EmbeddedChannel server;
    final Recorder clientEvents = new Recorder();
    final Recorder serverEvents = new Recorder();

    // Kept here because a channel closed by a failed handshake drops its handlers from the pipeline.
    private final PskHandshakeHandler clientHandler;
    private final PskHandshakeHandler serverHandler;

    EmbeddedPair(PskTlsContext clientContext, PskTlsContext serverContext) {
        this(clientContext, serverContext, false);
    }

    /**
     * With {@code frozenClocks} both channels' clocks stand still from before the handlers are added (so before
     * any timeout is scheduled) and move only by {@link EmbeddedChannel#advanceTimeBy}.
     */
    EmbeddedPair(PskTlsContext clientContext, PskTlsContext serverContext, boolean frozenClocks) {
        server = new EmbeddedChannel();
        if (frozenClocks) {
            server.freezeTime();
        }
        serverHandler = serverContext.newServerHandler(server.alloc());
        server.pipeline().addLast(serverHandler, serverEvents);
        client = new EmbeddedChannel();
        if (frozenClocks) {
            client.freezeTime();
        }
        clientHandler = clientContext.newClientHandler(client.alloc());
        client.pipeline().addLast(clientHandler, clientEvents);
    }

    PskHandshakeHandler clientHandler() {
        return clientHandler;
    }

    PskHandshakeHandler serverHandler() {
        return serverHandler;
    }

    /** Shuttles bytes both ways until neither side has anything more to say (bounded). */
    void pump() {
        for (int round = 0; round < 64; round++) {
            client.runPendingTasks();
            server.runPendingTasks();
            boolean moved = move(client, server) | move(server, client);
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("pair did not go quiet within 64 rounds");
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (Object o; (o = from.readOutbound()) != null; ) {
            moved = true;
            if (to.isActive()) {
                to.writeInbound(o);
            } else {
                ReferenceCountUtil.release(o);
            }
        }
        return moved;
    }

    void handshake() {
        pump();
        assertTrue(clientHandler().handshakeFuture().isSuccess(), () -> "client: " + clientHandler().handshakeFuture().cause());
        assertTrue(serverHandler().handshakeFuture().isSuccess(), () -> "server: " + serverHandler().handshakeFuture().cause());
    }

    /** Text written by each side (flushed) reaches the other, and both stay open. */
    void assertDataFlowsBothWays(String up, String down) {
        client.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(up, java.nio.charset.StandardCharsets.UTF_8));
        server.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(down, java.nio.charset.StandardCharsets.UTF_8));
        pump();
        org.junit.jupiter.api.Assertions.assertEquals(up, serverEvents.drainText(), "client to server");
        org.junit.jupiter.api.Assertions.assertEquals(down, clientEvents.drainText(), "server to client");
        assertTrue(client.isOpen() && server.isOpen(), "both sides stay open");
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
        clientEvents.releaseAll();
        serverEvents.releaseAll();
    }

    /** Collects what reaches the end of a pipeline: messages, user events, exceptions. */
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

        /** All received application bytes joined, releasing the buffers. */
        String drainText() {
            StringBuilder sb = new StringBuilder();
            for (Object o : messages) {
                ByteBuf b = (ByteBuf) o;
                sb.append(b.toString(java.nio.charset.StandardCharsets.UTF_8));
                b.release();
            }
            messages.clear();
            return sb.toString();
        }

        <T> T event(Class<T> type) {
            for (Object e : events) {
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
            return null;
        }

        void releaseAll() {
            for (Object o : messages) {
                ReferenceCountUtil.release(o);
            }
            messages.clear();
        }
    }
}
