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
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskHandshakeTimeoutException;
import io.tlspsk.handler.PskTlsContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code psk-tool load}: opens many TLS-PSK connections to a psk-tool echo server, each doing a handshake and
 * {@code --messages} echoes, with a bounded number in flight, and reports handshakes per second, latency
 * percentiles and failures by cause ({@link LoadReport}). Bounded in count ({@code --connections}) and in time
 * ({@code --duration-seconds}: no new connection after it; each connection is bounded by
 * {@code --timeout-seconds}), it stops by itself.
 *
 * <p>A warm-up phase ({@code --warmup}) of honest connections runs first and is not counted. With
 * {@code --stats-port} the server's own figures ({@link ServerStats}) are read before and after the measured
 * phase, for the server's CPU time per handshake and per message. Honest connections take the keys in turn, one
 * identity each, so that a server with many keys is exercised across them.
 *
 * <p>With {@code --hostile-percent P}, P % of the connections (spread by {@code --seed}, see {@link HostilePlan})
 * are hostile instead, of the {@code --hostile-kinds} in {@link HostileKind}; their outcomes are reported apart by
 * kind ({@link HostileTally}) and the honest figures count honest connections only. The run fails when an honest
 * connection fails or a hostile one ends in a way a sound server never allows (e.g. its handshake is accepted).
 *
 * <p>It only sends to loopback addresses (127.0.0.0/8, ::1): a load test of a server you run locally.
 */
final class LoadTest {

    static final int DEFAULT_CONNECTIONS = 2000;
    static final int DEFAULT_CONCURRENCY = 200;
    static final int DEFAULT_DURATION_SECONDS = 60;
    static final int MAX_CONNECTIONS = 1_000_000;
    static final int MAX_CONCURRENCY = 10_000;
    static final int MAX_MESSAGES = 10_000;
    static final long DEFAULT_SEED = 1;
    /** After the measured phase, how long the server may take to close its side of every connection. */
    static final long SERVER_QUIET_WAIT_MILLIS = 5_000;

    private LoadTest() {
    }

    /** Makes the client context a connection uses to offer {@code psk}, every other client option unchanged. */
    interface Contexts {
        PskTlsContext offering(ExternalPsk psk) throws UsageException;
    }

    /** A warm-up bounded by a number of connections, or by seconds (then {@code connections} is 0). */
    record Warmup(int connections, int seconds) {

        /** {@code N} connections or {@code Ns} seconds. */
        static Warmup parse(String text) throws UsageException {
            String t = text.trim();
            boolean secs = t.endsWith("s");
            long n;
            try {
                n = Long.parseLong(secs ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new UsageException("--warmup needs N (connections) or Ns (seconds): '" + text + "'");
            }
            if (secs) {
                ToolCommand.checkRange("--warmup seconds", n, 1, ToolCommand.MAX_SECONDS);
                return new Warmup(0, (int) n);
            }
            ToolCommand.checkRange("--warmup connections", n, 1, MAX_CONNECTIONS);
            return new Warmup((int) n, 0);
        }

        String describe() {
            return connections > 0 ? connections + " connections" : seconds + " s";
        }
    }

    /** A checked command line, with its keys. The caller owns the keys and destroys them after the run. */
    static final class Options {
        InetSocketAddress target;
        /** Honest connections take them in turn; the hostile wrong-key connections use the first one's identity. */
        List<ExternalPsk> keys;
        Contexts contexts;
        String message = "hello";
        int messages = 1;
        int timeoutSeconds = ConnectOptions.DEFAULT_TIMEOUT_SECONDS;
        int connections = DEFAULT_CONNECTIONS;
        int concurrency = DEFAULT_CONCURRENCY;
        int durationSeconds = DEFAULT_DURATION_SECONDS;
        /** Null: no warm-up. */
        Warmup warmup;
        /** Seconds between progress lines; 0: none. */
        int progressSeconds;
        int hostilePercent;
        List<HostileKind> hostileKinds = List.of(HostileKind.values());
        long seed = DEFAULT_SEED;
        /** The server's {@code --stats-port}, or null. */
        Integer statsPort;
    }

    /** One load run: warm-up, measured phase, report. */
    static final class Run {
        private final Transports transports;
        private final Options o;
        private final byte[] line;
        private final long timeoutMillis;
        private volatile boolean interrupted;

        Run(Transports transports, Options o) {
            this.transports = transports;
            this.o = o;
            this.line = (o.message + "\n").getBytes(StandardCharsets.UTF_8);
            this.timeoutMillis = TimeUnit.SECONDS.toMillis(o.timeoutSeconds);
        }

        /** Runs without progress lines. */
        LoadReport execute(Consumer<String> out) throws Exception {
            return execute(out, progressLine -> { });
        }

        /** Runs, printing the report to {@code out} and progress lines (long runs) to {@code progress}. */
        LoadReport execute(Consumer<String> out, Consumer<String> progress) throws Exception {
            PskTlsContext first = o.contexts.offering(o.keys.get(0));
            HostilePlan plan = o.hostilePercent == 0 ? null
                    : HostilePlan.spread(o.connections, o.hostilePercent, o.hostileKinds, o.seed);
            try (HostilePeer peer = plan == null ? null
                    : HostilePeer.prepare(plan, o.keys.get(0), o.contexts, first)) {
                return execute(first, plan, peer, out, progress);
            }
        }

        private LoadReport execute(PskTlsContext first, HostilePlan plan, HostilePeer peer, Consumer<String> out,
                                   Consumer<String> progress) throws Exception {
            EventLoopGroup group = transports.newGroup(Math.max(1, Runtime.getRuntime().availableProcessors()));
            LoadReport report = new LoadReport(o, HandshakeLines.address(o.target), transports.name(), plan);
            out.accept(report.header());
            try {
                Bootstrap base = new Bootstrap().group(group).channel(transports.channel())
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
                if (o.warmup != null) {
                    Phase warm = new Phase("warm-up", base, first, null, null, false,
                            o.warmup.connections() > 0 ? o.warmup.connections() : MAX_CONNECTIONS,
                            o.warmup.seconds() > 0 ? o.warmup.seconds() : o.durationSeconds);
                    warm.run(group, out, progress);
                    report.warmup = warm.figures();
                    out.accept(report.warmupLine());
                }
                ServerStats.Sample before = interrupted ? null : serverSample(out);
                Phase measured = new Phase("load", base, first, plan, peer, true, o.connections, o.durationSeconds);
                if (!interrupted) {
                    measured.run(group, out, progress);
                }
                report.measured = measured.figures();
                if (before != null) {
                    ServerStats.Sample after = serverSampleOnceQuiet(before, out);
                    if (after != null) {
                        report.server = new LoadReport.ServerCost(before, after);
                    }
                }
            } finally {
                Transports.shutdown(group);
            }
            report.print(out);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return report;
        }

        /** The server's figures now, or null (with a line saying why) when there is no stats port or no answer. */
        private ServerStats.Sample serverSample(Consumer<String> out) {
            if (o.statsPort == null) {
                return null;
            }
            try {
                return StatsEndpoint.fetch(o.target.getAddress(), o.statsPort);
            } catch (IOException e) {
                out.accept("server stats unavailable: " + HandshakeLines.message(e));
                return null;
            }
        }

        /**
         * The server's figures once it has closed what the measured phase opened (its last closes happen after
         * ours), waiting at most {@link #SERVER_QUIET_WAIT_MILLIS}, so that their CPU time is counted.
         */
        private ServerStats.Sample serverSampleOnceQuiet(ServerStats.Sample before, Consumer<String> out)
                throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SERVER_QUIET_WAIT_MILLIS);
            while (true) {
                ServerStats.Sample s = serverSample(out);
                if (s == null || s.open() <= before.open() || System.nanoTime() > deadline) {
                    return s;
                }
                Thread.sleep(50);
            }
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

        /**
         * One phase: at most {@code maxConnections}, none started after {@code seconds}, at most
         * {@code --concurrency} at once. The warm-up records no latencies and has no hostile connections.
         */
        private final class Phase {
            private final String name;
            private final Bootstrap base;
            private final PskTlsContext firstContext;
            private final HostilePlan plan;
            private final HostilePeer peer;
            private final boolean recordLatencies;
            private final int maxConnections;
            private final int seconds;
            private final Semaphore inFlight = new Semaphore(o.concurrency);
            private final Set<Channel> open = ConcurrentHashMap.newKeySet();
            private final LatencySamples handshakeNanos = new LatencySamples();
            private final LatencySamples echoNanos = new LatencySamples();
            private final Map<String, Integer> failures = new TreeMap<>();
            private final HostileTally hostile = new HostileTally();
            private int started;
            private int honestStarted;
            private int handshakes;
            private int connectionsDone;
            private long messagesDone;
            private int failed;
            private long startNanos;
            private long endNanos;
            private long lastHonestEnd;
            private volatile boolean stopping;

            Phase(String name, Bootstrap base, PskTlsContext firstContext, HostilePlan plan, HostilePeer peer,
                  boolean recordLatencies, int maxConnections, int seconds) {
                this.name = name;
                this.base = base;
                this.firstContext = firstContext;
                this.plan = plan;
                this.peer = peer;
                this.recordLatencies = recordLatencies;
                this.maxConnections = maxConnections;
                this.seconds = seconds;
            }

            void run(EventLoopGroup group, Consumer<String> out, Consumer<String> progress) {
                startNanos = System.nanoTime();
                long deadline = startNanos + TimeUnit.SECONDS.toNanos(seconds);
                ScheduledFuture<?> ticker = o.progressSeconds == 0 ? null : group.next().scheduleAtFixedRate(
                        new Ticker(progress), o.progressSeconds, o.progressSeconds, TimeUnit.SECONDS);
                try {
                    while (started < maxConnections) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                            break;
                        }
                        int index = started++;
                        HostileKind kind = plan == null ? null : plan.kindOf(index);
                        if (kind == null) {
                            launch(honestStarted++);
                        } else {
                            launchHostile(kind, index);
                        }
                    }
                    // Every connection ends by its own timeout; wait that long (and a little) for the last ones.
                    if (!inFlight.tryAcquire(o.concurrency, timeoutMillis + 5_000, TimeUnit.MILLISECONDS)) {
                        out.accept("some connections did not end in time; closing them");
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    out.accept("interrupted: closing the connections in flight");
                } finally {
                    if (ticker != null) {
                        ticker.cancel(false);
                    }
                }
                stopping = true; // what still runs is closed by us, not by the server
                for (Channel ch : open) {
                    ch.close();
                }
                synchronized (this) {
                    endNanos = System.nanoTime();
                }
            }

            /** Honest connection number {@code honestIndex}, offering the keys in turn, one per connection. */
            private void launch(int honestIndex) {
                PskTlsContext tls = contextFor(o.keys.get(honestIndex % o.keys.size()));
                Connection c = new Connection();
                ChannelFuture connect = base.clone().handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // On the event loop, like every other use of c: the whole connection is bounded in time.
                        c.timer = ch.eventLoop().schedule(() -> c.fail(ch, (c.handshakeAt == 0 ? "handshake" : "echo")
                                + ": no answer within " + o.timeoutSeconds + " s"), timeoutMillis, TimeUnit.MILLISECONDS);
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
                }).connect(o.target);
                Channel ch = track(connect);
                connect.addListener(f -> {
                    if (!f.isSuccess()) {
                        c.fail(ch, "connect: " + HandshakeLines.message(f.cause()));
                    }
                });
            }

            private PskTlsContext contextFor(ExternalPsk psk) {
                if (psk == o.keys.get(0)) {
                    return firstContext;
                }
                try {
                    return o.contexts.offering(psk);
                } catch (UsageException e) {
                    // The first key's context was built from the same options, so this cannot be the options.
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            /** Launches hostile connection {@code index}; it holds a slot of --concurrency until it ends, like any. */
            private void launchHostile(HostileKind kind, int index) {
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
                }).connect(o.target);
                Channel ch = track(connect);
                connect.addListener(f -> {
                    if (!f.isSuccess()) {
                        c.connectFailed(ch);
                    }
                });
            }

            /** Keeps the channel in {@link #open} until it closes, so the end of the phase can close stragglers. */
            private Channel track(ChannelFuture connect) {
                Channel ch = connect.channel();
                open.add(ch);
                ch.closeFuture().addListener(f -> open.remove(ch));
                return ch;
            }

            private synchronized void recordHandshake(long nanos) {
                handshakes++;
                if (recordLatencies) {
                    handshakeNanos.add(nanos);
                }
            }

            private synchronized void recordEcho(long nanos) {
                messagesDone++;
                if (recordLatencies) {
                    echoNanos.add(nanos);
                }
            }

            private synchronized void recordDone() {
                connectionsDone++;
                lastHonestEnd = System.nanoTime();
            }

            private synchronized void recordFailure(String cause) {
                failed++;
                failures.merge(cause, 1, Integer::sum);
                lastHonestEnd = System.nanoTime();
            }

            /** What the phase did; call after {@link #run}. */
            synchronized LoadReport.Figures figures() {
                LoadReport.Figures f = new LoadReport.Figures();
                long end = endNanos == 0 ? System.nanoTime() : endNanos;
                f.seconds = startNanos == 0 ? 0 : (end - startNanos) / 1e9;
                f.honestSeconds = lastHonestEnd == 0 ? f.seconds : (lastHonestEnd - startNanos) / 1e9;
                f.started = started;
                f.requested = maxConnections;
                f.honestStarted = honestStarted;
                f.handshakesOk = handshakes;
                f.echoesOk = connectionsDone;
                f.messagesOk = messagesDone;
                // Connections that never reported (the group was shut down under them) count as failed.
                int unfinished = honestStarted - (connectionsDone + failed);
                if (unfinished > 0) {
                    failures.merge("unfinished at the end of the run", unfinished, Integer::sum);
                    failed += unfinished;
                }
                f.failed = failed;
                f.failures.putAll(failures);
                hostile.endUnfinished();
                f.hostile = hostile;
                f.handshakeNanos = handshakeNanos.sorted();
                f.echoNanos = echoNanos.sorted();
                return f;
            }

            /** Prints one progress line every --progress-seconds: what the phase has done so far. */
            private final class Ticker implements Runnable {
                private final Consumer<String> progress;
                private int lastHandshakes;
                private long lastNanos = System.nanoTime();

                Ticker(Consumer<String> progress) {
                    this.progress = progress;
                }

                @Override
                public void run() {
                    int hs;
                    String line;
                    long now = System.nanoTime();
                    synchronized (Phase.this) {
                        hs = handshakes;
                        line = String.format(Locale.ROOT, "%s: %.0f s, %d started, %d done, %d failed, %d in flight, "
                                        + "%.1f handshakes/s in the last %.0f s", name, (now - startNanos) / 1e9,
                                started, connectionsDone + failed + hostile.endedCount(), failed,
                                o.concurrency - inFlight.availablePermits(),
                                (hs - lastHandshakes) / ((now - lastNanos) / 1e9), (now - lastNanos) / 1e9);
                    }
                    lastHandshakes = hs;
                    lastNanos = now;
                    progress.accept(line);
                }
            }

            /** One honest connection's handler and timings; it ends exactly once, by success or its first failure. */
            private final class Connection extends ChannelInboundHandlerAdapter {
                ScheduledFuture<?> timer;
                long activeAt;
                long handshakeAt;
                long sentAt;
                int received;
                int echoed;
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
                    send(ch);
                }

                private void send(Channel ch) {
                    received = 0;
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
                            if (received + i >= line.length
                                    || buf.getByte(buf.readerIndex() + i) != line[received + i]) {
                                fail(ctx.channel(), "echo: the echo differs from what was sent");
                                return;
                            }
                        }
                        received += n;
                        if (received == line.length) {
                            recordEcho(System.nanoTime() - sentAt);
                            if (++echoed < o.messages) {
                                send(ctx.channel());
                            } else {
                                recordDone();
                                end(ctx.channel());
                            }
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
                    fail(ctx.channel(), (handshakeAt == 0 ? "handshake: " : "echo: ")
                            + cause.getClass().getSimpleName() + ": " + HandshakeLines.message(cause));
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
}
