package io.tlspsk.interop;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A few MQTT 3.1.1 control packets (OASIS MQTT 3.1.1, section 3), written and read byte by byte over our TLS-PSK
 * client: just enough to connect to a broker, subscribe, publish at QoS 0 and disconnect. No MQTT library: the point
 * is that real application bytes cross a real broker's TLS session.
 */
final class MqttOverTls implements AutoCloseable {

    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int SUBACK = 9;

    private final EventLoopGroup group;
    private final Channel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int consumed;
    private volatile Future<PskTlsSession> handshake;

    private MqttOverTls(PskTlsContext tls, int port) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        PskHandshakeHandler handler = tls.newHandler(ch.alloc());
                        handshake = handler.handshakeFuture();
                        ch.pipeline().addLast(handler, new Collector());
                    }
                });
        ChannelFuture connect = b.connect("127.0.0.1", port);
        if (!connect.await(10, TimeUnit.SECONDS) || !connect.isSuccess()) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            throw new AssertionError("could not connect to 127.0.0.1:" + port, connect.cause());
        }
        channel = connect.channel();
    }

    static MqttOverTls connect(PskTlsContext tls, int port) throws InterruptedException {
        return new MqttOverTls(tls, port);
    }

    PskTlsSession awaitHandshake(Duration timeout, PeerProcess broker) throws InterruptedException {
        Future<PskTlsSession> f = handshake;
        if (!f.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("handshake did not end within " + timeout + "; broker output:\n"
                    + broker.output());
        }
        if (!f.isSuccess()) {
            throw new AssertionError("handshake failed; broker output:\n" + broker.output(), f.cause());
        }
        return f.getNow();
    }

    void send(byte[] packet) {
        channel.writeAndFlush(channel.alloc().buffer(packet.length).writeBytes(packet)); // the pipeline owns it
    }

    /** The next whole control packet the broker sent (fixed header included), waiting at most {@code timeout}. */
    byte[] awaitPacket(Duration timeout, PeerProcess broker) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                byte[] all = received.toByteArray();
                int length = packetLength(all, consumed);
                if (length > 0) {
                    byte[] packet = Arrays.copyOfRange(all, consumed, consumed + length);
                    consumed += length;
                    return packet;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !channel.isActive() && length == 0) {
                    throw new AssertionError("no whole MQTT packet within " + timeout + " (" + (all.length - consumed)
                            + " bytes pending, channel " + (channel.isActive() ? "open" : "closed")
                            + "); broker output:\n" + broker.output());
                }
                received.wait(Math.min(left, 100));
            }
        }
    }

    /** Length of the whole packet starting at {@code from}, or 0 while it is incomplete. */
    private static int packetLength(byte[] data, int from) {
        int multiplier = 1;
        int remaining = 0;
        for (int i = from + 1; i < data.length && i < from + 5; i++) {
            remaining += (data[i] & 0x7f) * multiplier;
            multiplier *= 128;
            if ((data[i] & 0x80) == 0) {
                int total = (i - from + 1) + remaining;
                return data.length - from >= total ? total : 0;
            }
        }
        return 0;
    }

    /** Control packet type (the fixed header's high nibble). */
    static int type(byte[] packet) {
        return (packet[0] & 0xff) >>> 4;
    }

    // ---- packets (MQTT 3.1.1 section 3) ----

    /** CONNECT, protocol level 4, clean session, keep alive 60 s, no user name (the broker takes the PSK identity). */
    static byte[] connectPacket(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, "MQTT".getBytes(StandardCharsets.US_ASCII));
        v.write(4); // protocol level 3.1.1
        v.write(0x02); // connect flags: clean session
        v.write(0);
        v.write(60); // keep alive
        writeString(v, id);
        return packet(0x10, v.toByteArray());
    }

    /** SUBSCRIBE for one topic filter at QoS 0 (its fixed header flags are 0010, section 3.8.1). */
    static byte[] subscribePacket(int packetId, String topic) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(packetId >>> 8);
        v.write(packetId);
        writeString(v, topic.getBytes(StandardCharsets.UTF_8));
        v.write(0); // requested QoS
        return packet(0x82, v.toByteArray());
    }

    /** PUBLISH at QoS 0: topic name, then the payload; no packet identifier. */
    static byte[] publishPacket(String topic, byte[] payload) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        writeString(v, topic.getBytes(StandardCharsets.UTF_8));
        v.writeBytes(payload);
        return packet(0x30, v.toByteArray());
    }

    static byte[] disconnectPacket() {
        return new byte[] {(byte) 0xe0, 0};
    }

    /** A QoS 0 PUBLISH's topic and payload, split at the topic's length prefix. */
    static String[] topicAndPayload(byte[] publish) {
        int i = 1;
        while ((publish[i] & 0x80) != 0) {
            i++;
        }
        i++;
        int topicLength = ((publish[i] & 0xff) << 8) | (publish[i + 1] & 0xff);
        String topic = new String(publish, i + 2, topicLength, StandardCharsets.UTF_8);
        String payload = new String(publish, i + 2 + topicLength, publish.length - i - 2 - topicLength,
                StandardCharsets.UTF_8);
        return new String[] {topic, payload};
    }

    private static void writeString(ByteArrayOutputStream out, byte[] s) {
        out.write(s.length >>> 8);
        out.write(s.length);
        out.writeBytes(s);
    }

    /** Fixed header (type and flags, remaining length as the variable-length integer of section 2.2.3), then body. */
    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int remaining = body.length;
        do {
            int digit = remaining % 128;
            remaining /= 128;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Collector extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    ByteBuf buf = (ByteBuf) msg;
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    synchronized (received) {
                        received.writeBytes(bytes);
                        received.notifyAll();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            synchronized (received) {
                received.notifyAll();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the handshake future carries TLS failures; anything else ends the connection
        }
    }
}
