package io.tlspsk.bench.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The devices: one epoll event loop thread (the orchestrator's JVM is pinned to its own core) that opens
 * connections to the gateway and sends messages in the patterns of the workloads. Every phase runs on that thread
 * and is awaited with a bound; every connection attempt has a handshake timeout; failures are counted by cause.
 *
 * <p>Connections are bound to source addresses 127.0.0.2, .3, ... in turn (with IP_BIND_ADDRESS_NO_PORT, so the
 * port is picked at connect time per 4-tuple): one source address has only the ephemeral port range (about 28,000
 * ports) towards one server port.
 */
final class LoadGenerator implements AutoCloseable {

    /** Connections one source address takes before the next is used. */
    static final int CONNECTIONS_PER_SOURCE_ADDRESS = 20_000;
    /** How long a phase may overrun its own duration (draining, closing) before it counts as hung. */
    static final long PHASE_GRACE_MILLIS = 60_000;
    static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

    private final GatewayStack stack;
    private final GatewayTls tls;
    private final InetSocketAddress server;
    private final List<InetAddress> sources = new ArrayList<>();
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long handshakeTimeoutMillis;
    private int nextSource;
    private boolean negotiationChecked;
    private volatile String negotiationError;
    private volatile String negotiated;

    LoadGenerator(GatewayStack stack, GatewayTls tls, InetSocketAddress server, int maxConnections,
            long handshakeTimeoutMillis) throws UnknownHostException {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("epoll is not available here: " + Epoll.unavailabilityCause());
        }
        this.stack = stack;
        this.tls = tls;
        this.server = server;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        int addresses = Math.max(2, (maxConnections + CONNECTIONS_PER_SOURCE_ADDRESS - 1)
                / CONNECTIONS_PER_SOURCE_ADDRESS);
        for (int i = 0; i < addresses; i++) {
            sources.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
        }
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("load-loop"), EpollIoHandler.newFactory());
        loop = group.next();
        bootstrap = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) handshakeTimeoutMillis)
                .option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }

    GatewayStack stack() {
        return stack;
    }

    /** What the first handshake negotiated ("plaintext" for plain TCP), or null before one. */
    String negotiated() {
        return negotiated;
    }

    /** Set when a handshake negotiated something else than the stack promises: its figures are not valid. */
    String negotiationError() {
        return negotiationError;
    }

    List<InetAddress> sourceAddresses() {
        return sources;
    }

    private void check(String what) {
        if (!negotiationChecked) {
            negotiationChecked = true;
            negotiated = what;
            if (!what.startsWith(stack.expected())) {
                negotiationError = stack.id() + " negotiated \"" + what + "\", not \"" + stack.expected() + "\"";
            }
        }
    }

    private LoadConnection connect(LoadConnection.Listener listener) {
        InetSocketAddress local = new InetSocketAddress(sources.get(nextSource++ % sources.size()), 0);
        LoadConnection c = new LoadConnection(listener, stack != GatewayStack.PLAIN, this::check);
        if (stack == GatewayStack.PLAIN && !negotiationChecked) {
            check("plaintext");
        }
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                tls.install(ch);
                ch.pipeline().addLast(c);
                c.startTimeout(ch, handshakeTimeoutMillis);
            }
        });
        b.connect(server, local).addListener(f -> {
            if (!f.isSuccess()) {
                c.connectFailed(f.cause());
            }
        });
        return c;
    }

    private static ByteBuf payload(int size) {
        ByteBuf b = Unpooled.directBuffer(size);
        for (int i = 0; i < size; i++) {
            b.writeByte('a' + i % 26);
        }
        return b;
    }

    private <T> T await(CompletableFuture<T> done, long millis, String what) throws Exception {
        try {
            return done.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not end within " + millis + " ms", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        }
    }

    // ---- connection churn: connect, handshake, one message, close ----

    /**
     * Keeps {@code concurrency} connections going, each connect, handshake, one {@code size}-byte message echoed,
     * close, until {@code maxConnections} were started or {@code seconds} passed; then waits for those still open.
     */
    Outcome churn(int concurrency, long maxConnections, double seconds, int size) throws Exception {
        Churn c = new Churn(concurrency, maxConnections, (long) (seconds * 1e9), size);
        loop.execute(c::start);
        return await(c.done, (long) (seconds * 1000) + handshakeTimeoutMillis + PHASE_GRACE_MILLIS, "churn");
    }

    /** Counts and timing of one phase. */
    static final class Outcome {
        long started;
        long completed;
        long wallNanos;
        final Map<String, Long> failures = new TreeMap<>();

        void fail(String why) {
            failures.merge(why, 1L, Long::sum);
        }

        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final class Churn implements LoadConnection.Listener {
        final CompletableFuture<Outcome> done = new CompletableFuture<>();
        final Outcome out = new Outcome();
        final int concurrency;
        final long max;
        final long durationNanos;
        final ByteBuf message;
        long start;
        int open;

        Churn(int concurrency, long max, long durationNanos, int size) {
            this.concurrency = concurrency;
            this.max = max;
            this.durationNanos = durationNanos;
            this.message = payload(size);
        }

        void start() {
            start = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                next();
            }
        }

        void next() {
            if (out.started < max && System.nanoTime() - start < durationNanos) {
                out.started++;
                open++;
                connect(this);
            } else if (open == 0 && !done.isDone()) {
                out.wallNanos = System.nanoTime() - start;
                message.release();
                done.complete(out);
            }
        }

        @Override
        public void established(LoadConnection c) {
            c.send(message);
        }

        @Override
        public void echoed(LoadConnection c) {
            c.close();
        }

        @Override
        public void ended(LoadConnection c, String failure) {
            open--;
            if (failure == null) {
                out.completed++;
            } else {
                out.fail(failure);
            }
            next();
        }
    }

    // ---- a fleet of established connections ----

    /**
     * Opens {@code n} connections, at most {@code maxPending} handshaking at once and at most
     * {@code perSecond} started per second, and keeps the ones whose handshake succeeded.
     */
    Fleet open(int n, int maxPending, double perSecond) throws Exception {
        Fleet f = new Fleet(n, maxPending, perSecond);
        loop.execute(f::pump);
        // Bounded by progress: a slow stack on a busy machine may take long, but one that stops handshaking fails.
        long stall = handshakeTimeoutMillis + PHASE_GRACE_MILLIS;
        while (!f.opened.isDone()) {
            Thread.sleep(100);
            long idle = (System.nanoTime() - f.lastProgress) / 1_000_000;
            if (idle > stall) {
                throw new IllegalStateException("opening " + n + " connections: no handshake ended for " + idle
                        + " ms (" + f.established() + " established)");
            }
        }
        await(f.opened, 0, "opening " + n + " connections");
        return f;
    }

    /**
     * What a fleet does with its messages, on the event loop: sends, counts echoes, and completes {@link #done}
     * once it has stopped sending and nothing is outstanding.
     */
    private abstract class MessagePhase {
        final Fleet f;
        final ByteBuf message;
        final CompletableFuture<Messages> done = new CompletableFuture<>();
        final Messages out = new Messages();
        long start;
        long outstanding;
        boolean running = true;

        MessagePhase(Fleet f, int size) {
            this.f = f;
            this.message = payload(size);
        }

        CompletableFuture<Messages> begin() {
            loop.execute(() -> {
                f.phase = this;
                start = System.nanoTime();
                started();
            });
            return done;
        }

        abstract void started();

        /** After an echo came back ({@code c}) or a connection died with its message out ({@code c} null). */
        abstract void afterEcho(LoadConnection c);

        void send(LoadConnection c) {
            outstanding++;
            out.sent++;
            c.send(message);
        }

        void echoed(LoadConnection c) {
            outstanding--;
            out.echoed++;
            afterEcho(c);
        }

        void lost() {
            outstanding--;
            out.lost++;
            afterEcho(null);
        }

        void finishIfDrained() {
            if (outstanding == 0 && !done.isDone()) {
                out.wallNanos = System.nanoTime() - start;
                f.phase = null;
                message.release();
                done.complete(out);
            }
        }
    }

    /** Connections held open for the steady and idle workloads. */
    final class Fleet implements LoadConnection.Listener {
        final CompletableFuture<Outcome> opened = new CompletableFuture<>();
        final CompletableFuture<Void> allEnded = new CompletableFuture<>();
        final Outcome out = new Outcome();
        final List<LoadConnection> connections = new ArrayList<>();
        final int n;
        final int maxPending;
        final double perSecond;
        long start = -1;
        /** When a connection attempt last ended or handshook (read by the waiting thread). */
        volatile long lastProgress = System.nanoTime();
        int pending;
        int live;
        /** Connections that ended after their handshake without being asked to (the server dropped them). */
        long dropped;
        MessagePhase phase;
        ScheduledFuture<?> retry;

        Fleet(int n, int maxPending, double perSecond) {
            this.n = n;
            this.maxPending = maxPending;
            this.perSecond = perSecond;
        }

        void pump() {
            long now = System.nanoTime();
            if (start < 0) {
                start = now;
            }
            long allowed = (long) ((now - start) / 1e9 * perSecond) + 1;
            while (pending < maxPending && out.started < n && out.started < allowed) {
                out.started++;
                pending++;
                live++;
                connect(this);
            }
            if (out.started < n && pending < maxPending && retry == null) {
                // Held back by the rate: look again in a millisecond.
                retry = loop.schedule(() -> {
                    retry = null;
                    pump();
                }, 1, TimeUnit.MILLISECONDS);
            }
            if (out.started == n && pending == 0 && !opened.isDone()) {
                out.wallNanos = now - start;
                out.completed = connections.size();
                opened.complete(out);
            }
        }

        int established() {
            return connections.size();
        }

        @Override
        public void established(LoadConnection c) {
            lastProgress = System.nanoTime();
            connections.add(c);
            pending--;
            pump();
        }

        @Override
        public void echoed(LoadConnection c) {
            if (phase != null) {
                phase.echoed(c);
            }
        }

        @Override
        public void ended(LoadConnection c, String failure) {
            live--;
            if (c.isEstablishedOnce()) {
                if (phase != null && c.busy()) {
                    phase.lost();
                }
                if (failure != null) {
                    dropped++;
                    out.fail("dropped later: " + failure);
                }
            } else {
                lastProgress = System.nanoTime();
                pending--;
                out.fail(failure == null ? "closed before its handshake" : failure);
                pump();
            }
            if (live == 0 && opened.isDone()) {
                allEnded.complete(null);
            }
        }
    }

    /** Closes every connection of {@code f} and waits, bounded, until all have ended. */
    void close(Fleet f) throws Exception {
        loop.execute(() -> {
            for (LoadConnection c : f.connections) {
                c.close();
            }
            if (f.live == 0) {
                f.allEnded.complete(null);
            }
        });
        await(f.allEnded, PHASE_GRACE_MILLIS + f.connections.size(), "closing " + f.connections.size()
                + " connections");
    }

    // ---- steady messages ----

    /** Counts of one message phase. */
    static final class Messages {
        long sent;
        long echoed;
        /** Messages whose connection died before the echo came back. */
        long lost;
        long wallNanos;
        /** Sends that were due while every connection still waited for its echo (fixed rate only). */
        long behind;
    }

    /**
     * Flat out: every connection sends a message, and the next as soon as its echo is back, for {@code seconds};
     * then the messages still out are awaited.
     */
    Messages flatOut(Fleet f, int size, double seconds) throws Exception {
        return await(new FlatOut(f, size, (long) (seconds * 1e9)).begin(),
                (long) (seconds * 1000) + PHASE_GRACE_MILLIS, "flat-out messages");
    }

    private final class FlatOut extends MessagePhase {
        final long durationNanos;

        FlatOut(Fleet f, int size, long durationNanos) {
            super(f, size);
            this.durationNanos = durationNanos;
        }

        @Override
        void started() {
            for (LoadConnection c : f.connections) {
                if (c.isEstablished()) {
                    send(c);
                }
            }
            loop.schedule(() -> {
                running = false;
                finishIfDrained();
            }, durationNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        void afterEcho(LoadConnection c) {
            if (running && c != null && c.isEstablished()) {
                send(c);
            } else {
                finishIfDrained();
            }
        }
    }

    /**
     * A fixed total rate: {@code perSecond} messages a second spread over the connections in turn (a connection
     * still waiting for its echo is passed over), for {@code seconds}; then the messages still out are awaited.
     */
    Messages fixedRate(Fleet f, int size, double perSecond, double seconds) throws Exception {
        return await(new FixedRate(f, size, perSecond, (long) (seconds * 1e9)).begin(),
                (long) (seconds * 1000) + PHASE_GRACE_MILLIS, "fixed-rate messages");
    }

    private final class FixedRate extends MessagePhase {
        final double perSecond;
        final long durationNanos;
        int cursor;
        ScheduledFuture<?> tick;

        FixedRate(Fleet f, int size, double perSecond, long durationNanos) {
            super(f, size);
            this.perSecond = perSecond;
            this.durationNanos = durationNanos;
        }

        @Override
        void started() {
            tick = loop.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.MILLISECONDS);
        }

        void tick() {
            long elapsed = System.nanoTime() - start;
            if (elapsed >= durationNanos) {
                tick.cancel(false);
                running = false;
                finishIfDrained();
                return;
            }
            long due = (long) (elapsed / 1e9 * perSecond) - out.sent - out.behind;
            List<LoadConnection> cs = f.connections;
            for (long i = 0; i < due; i++) {
                LoadConnection c = null;
                for (int scanned = 0; scanned < cs.size() && c == null; scanned++) {
                    LoadConnection candidate = cs.get(cursor);
                    cursor = (cursor + 1) % cs.size();
                    if (candidate.isEstablished() && !candidate.busy()) {
                        c = candidate;
                    }
                }
                if (c == null) {
                    out.behind += due - i;
                    return;
                }
                send(c);
            }
        }

        @Override
        void afterEcho(LoadConnection c) {
            if (!running) {
                finishIfDrained();
            }
        }
    }

    /** One {@code size}-byte message on every connection of {@code f}, at most {@code maxOutstanding} at once. */
    Messages messageEach(Fleet f, int size, int maxOutstanding) throws Exception {
        return await(new EachOnce(f, size, maxOutstanding).begin(), PHASE_GRACE_MILLIS + f.connections.size(),
                "a message on each connection");
    }

    private final class EachOnce extends MessagePhase {
        final int maxOutstanding;
        int next;

        EachOnce(Fleet f, int size, int maxOutstanding) {
            super(f, size);
            this.maxOutstanding = maxOutstanding;
        }

        @Override
        void started() {
            pump();
        }

        void pump() {
            while (outstanding < maxOutstanding && next < f.connections.size()) {
                LoadConnection c = f.connections.get(next++);
                if (c.isEstablished()) {
                    send(c);
                }
            }
            if (next == f.connections.size()) {
                running = false;
                finishIfDrained();
            }
        }

        @Override
        void afterEcho(LoadConnection c) {
            pump();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS + 1_000);
    }
}
