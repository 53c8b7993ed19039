package io.tlspsk.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskTlsContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What the hostile connections of one {@code psk-tool load} run use, made once per run: client contexts that
 * offer the first {@code --psk} identity with a random key (wrong key) and an identity no one has (unknown
 * identity), both with every other client option unchanged; and one real ClientHello, made with the honest client
 * context, that abort connections send whole and slowloris connections send half of. The random keys are never
 * printed; {@link #close()} destroys them.
 */
final class HostilePeer implements AutoCloseable {

    private static final int RANDOM_KEY_BYTES = 32;

    private final HostilePlan plan;
    private final ExternalPsk wrongKey;
    private final ExternalPsk unknownIdentity;
    private final PskTlsContext wrongKeyContext;
    private final PskTlsContext unknownIdentityContext;
    private final byte[] clientHello;
    private final byte[] halfClientHello;

    private HostilePeer(HostilePlan plan, ExternalPsk wrongKey, ExternalPsk unknownIdentity,
                        PskTlsContext wrongKeyContext, PskTlsContext unknownIdentityContext, byte[] clientHello) {
        this.plan = plan;
        this.wrongKey = wrongKey;
        this.unknownIdentity = unknownIdentity;
        this.wrongKeyContext = wrongKeyContext;
        this.unknownIdentityContext = unknownIdentityContext;
        this.clientHello = clientHello;
        // Past the record header, short of the record's end: the server must wait for the rest, which never comes.
        this.halfClientHello = Arrays.copyOf(clientHello, Math.max(6, clientHello.length / 2));
    }

    /**
     * Makes the keys, contexts and ClientHello for {@code plan}'s hostile connections: the wrong key offers
     * {@code first}'s identity, and {@code honest} (the context offering {@code first}) makes the ClientHello.
     */
    static HostilePeer prepare(HostilePlan plan, ExternalPsk first, LoadTest.Contexts contexts, PskTlsContext honest)
            throws UsageException {
        SecureRandom random = new SecureRandom();
        ExternalPsk wrongKey = randomKey(random, first.identity(), first);
        byte[] nobody = new byte[8];
        random.nextBytes(nobody);
        ExternalPsk unknown = randomKey(random,
                ("psk-tool-load-unknown-" + HexFormat.of().formatHex(nobody)).getBytes(StandardCharsets.UTF_8), first);
        try {
            return new HostilePeer(plan, wrongKey, unknown, contexts.offering(wrongKey), contexts.offering(unknown),
                    clientHello(honest));
        } catch (UsageException | RuntimeException e) {
            wrongKey.destroy();
            unknown.destroy();
            throw e;
        }
    }

    private static ExternalPsk randomKey(SecureRandom random, byte[] identity, ExternalPsk like) {
        byte[] secret = new byte[RANDOM_KEY_BYTES];
        try {
            random.nextBytes(secret);
            return ExternalPsk.of(identity, secret, like.hash());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * The first flight {@code tls} sends, a ClientHello record, taken from a handshake handler in an
     * {@link EmbeddedChannel} that is closed right after: no network involved.
     */
    static byte[] clientHello(PskTlsContext tls) {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            ch.runPendingTasks();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (Object msg = ch.readOutbound(); msg != null; msg = ch.readOutbound()) {
                ByteBuf buf = (ByteBuf) msg;
                try {
                    byte[] b = new byte[buf.readableBytes()];
                    buf.readBytes(b);
                    bytes.writeBytes(b);
                } finally {
                    buf.release();
                }
            }
            byte[] hello = bytes.toByteArray();
            if (hello.length < 10 || hello[0] != ContentType.HANDSHAKE || hello[5] != 1) {
                throw new IllegalStateException("the client context did not start with a ClientHello record");
            }
            return hello;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** What a raw kind sends for connection {@code index}; {@code null} for a handshake kind. */
    byte[] payload(HostileKind kind, int index) {
        switch (kind) {
            case GARBAGE: return plan.garbage(index);
            case ABORT: return clientHello;
            case SLOWLORIS: return halfClientHello;
            default: return null;
        }
    }

    /** Adds {@code c}'s handlers to {@code ch}: behind a client handshake handler for the handshake kinds. */
    void addHandlers(Channel ch, HostileKind kind, HostileConnection c) {
        PskTlsContext tls = kind == HostileKind.WRONG_KEY ? wrongKeyContext
                : kind == HostileKind.UNKNOWN_IDENTITY ? unknownIdentityContext : null;
        if (tls == null) {
            ch.pipeline().addLast(c);
            return;
        }
        PskHandshakeHandler handler = tls.newHandler(ch.alloc());
        ch.pipeline().addLast(handler, c);
        handler.handshakeFuture().addListener(f -> c.handshakeEnded(ch, f.isSuccess() ? null : f.cause()));
    }

    @Override
    public void close() {
        wrongKey.destroy();
        unknownIdentity.destroy();
    }
}
