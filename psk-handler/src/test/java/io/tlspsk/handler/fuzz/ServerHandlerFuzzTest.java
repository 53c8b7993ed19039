package io.tlspsk.handler.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.fuzz.Chunks;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Timeout;

/**
 * A server {@link PskHandshakeHandler} in an {@link EmbeddedChannel} fed arbitrary client bytes. Contract per input:
 * unless the handshake completed, no message and no exception reached the end of the pipeline, and the channel is
 * either still open with the handshake not failed, or closed with a failed handshake future whose cause is a {@link PskAlertException}
 * (or the handler's {@link SSLException} for a close during the handshake); the server never answers hostile input
 * with internal_error (that is how a RuntimeException inside the handler surfaces); every buffer handed in ends with
 * a reference count of 0.
 *
 * <p>Input: one chunking byte (see {@link Chunks}), then the client's byte stream.
 *
 * <p>Per-input hang timeout: in fuzzing mode Jazzer 0.30.0 hands a JUnit {@link Timeout} (the method's, else the
 * class's) to libFuzzer as {@code -timeout=<seconds>}, so an input that runs longer than 10 s is reported as a
 * timeout finding and saved like a crash (every input here takes milliseconds). In regression mode JUnit applies it
 * to each seed. The root pom's {@code jazzer-fuzzing} profile (active when {@code JAZZER_FUZZ} is set) turns JUnit's
 * own timeouts off while fuzzing, since to JUnit the whole fuzzing run is one invocation.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ServerHandlerFuzzTest {

    private static final PskTlsContext SERVER = PskTlsContext.forServer(FuzzClientHello.psk()).build();
    private static final byte[] VALID_HELLO_RECORD = FuzzClientHello.handshakeRecord(FuzzClientHello.tls13Message());

    /** Arbitrary bytes from the first byte on. */
    @FuzzTest(maxDuration = "60s")
    void serverFromStart(byte[] input) {
        run(null, input);
    }

    /**
     * A valid ClientHello first (the server answers with its flight and installs handshake keys), then the fuzzer's
     * bytes: reaches the encrypted-record and client-Finished states.
     */
    @FuzzTest(maxDuration = "60s")
    void serverAfterValidClientHello(byte[] input) {
        run(VALID_HELLO_RECORD, input);
    }

    private static void run(byte[] prefix, byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Tail tail = new Tail();
        ch.pipeline().addLast(SERVER.newHandler(ch.alloc()), tail);
        PskHandshakeHandler handler = ch.pipeline().get(PskHandshakeHandler.class);
        List<ByteBuf> given = new ArrayList<>();
        try {
            if (prefix != null) {
                deliver(ch, Unpooled.copiedBuffer(prefix), given);
                assertTrue(ch.isOpen(), () -> "valid ClientHello rejected: " + handler.handshakeFuture().cause());
                assertFalse(handler.handshakeFuture().isDone(), "handshake done after the ClientHello alone");
            }
            for (byte[] chunk : Chunks.split(input)) {
                if (!ch.isOpen()) {
                    break; // a closed EmbeddedChannel refuses inbound data
                }
                deliver(ch, Unpooled.copiedBuffer(chunk), given);
            }
            ch.runPendingTasks();
            checkContract(ch, handler.handshakeFuture(), tail);
        } finally {
            ch.finishAndReleaseAll();
            tail.releaseAll();
        }
        checkFailureCause(handler.handshakeFuture());
        assertTrue(tail.exceptions.isEmpty() || handler.handshakeFuture().isSuccess(),
                () -> "exception reached the pipeline end: " + tail.exceptions);
        for (ByteBuf b : given) {
            assertEquals(0, b.refCnt(), "inbound buffer leaked");
        }
    }

    private static void deliver(EmbeddedChannel ch, ByteBuf buf, List<ByteBuf> given) {
        given.add(buf);
        ch.writeInbound(buf);
        ch.runPendingTasks();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    private static void checkContract(EmbeddedChannel ch, Future<PskTlsSession> f, Tail tail) {
        if (f.isSuccess()) {
            // Not reachable without the client's Finished MAC; if it ever is, only alerts may reach the tail.
            for (Throwable t : tail.exceptions) {
                if (!(t instanceof PskAlertException)) {
                    throw new AssertionError("unexpected exception after a completed handshake", t);
                }
            }
            return;
        }
        // The README's promise: without a completed handshake no plaintext reaches the application.
        if (!tail.messages.isEmpty()) {
            throw new AssertionError(tail.messages.size() + " message(s) reached the pipeline end without a "
                    + "completed handshake, the first: " + tail.messages.get(0));
        }
        if (ch.isOpen()) {
            assertFalse(f.isDone(), () -> "handshake failed but channel left open: " + f.cause());
            if (!tail.exceptions.isEmpty()) {
                throw new AssertionError("exception reached the pipeline end of an open channel",
                        tail.exceptions.get(0));
            }
        } else {
            assertTrue(f.isDone(), "channel closed but handshake future not done");
            checkFailureCause(f);
            if (!tail.exceptions.isEmpty()) {
                throw new AssertionError("exception reached the pipeline end during the handshake",
                        tail.exceptions.get(0));
            }
        }
    }

    private static void checkFailureCause(Future<PskTlsSession> f) {
        if (!f.isDone() || f.isSuccess()) {
            return;
        }
        Throwable cause = f.cause();
        if (cause instanceof PskAlertException) {
            PskAlertException e = (PskAlertException) cause;
            if (!e.isReceived() && e.description() == AlertDescription.INTERNAL_ERROR) {
                throw new AssertionError("server sent internal_error: an unexpected exception in the handler", e);
            }
        } else if (!(cause instanceof SSLException)) {
            fail("handshake failed with an unexpected exception type", cause);
        }
    }

    /** The end of the pipeline: what the handler lets through. */
    @ChannelHandler.Sharable
    static final class Tail extends ChannelInboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        void releaseAll() {
            messages.forEach(ReferenceCountUtil::release);
            messages.clear();
        }
    }
}
