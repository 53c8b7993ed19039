package io.tlspsk.bench.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tlspsk.bench.RetainedHeap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The gateway under test, in its own JVM (pinned to one core by the orchestrator): one epoll event loop thread
 * that accepts, handshakes and echoes every application byte back. The orchestrator drives it with one command a
 * line on stdin and reads one answer a line on stdout:
 *
 * <pre>
 * READY {"port":N,"pid":N}                 once listening
 * STATS  -> OK {counters, event loop CPU (ThreadMXBean), process CPU and CPU by thread kind (/proc)}
 * MEMORY -> OK {heap used after full GCs, RSS, open connections}
 * IDLE_EVENT -> OK {...}  an IdleStateEvent (ALL_IDLE) through every open connection's pipeline
 * QUIT (or end of stdin) -> exits
 * </pre>
 *
 * <pre>
 * java -cp benchmarks.jar io.tlspsk.bench.gateway.GatewayServer --stack ours_psk_ke --cert C.pem --key K.pem
 * </pre>
 */
public final class GatewayServer {

    /** The event loop thread's name prefix (also how /proc's thread list tells it apart). */
    static final String LOOP_THREAD_PREFIX = "gateway-loop";
    /** Accept queue: the kernel's somaxconn caps it anyway. */
    static final int BACKLOG = 4096;
    static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

    private final EventLoopGroup group;
    private final Channel listener;
    private final Counters counters = new Counters();
    /** HotSpot's ThreadMXBean: CPU time and bytes allocated of the calling thread. */
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private GatewayServer(GatewayStack stack, CertificateFiles cert, String bind, int port) throws Exception {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("epoll is not available here: " + Epoll.unavailabilityCause());
        }
        GatewayTls tls = GatewayTls.server(stack, cert);
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(LOOP_THREAD_PREFIX),
                EpollIoHandler.newFactory());
        Echo echo = new Echo(counters);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls.install(ch);
                        ch.pipeline().addLast(echo);
                    }
                });
        ChannelFuture bound = b.bind(bind, port);
        if (!bound.awaitUninterruptibly(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot listen on " + bind + ":" + port, bound.cause());
        }
        listener = bound.channel();
    }

    public static void main(String[] args) throws Exception {
        GatewayStack stack = null;
        Path cert = null;
        Path key = null;
        String bind = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stack": stack = GatewayStack.byId(args[++i]); break;
                case "--cert": cert = Path.of(args[++i]); break;
                case "--key": key = Path.of(args[++i]); break;
                case "--bind": bind = args[++i]; break;
                case "--port": port = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("usage: GatewayServer --stack NAME [--cert PEM --key PEM] [--bind ADDR] "
                            + "[--port N]");
                    System.exit(64);
            }
        }
        if (stack == null) {
            System.err.println("--stack is required");
            System.exit(64);
        }
        GatewayServer server = new GatewayServer(stack, new CertificateFiles(cert, key), bind, port);
        System.out.println("READY {\"port\":" + ((InetSocketAddress) server.listener.localAddress()).getPort()
                + ",\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.flush();
        try {
            server.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)));
        } finally {
            server.listener.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS);
            server.group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS + 1_000);
        }
        System.exit(0);
    }

    /** Answers commands until QUIT or the end of stdin (the orchestrator gone: nothing is left running). */
    private void serve(BufferedReader in) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            String answer;
            try {
                switch (line.trim()) {
                    case "STATS": answer = stats(); break;
                    case "MEMORY": answer = memory(); break;
                    case "IDLE_EVENT": answer = idleEvent(); break;
                    case "QUIT": return;
                    default: answer = "ERR unknown command " + line;
                }
            } catch (Exception e) {
                answer = "ERR " + e;
            }
            System.out.println(answer.startsWith("ERR") ? answer : "OK " + answer);
            System.out.flush();
        }
    }

    private String stats() throws Exception {
        // Counters and the loop's own CPU clock are read on the loop thread, between two events.
        Snapshot s = group.next().submit(() -> new Snapshot(counters, threads.getCurrentThreadCpuTime(),
                threads.getCurrentThreadAllocatedBytes())).get(10, TimeUnit.SECONDS);
        StringBuilder b = new StringBuilder("{");
        b.append("\"wallNanos\":").append(System.nanoTime())
                .append(",\"loopCpuNanos\":").append(s.loopCpuNanos)
                .append(",\"loopAllocatedBytes\":").append(s.loopAllocatedBytes)
                .append(",\"processCpuNanos\":").append(ProcStats.processCpuNanos());
        // The same split by kind of thread from /proc (10 ms ticks): loop, jit, gc, other -> "jitCpuNanos"...;
        // the loop's own figure from /proc is "procLoopCpuNanos", beside the exact one above.
        for (Map.Entry<String, Long> e : ProcStats.cpuByThreadKind(LOOP_THREAD_PREFIX).entrySet()) {
            String key = e.getKey().equals("loop") ? "procLoop" : e.getKey();
            b.append(",\"").append(key).append("CpuNanos\":").append(e.getValue());
        }
        b.append(",\"accepted\":").append(s.accepted)
                .append(",\"closed\":").append(s.closed)
                .append(",\"open\":").append(s.open)
                .append(",\"handshakes\":").append(s.handshakes)
                .append(",\"handshakeFailures\":").append(s.handshakeFailures)
                .append(",\"reads\":").append(s.reads)
                .append(",\"bytes\":").append(s.bytes)
                .append(",\"errors\":").append(s.errors);
        return b.append('}').toString();
    }

    private String memory() throws Exception {
        long heap = RetainedHeap.usedHeapAfterGc();
        long rss = ProcStats.rssBytes();
        int open = group.next().submit(() -> counters.channels.size()).get(10, TimeUnit.SECONDS);
        return String.format(Locale.ROOT, "{\"heapUsed\":%d,\"rss\":%d,\"open\":%d}", heap, rss, open);
    }

    private String idleEvent() throws Exception {
        int n = group.next().submit(() -> {
            for (Channel ch : counters.channels) {
                ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
            }
            return counters.channels.size();
        }).get(60, TimeUnit.SECONDS);
        return "{\"connections\":" + n + "}";
    }

    /** Touched only on the event loop thread. */
    static final class Counters {
        final Set<Channel> channels = new HashSet<>();
        long accepted;
        long closed;
        long handshakes;
        long handshakeFailures;
        long reads;
        long bytes;
        long errors;
    }

    private static final class Snapshot {
        final long loopCpuNanos;
        final long loopAllocatedBytes;
        final long accepted;
        final long closed;
        final long open;
        final long handshakes;
        final long handshakeFailures;
        final long reads;
        final long bytes;
        final long errors;

        Snapshot(Counters c, long loopCpuNanos, long loopAllocatedBytes) {
            this.loopCpuNanos = loopCpuNanos;
            this.loopAllocatedBytes = loopAllocatedBytes;
            accepted = c.accepted;
            closed = c.closed;
            open = c.channels.size();
            handshakes = c.handshakes;
            handshakeFailures = c.handshakeFailures;
            reads = c.reads;
            bytes = c.bytes;
            errors = c.errors;
        }
    }

    /** Counts and echoes; one instance for every channel, all on the one event loop thread. */
    @Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        private final Counters counters;

        Echo(Counters counters) {
            this.counters = counters;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            counters.accepted++;
            counters.channels.add(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            counters.closed++;
            counters.channels.remove(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            HandshakeEvent hs = HandshakeEvent.of(ctx, evt);
            if (hs != null) {
                if (hs.isSuccess()) {
                    counters.handshakes++;
                } else {
                    counters.handshakeFailures++;
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            counters.reads++;
            counters.bytes += ((ByteBuf) msg).readableBytes();
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            counters.errors++;
            ctx.close();
        }
    }
}
