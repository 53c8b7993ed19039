package io.tlspsk.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Vector;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * BouncyCastle's TLS 1.3 external-PSK client or server in non-blocking mode, wrapped the way a Netty user wraps
 * it: inbound ByteBufs are copied to a byte[] for {@code offerInput}, what {@code readInput} and
 * {@code readOutput} produce is copied to fresh arrays and wrapped in ByteBufs. psk_dhe_ke with x25519 (the only
 * mode BouncyCastle's TLS 1.3 server takes).
 */
final class BcTlsHandler extends ChannelDuplexHandler {

    /** What both sides share: the crypto object, the suite and the PSK. */
    static final class Config {
        final TlsCrypto crypto;
        final int suite;
        final byte[] identity;
        final byte[] secret;

        Config(boolean jca, int suite, byte[] identity, byte[] secret) {
            SecureRandom random = new SecureRandom();
            this.crypto = jca ? new JcaTlsCryptoProvider().create(random) : new BcTlsCrypto(random);
            this.suite = suite;
            this.identity = identity.clone();
            this.secret = secret.clone();
        }
    }

    private final boolean client;
    private final TlsProtocol protocol;
    private final Peer peer;
    private final Promise<Void> handshake = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
    private boolean started;

    BcTlsHandler(Config config, boolean client) {
        this.client = client;
        if (client) {
            protocol = new TlsClientProtocol(); // no streams: non-blocking mode
            peer = new ClientPeer(config);
        } else {
            protocol = new TlsServerProtocol();
            peer = new ServerPeer(config);
        }
    }

    Future<Void> handshakeFuture() {
        return handshake;
    }

    String negotiated() {
        int suite = peer.suite();
        if (suite < 0) {
            return "nothing";
        }
        String name = suite == CipherSuite.TLS_AES_128_GCM_SHA256 ? "TLS_AES_128_GCM_SHA256"
                : suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256 ? "TLS_CHACHA20_POLY1305_SHA256"
                : "0x" + Integer.toHexString(suite);
        return "TLSv1.3 " + name;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        try {
            if (client) {
                ((TlsClientProtocol) protocol).connect((ClientPeer) peer);
            } else {
                ((TlsServerProtocol) protocol).accept((ServerPeer) peer);
            }
            writeOutput(ctx, ctx.voidPromise());
            ctx.flush();
        } catch (IOException e) {
            fail(ctx, e);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        byte[] in;
        try {
            in = ByteBufUtil.getBytes((ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        try {
            protocol.offerInput(in);
        } catch (IOException e) {
            fail(ctx, e);
            return;
        }
        boolean handshakeDone = peer.handshakeComplete() && !handshake.isDone();
        if (writeOutput(ctx, ctx.voidPromise())) {
            ctx.flush();
        }
        if (handshakeDone) {
            handshake.trySuccess(null);
        }
        int available = protocol.getAvailableInputBytes();
        if (available > 0) {
            byte[] plain = new byte[available];
            protocol.readInput(plain, 0, available);
            ctx.fireChannelRead(Unpooled.wrappedBuffer(plain));
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        byte[] data;
        try {
            data = ByteBufUtil.getBytes((ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        try {
            protocol.writeApplicationData(data, 0, data.length);
        } catch (IOException | IllegalStateException e) {
            promise.tryFailure(e);
            return;
        }
        if (!writeOutput(ctx, promise)) {
            promise.trySuccess();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!handshake.isDone()) {
            handshake.tryFailure(new IOException("closed during the handshake"));
        }
        try {
            if (!protocol.isClosed()) {
                protocol.close(); // queues close_notify
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        writeOutput(ctx, ctx.voidPromise());
        ctx.flush();
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!handshake.isDone()) {
            handshake.tryFailure(new IOException("connection closed during the handshake"));
        }
        ctx.fireChannelInactive();
    }

    /** Writes what the protocol has queued for the peer; true when there was something. */
    private boolean writeOutput(ChannelHandlerContext ctx, ChannelPromise promise) {
        int n = protocol.getAvailableOutputBytes();
        if (n == 0) {
            return false;
        }
        byte[] out = new byte[n];
        protocol.readOutput(out, 0, n);
        ctx.write(Unpooled.wrappedBuffer(out), promise);
        return true;
    }

    private void fail(ChannelHandlerContext ctx, IOException e) {
        writeOutput(ctx, ctx.voidPromise()); // the alert, if any
        handshake.tryFailure(e);
        ctx.flush();
        ctx.close();
    }

    /** The side-specific part of a peer, seen by the handler. */
    private interface Peer {
        boolean handshakeComplete();

        int suite();
    }

    private static final class ClientPeer extends AbstractTlsClient implements Peer {
        private final Config config;
        private boolean complete;

        ClientPeer(Config config) {
            super(config.crypto);
            this.config = config;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), new int[] {config.suite});
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        protected Vector getSupportedGroups(Vector namedGroupRoles) {
            Vector groups = new Vector(1);
            groups.add(NamedGroup.x25519);
            return groups;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Vector getExternalPSKs() {
            return TlsUtils.vectorOfOne(new BasicTlsPSKExternal(config.identity,
                    getCrypto().createSecret(config.secret), PRFAlgorithm.tls13_hkdf_sha256));
        }

        @Override
        public void notifySelectedPSK(TlsPSK selectedPSK) throws IOException {
            if (selectedPSK == null) {
                throw new TlsFatalAlert(AlertDescription.handshake_failure);
            }
        }

        @Override
        public TlsAuthentication getAuthentication() throws IOException {
            throw new TlsFatalAlert(AlertDescription.internal_error); // PSK only: never asked
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            complete = true;
        }

        @Override
        public boolean handshakeComplete() {
            return complete;
        }

        @Override
        public int suite() {
            return complete ? context.getSecurityParametersConnection().getCipherSuite() : -1;
        }
    }

    private static final class ServerPeer extends AbstractTlsServer implements Peer {
        private final Config config;
        private boolean complete;

        ServerPeer(Config config) {
            super(config.crypto);
            this.config = config;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            return TlsUtils.getSupportedCipherSuites(getCrypto(), new int[] {config.suite});
        }

        @Override
        public TlsCredentials getCredentials() {
            return null; // PSK only: no certificate
        }

        @Override
        public TlsPSKExternal getExternalPSK(@SuppressWarnings("rawtypes") Vector identities) {
            for (Object o : identities) {
                if (Arrays.equals(((PskIdentity) o).getIdentity(), config.identity)) {
                    return new BasicTlsPSKExternal(config.identity, getCrypto().createSecret(config.secret),
                            PRFAlgorithm.tls13_hkdf_sha256);
                }
            }
            return null;
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            complete = true;
        }

        @Override
        public boolean handshakeComplete() {
            return complete;
        }

        @Override
        public int suite() {
            return complete ? context.getSecurityParametersConnection().getCipherSuite() : -1;
        }
    }
}
