package io.tlspsk.examples;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskHandshakeTimeoutException;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One TLS-PSK echo exchange: connect, handshake, send a line, wait for the same line to come back, close.
 * Every wait is bounded by one overall deadline.
 */
final class EchoClient {

    private EchoClient() {
    }

    /** What one exchange ended with. */
    static final class Result {
        final int exitCode;
        final PskTlsSession session;
        /** From TCP connected to handshake complete; negative when the handshake did not complete. */
        final long handshakeNanos;
        final String echo;

        Result(int exitCode, PskTlsSession session, long handshakeNanos, String echo) {
            this.exitCode = exitCode;
            this.session = session;
            this.handshakeNanos = handshakeNanos;
            this.echo = echo;
        }

        boolean isSuccess() {
            return exitCode == ExitCodes.OK;
        }
    }

    /**
     * Runs one exchange. {@code message} is sent followed by a newline, and the same bytes are expected back.
     * Report lines ({@code handshake ok ...}, {@code echo: ...}) go to {@code out}, problems to {@code err}.
     */
    static Result run(Transports transports, PskTlsContext tls, String host, int port, String message,
                      Duration timeout, Consumer<String> out, Consumer<String> err) {
        return run(transports, tls, host, port, message, timeout, () -> null, out, err);
    }

    /**
     * As above; {@code hint} gives the TLS 1.2 identity hint the server sent (null for none) once the handshake
     * completed, for the {@code hint=} of the report line.
     */
    static Result run(Transports transports, PskTlsContext tls, String host, int port, String message,
                      Duration timeout, Supplier<String> hint, Consumer<String> out, Consumer<String> err) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] line = (message + "\n").getBytes(StandardCharsets.UTF_8);
        EventLoopGroup group = transports.newGroup(1);
        try {
            Collector collector = new Collector(line.length);
            Channel ch = connect(transports, group, host, port, deadline, err, new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    PskHandshakeHandler handler = tls.newHandler(ch.alloc());
                    collector.activeNanos = System.nanoTime(); // until channelActive says better
                    collector.handshake = handler.handshakeFuture();
                    collector.handshake.addListener(f -> collector.markHandshakeEnded());
                    ch.pipeline().addLast(handler, collector);
                }
            });
            if (ch == null) {
                return new Result(ExitCodes.TIMEOUT, null, -1, null);
            }
            try {
                return exchange(ch, collector, line, deadline, timeout, hint, out, err);
            } finally {
                ch.close().awaitUninterruptibly(Math.max(1, Math.min(millisLeft(deadline), 2_000)));
            }
        } finally {
            Transports.shutdown(group);
        }
    }

    /**
     * Connects to {@code host:port} on {@code group}, {@code initializer} setting the channel's pipeline up,
     * before {@code deadline} ({@link System#nanoTime()}). Returns the channel, or null after telling {@code err}
     * why there is none (refused, timed out, unknown host).
     */
    static Channel connect(Transports transports, EventLoopGroup group, String host, int port, long deadline,
                           Consumer<String> err, ChannelInitializer<SocketChannel> initializer) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(transports.channel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, millisLeft(deadline)))
                .handler(initializer);
        ChannelFuture connect = b.connect(host, port);
        if (!connect.awaitUninterruptibly(millisLeft(deadline))) {
            connect.cancel(false);
            err.accept("connect to " + host + ":" + port + " timed out");
            return null;
        }
        if (!connect.isSuccess()) {
            err.accept("connect to " + host + ":" + port + " failed: " + HandshakeLines.message(connect.cause()));
            return null;
        }
        return connect.channel();
    }

    private static Result exchange(Channel ch, Collector collector, byte[] line, long deadline, Duration timeout,
                                   Supplier<String> hint, Consumer<String> out, Consumer<String> err) {
        InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
        try {
            collector.handshakeEnded.get(millisLeft(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            out.accept(HandshakeLines.failed(peer, new TimeoutException(
                    "no handshake within " + timeout.toSeconds() + " s")));
            return new Result(ExitCodes.TIMEOUT, null, -1, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(ExitCodes.FAILED, null, -1, null);
        }
        Future<PskTlsSession> handshake = collector.handshake;
        if (handshake == null) {
            out.accept(HandshakeLines.failed(peer, new IllegalStateException("no handshake handler installed")));
            return new Result(ExitCodes.FAILED, null, -1, null);
        }
        if (!handshake.isSuccess()) {
            out.accept(HandshakeLines.failed(peer, handshake.cause()));
            boolean timedOut = handshake.cause() instanceof PskHandshakeTimeoutException;
            return new Result(timedOut ? ExitCodes.TIMEOUT : ExitCodes.HANDSHAKE_FAILED, null, -1, null);
        }
        PskTlsSession session = handshake.getNow();
        out.accept(HandshakeLines.ok(peer, session, hint.get()));
        long handshakeNanos = collector.handshakeDoneNanos - collector.activeNanos;

        ByteBuf data = ch.alloc().buffer(line.length).writeBytes(line);
        ch.writeAndFlush(data); // ownership of data passes to the pipeline
        byte[] echoed;
        try {
            echoed = collector.echo.get(millisLeft(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.accept("no echo within " + timeout.toSeconds() + " s (" + collector.received() + " of "
                    + line.length + " bytes)");
            return new Result(ExitCodes.TIMEOUT, session, handshakeNanos, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(ExitCodes.FAILED, session, handshakeNanos, null);
        } catch (ExecutionException e) {
            err.accept("connection failed before the echo arrived: " + HandshakeLines.message(e.getCause()));
            return new Result(ExitCodes.FAILED, session, handshakeNanos, null);
        }
        if (echoed.length < line.length) {
            err.accept("connection closed after " + echoed.length + " of " + line.length + " echo bytes");
            return new Result(ExitCodes.FAILED, session, handshakeNanos, null);
        }
        String text = new String(echoed, 0, line.length - 1, StandardCharsets.UTF_8);
        out.accept("echo: " + text);
        if (!Arrays.equals(Arrays.copyOf(echoed, line.length), line)) {
            err.accept("the echo differs from what was sent");
            return new Result(ExitCodes.FAILED, session, handshakeNanos, text);
        }
        return new Result(ExitCodes.OK, session, handshakeNanos, text);
    }

    static long millisLeft(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Times the handshake and gathers received bytes until {@code expected} have arrived or the channel ends. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final int expected;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> echo = new CompletableFuture<>();
        /** Completes once the handshake future has, after {@link #handshakeDoneNanos} is set. */
        final CompletableFuture<Void> handshakeEnded = new CompletableFuture<>();
        volatile Future<PskTlsSession> handshake;
        volatile long activeNanos;
        volatile long handshakeDoneNanos;

        Collector(int expected) {
            this.expected = expected;
        }

        synchronized int received() {
            return received.size();
        }

        void markHandshakeEnded() {
            handshakeDoneNanos = System.nanoTime();
            handshakeEnded.complete(null);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            activeNanos = System.nanoTime();
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof PskCloseNotifyEvent) {
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    ByteBuf buf = (ByteBuf) msg;
                    synchronized (this) {
                        buf.readBytes(received, buf.readableBytes());
                        if (received.size() >= expected) {
                            echo.complete(received.toByteArray());
                        }
                    }
                }
            } catch (java.io.IOException e) {
                echo.completeExceptionally(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            synchronized (this) {
                echo.complete(received.toByteArray());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            echo.completeExceptionally(cause);
            ctx.close();
        }
    }
}
