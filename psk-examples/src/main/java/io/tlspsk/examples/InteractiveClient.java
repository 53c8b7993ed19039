package io.tlspsk.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskHandshakeTimeoutException;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code psk-tool client} without {@code --message}, like {@code openssl s_client}: after the handshake, the bytes
 * read from standard input go to the server and the bytes the server sends go to standard output, unchanged, so
 * that the client can sit in a pipe. Reports (the handshake line, how the connection ended) go to standard error.
 *
 * <p>When standard input ends, the client keeps printing what the server sends for {@code waitAfterEof} (less
 * if the server closes first), then closes with close_notify, like {@code socat}'s {@code -t}. Standard input is
 * read by a daemon thread, one chunk at a time, and a chunk is read only once the previous one is written to the
 * socket: a server that does not read holds the client back instead of filling its memory.
 */
final class InteractiveClient {

    /** The most read from standard input at once: one TLS record's plaintext. */
    static final int CHUNK_BYTES = 16 * 1024;
    /** How long closing (close_notify, then TCP) may take. */
    static final long CLOSE_TIMEOUT_MILLIS = 2_000;

    private InteractiveClient() {
    }

    /**
     * Runs one session and returns its exit code: {@link ExitCodes#OK} when it ended by standard input's end
     * or by the server's close_notify; {@link ExitCodes#FAILED} when it broke after the handshake (an alert, a
     * reset, a close without close_notify); {@link ExitCodes#HANDSHAKE_FAILED} or {@link ExitCodes#TIMEOUT} as for
     * the echo client.
     */
    static int run(Transports transports, PskTlsContext tls, String host, int port, Duration timeout,
                   Duration waitAfterEof, Supplier<String> hint, InputStream in, OutputStream out,
                   Consumer<String> report) {
        long deadline = System.nanoTime() + timeout.toNanos();
        EventLoopGroup group = transports.newGroup(1);
        Sink sink = new Sink(out);
        try {
            Channel ch = EchoClient.connect(transports, group, host, port, deadline, report,
                    new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            PskHandshakeHandler handler = tls.newHandler(ch.alloc());
                            sink.handshake = handler.handshakeFuture();
                            ch.pipeline().addLast(handler, sink);
                        }
                    });
            if (ch == null) {
                return ExitCodes.TIMEOUT;
            }
            try {
                return session(ch, sink, deadline, timeout, waitAfterEof, hint, in, report);
            } finally {
                ch.close().awaitUninterruptibly(CLOSE_TIMEOUT_MILLIS);
            }
        } finally {
            Transports.shutdown(group);
        }
    }

    private static int session(Channel ch, Sink sink, long deadline, Duration timeout, Duration waitAfterEof,
                               Supplier<String> hint, InputStream in, Consumer<String> report) {
        Future<PskTlsSession> handshake = sink.handshake;
        if (!handshake.awaitUninterruptibly(EchoClient.millisLeft(deadline) + CLOSE_TIMEOUT_MILLIS)) {
            report.accept(HandshakeLines.failed(ch.remoteAddress(),
                    new TimeoutException("no handshake within " + timeout.toSeconds() + " s")));
            return ExitCodes.TIMEOUT;
        }
        if (!handshake.isSuccess()) {
            report.accept(HandshakeLines.failed(ch.remoteAddress(), handshake.cause()));
            return handshake.cause() instanceof PskHandshakeTimeoutException ? ExitCodes.TIMEOUT
                    : ExitCodes.HANDSHAKE_FAILED;
        }
        report.accept(HandshakeLines.ok(ch.remoteAddress(), handshake.getNow(), hint.get()));
        CompletableFuture<Void> inputEnded = new CompletableFuture<>();
        Thread pump = new Thread(() -> pump(in, ch, inputEnded), "psk-tool-client-stdin");
        pump.setDaemon(true); // blocked in a read of standard input, it must not keep the JVM alive
        pump.start();
        try {
            CompletableFuture.anyOf(inputEnded, sink.closed).get();
            if (!sink.closed.isDone()) {
                sink.closed.get(waitAfterEof.toMillis(), TimeUnit.MILLISECONDS); // the server's last words
            }
        } catch (TimeoutException e) {
            // waited long enough after the end of standard input: close below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            report.accept("reading standard input failed: " + HandshakeLines.message(e.getCause()));
            return ExitCodes.FAILED;
        }
        if (!sink.closed.isDone()) {
            return ExitCodes.OK; // we close, with close_notify (run's finally)
        }
        return sink.report(report);
    }

    /** Copies standard input to the channel until either ends; completes {@code ended} then. */
    private static void pump(InputStream in, Channel ch, CompletableFuture<Void> ended) {
        byte[] chunk = new byte[CHUNK_BYTES];
        try {
            for (int n = in.read(chunk); n >= 0 && ch.isActive(); n = in.read(chunk)) {
                if (n > 0) {
                    ByteBuf data = ch.alloc().buffer(n).writeBytes(chunk, 0, n);
                    ch.writeAndFlush(data).awaitUninterruptibly(); // ownership of data passes to the pipeline
                }
            }
            ended.complete(null);
        } catch (IOException e) {
            ended.completeExceptionally(e);
        }
    }

    /** Writes what the server sends to standard output and notes how the connection ended. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final OutputStream out;
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        volatile Future<PskTlsSession> handshake;
        private volatile boolean closeNotify;
        private volatile Throwable failure;

        Sink(OutputStream out) {
            this.out = out;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    ByteBuf buf = (ByteBuf) msg;
                    buf.readBytes(out, buf.readableBytes());
                    out.flush();
                }
            } catch (IOException e) {
                failure = e; // standard output is gone: nobody reads any more
                ctx.close();
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof PskCloseNotifyEvent) {
                closeNotify = true;
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            closed.complete(null);
            super.channelInactive(ctx);
        }

        /** Reports how the server ended the connection; returns the exit code. */
        int report(Consumer<String> report) {
            if (failure != null) {
                report.accept("connection failed: " + HandshakeLines.message(failure));
                return ExitCodes.FAILED;
            }
            if (closeNotify) {
                report.accept("closed by the server (close_notify)");
                return ExitCodes.OK;
            }
            report.accept("closed by the server without close_notify: what it sent may be cut short");
            return ExitCodes.FAILED;
        }
    }
}
