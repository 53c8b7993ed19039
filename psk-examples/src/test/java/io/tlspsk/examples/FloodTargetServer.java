package io.tlspsk.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskTlsContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The psk-tool echo server's handlers ({@link EchoServer.Echo} after the TLS handler) in a JVM of its own, for
 * {@link FloodTest}, set up as a gateway that holds many connections would be: one event loop thread (so a
 * connection that hogs it delays everyone), and a small socket send buffer ({@value #SOCKET_BUFFER_BYTES} bytes),
 * so that what a peer does not read waits in this process's queues rather than in the kernel. (The receive buffer
 * keeps the kernel's default: a tiny one makes loopback TCP crawl through retransmission timeouts.) Started with
 * a small heap, it prints
 * {@code listening PORT} and then answers one line per command read on stdin, so the test can ask it what it holds.
 * Each command carries a token the answer repeats, so that the test finds the answer to this question:
 *
 * <ul>
 *   <li>{@code memory T}: {@code memory T heap=H direct=D}: the used heap after a full GC, and the direct memory
 *       Netty's allocator holds (where sealed records wait to be written), in bytes;</li>
 *   <li>{@code stats T}: {@code stats T ...}: the context's {@code PskTlsStats};</li>
 *   <li>end of input: stops.</li>
 * </ul>
 *
 * <p>Arguments: the hex key of identity {@code dev-1}, then the largest handshake message accepted.
 */
public final class FloodTargetServer {

    static final int SOCKET_BUFFER_BYTES = 8192;

    private FloodTargetServer() {
    }

    public static void main(String[] args) throws Exception {
        ExternalPsk psk = ExternalPsk.of("dev-1", HexFormat.of().parseHex(args[0]), HashAlgorithm.SHA256);
        PskTlsContext tls = PskTlsContext.forServer(psk).maxHandshakeMessageSize(Integer.parseInt(args[1])).build();
        Transports transports = Transports.best();
        EventLoopGroup group = transports.newGroup(1);
        try {
            EchoServer.Echo echo = new EchoServer.Echo(line -> { }, new ServerStats(tls, () -> 0));
            Channel server = new ServerBootstrap().group(group).channel(transports.serverChannel())
                    .childOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()), echo);
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            System.out.println("listening " + ((InetSocketAddress) server.localAddress()).getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] command = line.split(" ", 2);
                String token = command.length > 1 ? command[1] : "";
                switch (command[0]) {
                    case "memory":
                        System.out.println("memory " + token + " heap=" + usedHeapAfterGc()
                                + " direct=" + nettyDirectMemory());
                        break;
                    case "stats":
                        System.out.println("stats " + token + " " + tls.stats());
                        break;
                    default:
                        System.out.println("unknown command " + line);
                }
            }
        } finally {
            Transports.shutdown(group);
        }
    }

    /** Serial GC (the test starts this JVM with it): System.gc() is a full, compacting collection. */
    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long nettyDirectMemory() {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        if (alloc instanceof ByteBufAllocatorMetricProvider) {
            ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) alloc).metric();
            return m.usedDirectMemory();
        }
        return -1;
    }
}
