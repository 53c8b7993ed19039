package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over a real loopback socket: a peer still sending when our fatal alert goes out receives the alert and then an
 * orderly end of stream, not a connection reset that can destroy the alert (the server half-closes and drops
 * what follows for a bounded time instead of closing at once).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FatalAlertDeliveryTest {

    static final ExternalPsk PSK = ExternalPsk.of("alert-delivery", WireTap.pattern(32, 51), HashAlgorithm.SHA256);

    @Test
    void peerThatKeepsSendingAfterOurFatalAlertStillReadsItThenEndOfStream() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            PskTlsContext context = PskTlsContext.forServer(PSK).build();
            java.util.concurrent.BlockingQueue<Channel> accepted = new java.util.concurrent.LinkedBlockingQueue<>();
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.add(ch);
                            ch.pipeline().addLast(context.newHandler(ch.alloc()));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket socket = new Socket()) {
                socket.connect(server.localAddress(), 5000);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                // A record of a content type that does not exist: unexpected_message (RFC 8446 section 5).
                out.write(new byte[] {99, 3, 3, 0, 2, 1, 2});
                out.flush();
                Thread.sleep(300); // the server has answered (and, without lingering, closed)
                byte[] more = new byte[64 * 1024];
                for (int i = 0; i < 4; i++) { // the rest of a flight arriving after the alert went out
                    out.write(more, 0, 4096);
                    out.flush();
                }
                Thread.sleep(300);
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                byte[] buf = new byte[256];
                for (int n; (n = in.read(buf)) != -1; ) {
                    received.write(buf, 0, n);
                }
                assertArrayEquals(HostileWire.alertRecord(2, AlertDescription.UNEXPECTED_MESSAGE.code()),
                        received.toByteArray(), "the fatal alert, then end of stream");
                // The peer keeps its side open and says nothing more: the server still closes, within the linger
                // bound (measured from the alert; generous for a loaded machine).
                Channel child = accepted.poll(5, TimeUnit.SECONDS);
                assertTrue(child.closeFuture().await(PskHandshakeHandler.LINGER_AFTER_FATAL_ALERT_MILLIS + 4000),
                        "the server closed its side although the peer did not");
            }
            assertEquals(1, context.stats().handshakesFailed());
        } finally {
            assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        }
    }
}
