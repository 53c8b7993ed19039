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
import io.netty.util.concurrent.ScheduledFuture;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskHandshakeTimeoutException;
import io.tlspsk.handler.PskTlsContext;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code psk-tool load}: opens many TLS-PSK connections to a psk-tool echo server, each doing a handshake and one
 * echo, with a bounded number in flight, and reports handshakes per second, latency percentiles and failures by
 * cause. Bounded in count ({@code --connections}) and in time ({@code --duration-seconds}: no new connection after
 * it; each connection is bounded by {@code --timeout-seconds}), it stops by itself.
 *
 * <p>With {@code --hostile-percent P}, P % of the connections (spread by {@code --seed}, see {@link HostilePlan})
 * are hostile instead, of the {@code --hostile-kinds} in {@link HostileKind}; their outcomes are reported apart by
 * kind ({@link HostileTally}) and the honest figures count honest connections only. The run fails when an honest
 * connection fails or a hostile one ends in a way a sound server never allows (e.g. its handshake is accepted).
 *
 * <p>It only sends to loopback addresses (127.0.0.0/8, ::1): a load test of a server you run locally. Any other
 * target is refused as a usage error.
 */
final class LoadTest {

    static final int DEFAULT_CONNECTIONS = 2000;
    static final int DEFAULT_CONCURRENCY = 200;
    static final int DEFAULT_DURATION_SECONDS = 60;
    static final int MAX_CONNECTIONS = 1_000_000;
    static final int MAX_CONCURRENCY = 10_000;
    static final int MAX_DURATION_SECONDS = 3600;
    /** Options of {@code load} itself; every other option is the {@code client}'s and parsed as such. */
    static final Set<String> OWN_OPTIONS = Set.of("--connections", "--concurrency", "--duration-seconds",
            "--hostile-percent", "--hostile-kinds", "--seed");
    static final long DEFAULT_SEED = 1;

    /** The parsed command line. */
    static final class Options {
        ToolOptions client;
        InetAddress address;
        int connections = DEFAULT_CONNECTIONS;
        int concurrency = DEFAULT_CONCURRENCY;
        int durationSeconds = DEFAULT_DURATION_SECONDS;
        int hostilePercent;
        List<HostileKind> hostileKinds = List.of(HostileKind.values());
        long seed = DEFAULT_SEED;
    }

    private LoadTest() {
    }

    /** Runs {@code psk-tool load ...} ({@code args[0]} is "load") and returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (UsageException e) {
            println(err, "psk-tool: " + e.getMessage());
            println(err, PskTool.USAGE);
            return PskTool.EXIT_USAGE;
        }
        try {
            Report r = new LoadTest.Run(Transports.best(), o).execute(line -> println(out, line));
            return r.isClean() ? PskTool.EXIT_OK : PskTool.EXIT_ERROR;
        } catch (UsageException e) {
            println(err, "psk-tool: " + e.getMessage());
            return PskTool.EXIT_USAGE;
        } catch (Exception e) {
            println(err, "psk-tool load: " + HandshakeLines.message(e));
            return PskTool.EXIT_ERROR;
        } finally {
            o.client.destroyKeys();
        }
    }

    /**
     * Takes out {@code load}'s own options and parses everything else, unchanged and in order, as a {@code client}
     * command line (--connect, --psk, --modes, --groups, --ciphers, --message, --timeout-seconds, ...), so load
     * takes whatever options and flags the client takes.
     */
    static Options parse(String[] args) throws UsageException {
        Options o = new Options();
        List<String> rest = new ArrayList<>();
        rest.add("client");
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            String value = null;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!OWN_OPTIONS.contains(name)) {
                rest.add(args[i]);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--connections": o.connections = parseInt(name, value, 1, MAX_CONNECTIONS); break;
                case "--concurrency": o.concurrency = parseInt(name, value, 1, MAX_CONCURRENCY); break;
                case "--duration-seconds": o.durationSeconds = parseInt(name, value, 1, MAX_DURATION_SECONDS); break;
                case "--hostile-percent": o.hostilePercent = parseInt(name, value, 0, 100); break;
                case "--hostile-kinds": o.hostileKinds = HostileKind.parseList(value); break;
                default: o.seed = parseLong(name, value); break;
            }
        }
        try {
            o.client = ToolOptions.parse(rest.toArray(new String[0]));
        } catch (UsageException e) {
            throw new UsageException(e.getMessage().replace("for client", "for load").replace("client needs", "load needs"));
        }
        try {
            o.address = InetAddress.getByName(o.client.connectHost);
        } catch (UnknownHostException e) {
            o.client.destroyKeys();
            throw new UsageException("--connect: unknown host " + o.client.connectHost);
        }
        if (!o.address.isLoopbackAddress()) {
            o.client.destroyKeys();
            throw new UsageException("load only connects to loopback addresses (127.0.0.0/8, ::1, localhost), not "
                    + o.client.connectHost);
        }
        return o;
    }

    private static int parseInt(String name, String value, int min, int max) throws UsageException {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a number: '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + ": " + n);
        }
        return n;
    }

    private static long parseLong(String name, String value) throws UsageException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a whole number: '" + value + "'");
        }
    }

    private static void println(PrintStream stream, String line) {
        synchronized (stream) {
            stream.println(line);
            stream.flush();
        }
    }

    /** What a run ended with. The handshake, echo and failure figures are the honest connections'. */
    static final class Report {
        int started;
        int honestStarted;
        int handshakesOk;
        int echoesOk;
        int failed;
        double seconds;
        /** From the start to the end of the last honest connection: hostile ones may end much later (slowloris). */
        double honestSeconds;
        final Map<String, Integer> failures = new TreeMap<>();
        /** The hostile connections' outcomes; empty when there were none. */
        HostileTally hostile;

        /**
         * True when something started, no honest connection failed, each that started echoed (so at least one
         * did, unless all were hostile), and no hostile connection ended in a way a sound server never allows.
         */
        boolean isClean() {
            return started > 0 && failed == 0 && echoesOk == honestStarted && hostile.unexpected() == 0;
        }
    }

    /** One load run: launches connections, waits for them, reports. */
    static final class Run {
        private final Transports transports;
        private final Options o;
        private final byte[] line;
        private final long timeoutMillis;
        private final Semaphore inFlight;
        private final Set<Channel> open = ConcurrentHashMap.newKeySet();
        private final long[] handshakeNanos;
        private final long[] echoNanos;
        private final Map<String, Integer> failures = new TreeMap<>();
        private int handshakes;
        private int echoes;
        private int failed;
        private final HostileTally hostile = new HostileTally();
        private volatile boolean stopping;
        private long lastHonestEnd;

        Run(Transports transports, Options o) {
            this.transports = transports;
            this.o = o;
            this.line = (o.client.message + "\n").getBytes(StandardCharsets.UTF_8);
            this.timeoutMillis = TimeUnit.SECONDS.toMillis(o.client.timeoutSeconds);
            this.inFlight = new Semaphore(o.concurrency);
            this.handshakeNanos = new long[o.connections];
            this.echoNanos = new long[o.connections];
        }

        Report execute(java.util.function.Consumer<String> out) throws Exception {
            PskTlsContext tls = o.client.clientContext();
            if (o.hostilePercent == 0) {
                return execute(tls, null, null, out);
            }
            HostilePlan plan = HostilePlan.spread(o.connections, o.hostilePercent, o.hostileKinds, o.seed);
            try (HostilePeer peer = HostilePeer.prepare(plan, o.client, tls)) {
                return execute(tls, plan, peer, out);
            }
        }

        private Report execute(PskTlsContext tls, HostilePlan plan, HostilePeer peer,
                               java.util.function.Consumer<String> out) throws Exception {
            InetSocketAddress target = new InetSocketAddress(o.address, o.client.connectPort);
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            EventLoopGroup group = transports.newGroup(threads);
            Report report = new Report();
            report.hostile = hostile;
            out.accept(String.format(Locale.ROOT, "load: %s over %s, %d connections%s, at most %d at once, "
                            + "no new one after %d s, %d s per connection", HandshakeLines.address(target),
                    transports.name(), o.connections, plan == null ? "" : String.format(Locale.ROOT,
                            " (%d %% hostile: %s; seed %d)", o.hostilePercent, names(plan.kinds()), plan.seed()),
                    o.concurrency, o.durationSeconds, o.client.timeoutSeconds));
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(o.durationSeconds);
            boolean interrupted = false;
            try {
                Bootstrap base = new Bootstrap().group(group).channel(transports.channel())
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
                try {
                    while (report.started < o.connections) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                            break;
                        }
                        int index = report.started++;
                        HostileKind kind = plan == null ? null : plan.kindOf(index);
                        if (kind == null) {
                            report.honestStarted++;
                            launch(base, tls, target);
                        } else {
                            launchHostile(base, target, peer, kind, index);
                        }
                    }
                    // Every connection ends by its own timeout; wait that long (and a little) for the last ones.
                    if (!inFlight.tryAcquire(o.concurrency, timeoutMillis + 5_000, TimeUnit.MILLISECONDS)) {
                        out.accept("some connections did not end in time; closing them");
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    out.accept("interrupted: closing the connections in flight");
                }
                stopping = true; // what still runs is closed by us, not by the server
                for (Channel ch : open) {
                    ch.close();
                }
            } finally {
                Transports.shutdown(group);
            }
            report.seconds = (System.nanoTime() - start) / 1e9;
            synchronized (this) {
                report.honestSeconds = lastHonestEnd == 0 ? report.seconds : (lastHonestEnd - start) / 1e9;
                report.handshakesOk = handshakes;
                report.echoesOk = echoes;
                // Connections that never reported (the group was shut down under them) count as failed.
                int unfinished = report.honestStarted - (echoes + failed);
                if (unfinished > 0) {
                    failures.merge("unfinished at the end of the run", unfinished, Integer::sum);
                    failed += unfinished;
                }
                report.failed = failed;
                report.failures.putAll(failures);
                hostile.endUnfinished();
                print(report, plan != null, out);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return report;
        }

        private void print(Report r, boolean withHostile, java.util.function.Consumer<String> out) {
            String honest = withHostile ? " (honest)" : "";
            out.accept(String.format(Locale.ROOT, "done in %.2f s: %d started%s, %d handshakes ok, %d echoes ok, %d failed%s",
                    r.seconds, r.started, withHostile ? String.format(Locale.ROOT, " (%d honest, %d hostile)",
                            r.honestStarted, r.hostile.started()) : "", r.handshakesOk, r.echoesOk, r.failed,
                    r.started < o.connections ? " (" + (o.connections - r.started) + " not started: time limit)" : ""));
            if (withHostile) {
                out.accept(String.format(Locale.ROOT, "handshakes/s: %.1f (honest, over the %.2f s until the last "
                        + "honest connection ended)", r.handshakesOk / r.honestSeconds, r.honestSeconds));
            } else {
                out.accept(String.format(Locale.ROOT, "handshakes/s: %.1f", r.handshakesOk / r.seconds));
            }
            out.accept("handshake ms (TCP connected to handshake done): "
                    + percentiles(Arrays.copyOf(handshakeNanos, handshakes)) + honest);
            out.accept("echo round trip ms: " + percentiles(Arrays.copyOf(echoNanos, echoes)) + honest);
            out.accept("failures: " + r.failed + honest);
            r.failures.entrySet().stream()
                    .sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(e -> out.accept(String.format(Locale.ROOT, "  %6d  %s", e.getValue(), e.getKey())));
            if (withHostile) {
                r.hostile.print(out);
            }
        }

        private static String names(List<HostileKind> kinds) {
            List<String> names = new ArrayList<>();
            for (HostileKind k : kinds) {
                names.add(k.cliName());
            }
            return String.join(",", names);
        }

        static String percentiles(long[] nanos) {
            if (nanos.length == 0) {
                return "none";
            }
            Arrays.sort(nanos);
            return String.format(Locale.ROOT, "p50=%.2f p90=%.2f p99=%.2f max=%.2f (n=%d)", ms(rank(nanos, 0.50)),
                    ms(rank(nanos, 0.90)), ms(rank(nanos, 0.99)), ms(nanos[nanos.length - 1]), nanos.length);
        }

        /** Nearest-rank percentile of sorted values. */
        static long rank(long[] sorted, double p) {
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }

        private void launch(Bootstrap base, PskTlsContext tls, InetSocketAddress target) {
            Connection c = new Connection();
            ChannelFuture connect = base.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    // On the event loop, like every other use of c: the whole connection is bounded in time.
                    c.timer = ch.eventLoop().schedule(() -> c.fail(ch, (c.handshakeAt == 0 ? "handshake" : "echo")
                            + ": no answer within " + o.client.timeoutSeconds + " s"), timeoutMillis, TimeUnit.MILLISECONDS);
                    PskHandshakeHandler handler = tls.newHandler(ch.alloc());
                    ch.pipeline().addLast(handler, c);
                    handler.handshakeFuture().addListener(f -> {
                        if (f.isSuccess()) {
                            c.handshakeDone(ch);
                        } else {
                            c.fail(ch, handshakeCause(f.cause()));
                        }
                    });
                }
            }).connect(target);
            Channel ch = track(connect);
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    c.fail(ch, "connect: " + HandshakeLines.message(f.cause()));
                }
            });
        }

        /** Launches hostile connection {@code index}; it holds a slot of --concurrency until it ends, like any. */
        private void launchHostile(Bootstrap base, InetSocketAddress target, HostilePeer peer, HostileKind kind,
                                   int index) {
            hostile.starting(kind);
            HostileConnection c = new HostileConnection(kind, peer.payload(kind, index), (k, outcome, detail) -> {
                boolean ours = stopping; // closed by the end of the run, not by the server
                hostile.ended(k, ours ? HostileOutcome.UNFINISHED : outcome, ours ? null : detail);
                inFlight.release();
            });
            ChannelFuture connect = base.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    c.startTimer(ch, timeoutMillis);
                    peer.addHandlers(ch, kind, c);
                }
            }).connect(target);
            Channel ch = track(connect);
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    c.connectFailed(ch);
                }
            });
        }

        /** Keeps the channel in {@link #open} until it closes, so the end of the run can close stragglers. */
        private Channel track(ChannelFuture connect) {
            Channel ch = connect.channel();
            open.add(ch);
            ch.closeFuture().addListener(f -> open.remove(ch));
            return ch;
        }

        static String handshakeCause(Throwable cause) {
            PskAlertException alert = HandshakeLines.alertIn(cause);
            if (alert != null) {
                String name = alert.description() != null ? alert.description().rfcName() : "unknown";
                return "handshake: alert=" + name + "(" + alert.code() + ") " + (alert.isReceived() ? "received" : "sent");
            }
            if (cause instanceof PskHandshakeTimeoutException) {
                return "handshake: timeout";
            }
            return "handshake: " + cause.getClass().getSimpleName() + ": " + HandshakeLines.message(cause);
        }

        private synchronized void recordHandshake(long nanos) {
            handshakeNanos[handshakes++] = nanos;
        }

        private synchronized void recordEcho(long nanos) {
            echoNanos[echoes++] = nanos;
            lastHonestEnd = System.nanoTime();
        }

        private synchronized void recordFailure(String cause) {
            failed++;
            failures.merge(cause, 1, Integer::sum);
            lastHonestEnd = System.nanoTime();
        }

        /** One connection's handler and timings; it ends exactly once, by success or by its first failure. */
        private final class Connection extends ChannelInboundHandlerAdapter {
            ScheduledFuture<?> timer;
            long activeAt;
            long handshakeAt;
            long sentAt;
            int received;
            boolean ended;

            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                activeAt = System.nanoTime();
                super.channelActive(ctx);
            }

            void handshakeDone(Channel ch) {
                if (ended) {
                    return;
                }
                handshakeAt = System.nanoTime();
                recordHandshake(handshakeAt - activeAt);
                sentAt = System.nanoTime();
                ch.writeAndFlush(ch.alloc().buffer(line.length).writeBytes(line));
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    if (ended || !(msg instanceof ByteBuf)) {
                        return;
                    }
                    ByteBuf buf = (ByteBuf) msg;
                    int n = buf.readableBytes();
                    for (int i = 0; i < n; i++) {
                        if (received + i >= line.length || buf.getByte(buf.readerIndex() + i) != line[received + i]) {
                            fail(ctx.channel(), "echo: the echo differs from what was sent");
                            return;
                        }
                    }
                    received += n;
                    if (received == line.length) {
                        recordEcho(System.nanoTime() - sentAt);
                        end(ctx.channel());
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt instanceof PskCloseNotifyEvent) {
                    fail(ctx.channel(), "echo: server sent close_notify before the echo");
                }
                super.userEventTriggered(ctx, evt);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                fail(ctx.channel(), handshakeAt == 0 ? "handshake: connection closed" : "echo: connection closed");
                super.channelInactive(ctx);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                fail(ctx.channel(), (handshakeAt == 0 ? "handshake: " : "echo: ") + cause.getClass().getSimpleName()
                        + ": " + HandshakeLines.message(cause));
            }

            void fail(Channel ch, String cause) {
                if (ended) {
                    return;
                }
                recordFailure(cause);
                end(ch);
            }

            private void end(Channel ch) {
                if (ended) {
                    return;
                }
                ended = true;
                if (timer != null) {
                    timer.cancel(false);
                }
                ch.close();
                inFlight.release();
            }
        }
    }
}
