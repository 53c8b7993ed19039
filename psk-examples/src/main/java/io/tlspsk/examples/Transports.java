package io.tlspsk.examples;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** The socket transport: native epoll when {@link Epoll#isAvailable()}, NIO otherwise. */
final class Transports {

    /** How long shutting an event loop group down may take. */
    static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

    private final boolean epoll;

    private Transports(boolean epoll) {
        this.epoll = epoll;
    }

    /** Epoll where the native library loads, else NIO. */
    static Transports best() {
        return new Transports(Epoll.isAvailable());
    }

    /** NIO, available everywhere. */
    static Transports nio() {
        return new Transports(false);
    }

    String name() {
        return epoll ? "epoll" : "nio";
    }

    EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
    }

    /** As {@link #newGroup(int)}, its threads made by {@code threadFactory}. */
    EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory());
    }

    private IoHandlerFactory ioHandlerFactory() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends SocketChannel> channel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Shuts {@code group} down without a quiet period and waits, bounded, for it to finish. */
    static void shutdown(EventLoopGroup group) {
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MILLIS + 1_000);
    }
}
