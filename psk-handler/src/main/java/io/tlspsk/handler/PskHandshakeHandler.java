package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.PskTlsCodec;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.codec.handshake.HandshakeReassembler;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.SimpleMessages;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.record.RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import io.tlspsk.codec.tls12.Tls12Messages;
import io.tlspsk.handler.store.PskIdentity;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The per-channel TLS-PSK handler. Add it with {@link PskTlsContext#newHandler(ByteBufAllocator)}; it places the
 * record codec and the record layer in front of itself, runs the handshake (server or client, chosen by the
 * context), and then passes plaintext {@link ByteBuf}s between the network and the handlers after it.
 *
 * <p>Like Netty's SslHandler: {@link #handshakeFuture()}, a {@link PskHandshakeCompletionEvent}, writes made
 * before the handshake are queued and sent after it, close() sends close_notify, a {@link PskCloseNotifyEvent}
 * when the peer's close_notify arrives, and a handshake timeout.
 *
 * <p>The handler stays in the pipeline after the handshake: it swaps its handshake state for a thin
 * established state that passes data through and handles post-handshake messages (KeyUpdate,
 * NewSessionTicket) and alerts, so the handshake's secrets and buffers are freed as soon as it completes.
 *
 * <p>Idle connections: a TLS 1.3 connection makes its cipher objects on the first application record, not at the
 * end of the handshake, and drops them again on {@link #releaseIdleResources()} or when an
 * {@link IdleStateEvent} from an {@link io.netty.handler.timeout.IdleStateHandler} placed before this handler
 * passes through (reader idle: the read cipher; writer idle: the write cipher; all idle: both). A gateway with
 * many quiet devices then holds key bytes per connection, not ciphers; the next record makes the cipher again.
 */
public final class PskHandshakeHandler extends ChannelDuplexHandler {

    private static final long CLOSE_NOTIFY_FLUSH_TIMEOUT_MILLIS = 3000;
    /** Most time a connection reads and drops what the peer still sends after our fatal alert. */
    static final long LINGER_AFTER_FATAL_ALERT_MILLIS = 1000;
    /**
     * Most 0-RTT bytes (protected record lengths) a server skips when a client sends early data, which it never
     * accepts; more is unexpected_message (RFC 8446 section 4.6.1), counted in {@link PskTlsStats#earlyDataOverflows()}.
     */
    static final int EARLY_DATA_SKIP_LIMIT = 64 * 1024;

    private final PskTlsContext context;
    private final HandshakePromise handshakePromise = new HandshakePromise();
    private ChannelHandlerContext ctx;
    private PskTlsCodec codec;
    private TlsRecordLayer recordLayer;
    private HandshakeReassembler reassembler;
    private PendingWriteQueue pendingWrites;
    private Handshake handshake;
    private PskTlsSession session;
    private ScheduledFuture<?> timeout;
    private boolean started;
    private boolean finished;      // no more records will be processed (failed, or closing)
    private boolean closeNotifySent;
    private ChannelFuture alertInFlight;
    private boolean closingAfterFatalAlert;
    private ChannelPromise lingerClose;
    private boolean tls12;
    private final FloodGuard floodGuard;
    /** Why reading from the peer is held off now: a bit per reason ({@link #HOLD_FOR_LOOKUP}, ...); 0 when reading. */
    private int readHolds;
    /** The channel's autoRead when the first hold began, given back when the last one ends. */
    private boolean autoReadBeforeHold;
    /** A read() that the application asked for while reading was held off, passed on when the hold ends. */
    private boolean readRequestedDuringHold;

    /** Reading is held off while a PSK lookup is pending: what arrives cannot be decrypted before it answers. */
    private static final int HOLD_FOR_LOOKUP = 1;
    /** Reading is held off while the channel is not writable: see {@link #channelWritabilityChanged}. */
    private static final int HOLD_WHILE_UNWRITABLE = 2;

    PskHandshakeHandler(PskTlsContext context, ByteBufAllocator alloc) {
        this.context = context;
        this.floodGuard = new FloodGuard(context);
    }

    /** Completes with the negotiated session when the handshake succeeds, or fails with its cause. */
    public Future<PskTlsSession> handshakeFuture() {
        return handshakePromise;
    }

    /** The negotiated session, or {@code null} before the handshake completed. */
    public PskTlsSession session() {
        return session;
    }

    /** True on the client side. */
    public boolean isClient() {
        return context.client;
    }

    /**
     * Drops what an established, quiet connection can make again when data flows: the TLS 1.3 cipher objects
     * (about 1 KB each on the JDK; the key bytes are kept) and empty queues. Safe at any time from any thread (it
     * runs on the channel's event loop); it changes nothing on the wire. Does nothing before the handshake
     * completed, after close, or for TLS 1.2 connections' ciphers.
     */
    public void releaseIdleResources() {
        if (ctx.executor().inEventLoop()) {
            releaseIdle(true, true);
        } else {
            ctx.executor().execute(() -> releaseIdle(true, true));
        }
    }

    /** Tests: the record layer. */
    TlsRecordLayer recordLayer() {
        return recordLayer;
    }

    private void releaseIdle(boolean read, boolean write) {
        if (session != null && !finished) {
            recordLayer.releaseIdleResources(read, write);
        }
    }

    /** An IdleStateHandler's event releases the idle direction's cipher (see the class comment), then goes on. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            IdleState state = ((IdleStateEvent) evt).state();
            releaseIdle(state != IdleState.WRITER_IDLE, state != IdleState.READER_IDLE);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Sends a KeyUpdate and moves to the next write key (RFC 8446 section 4.6.3); with {@code requestPeerUpdate}
     * the peer is asked to update its keys too. Only after the handshake.
     */
    public ChannelFuture updateKeys(boolean requestPeerUpdate) {
        ChannelPromise promise = ctx.newPromise();
        ctx.executor().execute(() -> {
            if (session == null || finished) {
                promise.setFailure(new IllegalStateException("KeyUpdate needs an established connection"));
                return;
            }
            if (tls12) {
                promise.setFailure(new IllegalStateException("KeyUpdate exists only in TLS 1.3"));
                return;
            }
            try {
                ctx.flush(); // data queued so far goes out under the old key
                recordLayer.sendKeyUpdate(requestPeerUpdate, promise);
                ctx.flush();
            } catch (TlsAlertException e) {
                promise.tryFailure(e);
                fatal(e);
            } catch (RuntimeException e) {
                promise.tryFailure(e);
            }
        });
        return promise;
    }

    // ---- lifecycle ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.recordLayer = new TlsRecordLayer(context.maxBytesHeldDuringLookup);
        this.reassembler = new HandshakeReassembler(ctx.alloc(), context.maxHandshakeMessageSize);
        this.pendingWrites = new PendingWriteQueue(ctx);
        this.codec = new PskTlsCodec();
        ctx.pipeline().addBefore(ctx.name(), null, codec);
        ctx.pipeline().addBefore(ctx.name(), null, recordLayer);
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        if (context.handshakeTimeoutMillis > 0) {
            timeout = ctx.executor().schedule(this::onTimeout, context.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        }
        handshake = context.client ? new ClientHandshake(this) : new ServerHandshake(this);
        try {
            handshake.start();
        } catch (TlsAlertException e) {
            fatal(e);
        } catch (RuntimeException e) {
            fatal(new TlsAlertException(AlertDescription.INTERNAL_ERROR, "handshake could not start", e));
        }
    }

    private void onTimeout() {
        if (session != null || finished) {
            return;
        }
        context.handshakeTimeouts.increment();
        PskHandshakeTimeoutException cause = new PskHandshakeTimeoutException(
                "handshake did not complete within " + context.handshakeTimeoutMillis + " ms");
        finished = true;
        if (!ctx.channel().isActive() || closeNotifySent) {
            failHandshake(cause);
            ctx.close();
            return;
        }
        if (pendingWrites != null && !pendingWrites.isEmpty()) {
            pendingWrites.removeAndFailAll(cause); // queued writes fail with the reason, not a closed channel
        }
        // RFC 8446 section 6.1 (RFC 5246 section 7.2.1 alike): user_canceled says the handshake is cancelled "for
        // some reason unrelated to a protocol failure", and is followed by close_notify. Under the write keys once
        // there are some; closed when flushed, or after a short wait for a peer that does not read. Both alerts are
        // written before the failure is reported, as in fatal(): a listener that closes the channel on the failure
        // event (psk-tool's echo server does) then waits for them instead of cutting them off. The handshake fails
        // before this handler closes, so that the close is not reported as the cause.
        writeAlertRecord(AlertDescription.USER_CANCELED, ALERT_WARNING);
        ChannelFuture closeNotify = sendCloseNotify();
        failHandshake(cause);
        closeWhenFlushed(closeNotify, ctx.newPromise(), false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session == null && !handshakePromise.isDone()) {
            failHandshake(new SSLException("connection closed during the TLS handshake",
                    new ClosedChannelException()));
        }
        finished = true;
        releaseAll(null);
        if (lingerClose != null) {
            closeOnce(lingerClose); // the peer closed while we lingered after a fatal alert
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!handshakePromise.isDone()) {
            failHandshake(new SSLException("PskHandshakeHandler removed before the handshake completed"));
        }
        finished = true;
        releaseAll(null);
        if (readHolds != 0) {
            readHolds = 0; // no one is left to end the hold: reading goes back to what it was
            if (autoReadBeforeHold) {
                ctx.channel().config().setAutoRead(true);
            }
        }
        // The record codec and layer were added by this handler and make no sense without it.
        if (ctx.pipeline().context(recordLayer) != null) {
            ctx.pipeline().remove(recordLayer);
        }
        if (ctx.pipeline().context(codec) != null) {
            ctx.pipeline().remove(codec);
        }
    }

    /** Frees everything; {@code cause}, or a ClosedChannelException made only when needed, fails queued writes. */
    private void releaseAll(Throwable cause) {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        if (handshake != null) {
            handshake.destroy();
            handshake = null;
        }
        if (reassembler != null) {
            reassembler.release();
        }
        if (pendingWrites != null && !pendingWrites.isEmpty()) {
            pendingWrites.removeAndFailAll(cause != null ? cause : new ClosedChannelException());
        }
        if (recordLayer != null) {
            recordLayer.destroy(cause);
        }
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof TlsRecord)) {
            ctx.fireChannelRead(msg);
            return;
        }
        TlsRecord record = (TlsRecord) msg;
        if (finished) {
            record.release();
            return;
        }
        try {
            onRecord(record);
        } catch (TlsAlertException e) {
            fatal(e);
        } catch (RuntimeException e) {
            fatal(new TlsAlertException(AlertDescription.INTERNAL_ERROR, "unexpected failure", e));
        }
    }

    private void onRecord(TlsRecord record) throws TlsAlertException {
        int type = record.contentType();
        if (type != ContentType.HANDSHAKE && !reassembler.isEmpty()) {
            record.release();
            // RFC 8446 section 5.1: a fragmented handshake message must not be interleaved with other records.
            throw TlsAlertException.unexpectedMessage(ContentType.name(type) + " record inside a fragmented handshake message");
        }
        switch (type) {
            case ContentType.HANDSHAKE:
                if (!record.content().isReadable()) {
                    record.release();
                    // RFC 8446 section 5.1: zero-length handshake fragments are not allowed.
                    throw TlsAlertException.unexpectedMessage("zero-length handshake record");
                }
                reassembler.add(record.content()); // ownership of the fragment passes to the reassembler
                onHandshakeMessages();
                break;
            case ContentType.CHANGE_CIPHER_SPEC:
                try {
                    onChangeCipherSpec(record.content());
                } finally {
                    record.release();
                }
                break;
            case ContentType.ALERT:
                try {
                    onAlert(record.content());
                } finally {
                    record.release();
                }
                break;
            case ContentType.APPLICATION_DATA: // already decrypted
                onApplicationData(record);
                break;
            default:
                record.release();
                // RFC 8446 section 5: an unknown (inner) content type is unexpected_message.
                throw TlsAlertException.unexpectedMessage("record of unknown content type " + type);
        }
    }

    private void onHandshakeMessages() throws TlsAlertException {
        ByteBuf message;
        while (!finished && (message = reassembler.next()) != null) {
            try {
                int type = message.getUnsignedByte(message.readerIndex());
                if (handshake != null) {
                    if (context.client && type == Tls12Messages.HELLO_REQUEST) {
                        // Ignored during a TLS 1.2 handshake (RFC 5246 section 7.4.1.1): it moves nothing on.
                        floodGuard.recordWithoutProgress("HelloRequest during the handshake");
                    } else {
                        floodGuard.handshakeMessage();
                    }
                    handshake.onMessage(type, message);
                } else {
                    onPostHandshakeMessage(type, message);
                }
            } finally {
                message.release();
            }
        }
    }

    private void onChangeCipherSpec(ByteBuf content) throws TlsAlertException {
        // RFC 8446 section 5 / appendix D.4: a single byte 0x01, only between the first ClientHello and the peer's
        // Finished, is dropped; anything else is unexpected_message.
        if (handshake == null || !handshake.acceptsChangeCipherSpec()) {
            throw TlsAlertException.unexpectedMessage("change_cipher_spec outside the handshake");
        }
        if (content.readableBytes() != 1 || content.getByte(content.readerIndex()) != 1) {
            throw TlsAlertException.unexpectedMessage("change_cipher_spec with a value other than 1");
        }
        requireNoPartialMessage();
        floodGuard.recordWithoutProgress("change_cipher_spec");
        handshake.onChangeCipherSpec();
    }

    private void onAlert(ByteBuf content) throws TlsAlertException {
        if (!content.isReadable()) {
            // RFC 8446 section 5.4: an alert record with zero-length content is unexpected_message (RFC 5246 section
            // 6.2.1 forbids sending one too).
            throw TlsAlertException.unexpectedMessage("zero-length alert record");
        }
        if (content.readableBytes() != 2) {
            // RFC 8446 section 5.1: alerts are never fragmented or coalesced.
            throw TlsAlertException.decodeError("alert record of " + content.readableBytes() + " bytes");
        }
        int level = content.getUnsignedByte(content.readerIndex());
        int code = content.getUnsignedByte(content.readerIndex() + 1);
        if (code == AlertDescription.CLOSE_NOTIFY.code()) {
            onCloseNotify();
        } else if (code == AlertDescription.USER_CANCELED.code()) {
            // RFC 8446 section 6.1: user_canceled precedes close_notify; nothing to do yet.
            floodGuard.recordWithoutProgress("user_canceled alert");
        } else if (tls12 && level == ALERT_WARNING) {
            // RFC 5246 section 7.2: in TLS 1.2 a warning (e.g. no_renegotiation) does not end the connection.
            floodGuard.recordWithoutProgress("warning alert " + code);
        } else {
            // RFC 8446 section 6.2: every other alert is fatal, whatever level it claims.
            PskAlertException cause = PskAlertException.received(code);
            finished = true;
            closeNotifySent = true; // the connection is dead: no close_notify after a fatal alert
            if (session == null) {
                failHandshake(cause);
            } else {
                ctx.fireExceptionCaught(cause);
            }
            ctx.close();
        }
    }

    private void onCloseNotify() {
        finished = true;
        if (session == null) {
            failHandshake(PskAlertException.received(AlertDescription.CLOSE_NOTIFY.code()));
        } else {
            ctx.fireUserEventTriggered(PskCloseNotifyEvent.INSTANCE);
        }
        closeWithNotify(ctx.newPromise());
    }

    private void onApplicationData(TlsRecord record) throws TlsAlertException {
        if (handshake != null) {
            record.release();
            throw TlsAlertException.unexpectedMessage("application data before the handshake completed");
        }
        ByteBuf data = record.content();
        if (data.isReadable()) {
            floodGuard.applicationData();
            ctx.fireChannelRead(data); // ownership passes to the next handler
        } else {
            // RFC 8446 section 5.1 and RFC 5246 section 6.2.1 allow them, as traffic analysis countermeasures.
            record.release();
            floodGuard.recordWithoutProgress("empty application data record");
        }
    }

    private void onPostHandshakeMessage(int type, ByteBuf message) throws TlsAlertException {
        if (tls12) {
            onTls12PostHandshakeMessage(type);
            return;
        }
        switch (type) {
            case HandshakeType.KEY_UPDATE: {
                boolean requested = SimpleMessages.parseKeyUpdate(
                        message.slice(message.readerIndex() + HandshakeType.HEADER_LENGTH,
                                message.readableBytes() - HandshakeType.HEADER_LENGTH));
                requireNoPartialMessage();
                if (!recordLayer.peerKeyUpdateArrived()) {
                    floodGuard.keyUpdate(); // the answer to our own request does not count
                }
                recordLayer.updateReadKey();
                if (requested) {
                    // RFC 8446 section 4.6.3: answered with update_not_requested before our next application data,
                    // or at the end of this read; requests received meanwhile share that one answer.
                    recordLayer.keyUpdateRequested();
                }
                break;
            }
            case HandshakeType.NEW_SESSION_TICKET:
                if (!context.client) {
                    throw TlsAlertException.unexpectedMessage("NewSessionTicket sent by a client");
                }
                // Resumption is not offered: a ticket is of no use to an external-PSK client and is dropped.
                floodGuard.recordWithoutProgress("NewSessionTicket");
                break;
            default:
                throw TlsAlertException.unexpectedMessage(
                        HandshakeType.name(type) + " after the handshake");
        }
    }

    /**
     * TLS 1.2 after the handshake: renegotiation is refused. A server's HelloRequest or a client's new ClientHello
     * is answered with a no_renegotiation warning (RFC 5246 section 7.2.2, RFC 5746 section 4); the peer decides
     * whether to go on. Anything else is unexpected_message.
     */
    private void onTls12PostHandshakeMessage(int type) throws TlsAlertException {
        boolean renegotiation = context.client ? type == Tls12Messages.HELLO_REQUEST
                : type == HandshakeType.CLIENT_HELLO;
        if (!renegotiation) {
            throw TlsAlertException.unexpectedMessage(HandshakeType.name(type) + " after the handshake");
        }
        floodGuard.renegotiation();
        writeAlertRecord(AlertDescription.NO_RENEGOTIATION, ALERT_WARNING);
    }

    /**
     * Reading from the peer is held off while the channel is not writable (what is queued for it is above the
     * channel's write buffer high water mark), and resumes when it is writable again. So a peer that sends and
     * never reads cannot make this side queue answers of any kind (KeyUpdates, warnings, the application's own
     * replies) without bound: once its queue is full, nothing more is read from it. The application's autoRead
     * choice is given back when reading resumes.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!finished) {
            if (ctx.channel().isWritable()) {
                releaseRead(HOLD_WHILE_UNWRITABLE, false);
            } else {
                holdRead(HOLD_WHILE_UNWRITABLE);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** While reading is held off, the application's read() waits for the hold to end. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (readHolds != 0 && !finished) {
            readRequestedDuringHold = true;
            return;
        }
        ctx.read();
    }

    /** Holds reading off for {@code reason} (one of the HOLD_ bits) until {@link #releaseRead} of the same reason. */
    private void holdRead(int reason) {
        if (readHolds == 0) {
            autoReadBeforeHold = ctx.channel().config().isAutoRead();
            ctx.channel().config().setAutoRead(false);
        }
        readHolds |= reason;
    }

    /**
     * Ends the hold for {@code reason}; reading resumes when no other reason holds it off, as the application had
     * it: with autoRead on, or with one read if the application asked for one meanwhile ({@code readAnyway}: or
     * whether or not it did, when the handshake itself must read on).
     */
    private void releaseRead(int reason, boolean readAnyway) {
        if ((readHolds & reason) == 0) {
            return;
        }
        readHolds &= ~reason;
        if (readAnyway) {
            readRequestedDuringHold = true; // owed even if another reason still holds reading off
        }
        if (readHolds != 0) {
            return;
        }
        boolean readOnce = readRequestedDuringHold;
        readRequestedDuringHold = false;
        if (autoReadBeforeHold) {
            ctx.channel().config().setAutoRead(true);
        } else if (readOnce) {
            ctx.read();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof TlsAlertException) {
            fatal((TlsAlertException) c);
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    // ---- outbound ----

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new UnsupportedMessageTypeException(msg, ByteBuf.class));
            return;
        }
        if (finished || closeNotifySent) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new ClosedChannelException());
        } else if (session == null) {
            pendingWrites.add(msg, promise); // sent once the handshake completes
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (session == null && !handshakePromise.isDone()) {
            failHandshake(new SSLException("channel closed during the TLS handshake", new ClosedChannelException()));
        }
        finished = true;
        if (recordLayer.hasWriteProtection() && !closeNotifySent && ctx.channel().isActive()) {
            closeWithNotify(promise);
        } else {
            closeAfterAlert(promise);
        }
    }

    /** RFC 8446 section 6.1: close_notify before closing the write side; close after it is flushed or a timeout. */
    private void closeWithNotify(ChannelPromise promise) {
        if (closeNotifySent) {
            closeAfterAlert(promise);
            return;
        }
        closeWhenFlushed(sendCloseNotify(), promise, false);
    }

    /** Writes close_notify after what was written before it; nothing may follow it. Closing is the caller's. */
    private ChannelFuture sendCloseNotify() {
        closeNotifySent = true;
        if (pendingWrites != null && !pendingWrites.isEmpty()) {
            pendingWrites.removeAndFailAll(new ClosedChannelException());
        }
        ctx.flush(); // data written before close() is sealed and sent before the close_notify
        ChannelFuture sent = writeAlertRecord(AlertDescription.CLOSE_NOTIFY, ALERT_WARNING);
        alertInFlight = sent;
        return sent;
    }

    /**
     * Closes when {@code alert} is flushed (with {@code linger}: see {@link #lingerThenClose}), or at once after a
     * timeout if the peer does not read (the alert then waits behind unread data); whichever comes first. So
     * neither close_notify nor a fatal alert can keep a connection open.
     */
    private void closeWhenFlushed(ChannelFuture alert, ChannelPromise promise, boolean linger) {
        ScheduledFuture<?> timer = ctx.executor().schedule(() -> closeOnce(promise),
                CLOSE_NOTIFY_FLUSH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        alert.addListener(f -> {
            timer.cancel(false);
            if (linger) {
                lingerThenClose(promise);
            } else {
                closeOnce(promise);
            }
        });
    }

    private static final int ALERT_WARNING = 1;
    private static final int ALERT_FATAL = 2;

    private ChannelFuture writeAlertRecord(AlertDescription description, int level) {
        ByteBuf alert = ctx.alloc().heapBuffer(2).writeByte(level).writeByte(description.code());
        return ctx.writeAndFlush(new TlsRecord(ContentType.ALERT, alert));
    }

    // ---- used by the handshake states ----

    PskTlsContext context() {
        return context;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    void sendHandshakeMessage(ByteBuf message) {
        ctx.write(new TlsRecord(ContentType.HANDSHAKE, message));
    }

    void sendChangeCipherSpec() {
        ctx.write(new TlsRecord(ContentType.CHANGE_CIPHER_SPEC, Unpooled.wrappedBuffer(new byte[] {1})));
    }

    void flush() {
        ctx.flush();
    }

    /**
     * Server: the client did not prove the key of the known {@code identity} it offered. Counted and announced
     * with a {@link PskAuthenticationFailedEvent}; the caller then fails the handshake, so the event precedes the
     * failure events. No per-identity state is kept here (see the event).
     */
    void authenticationFailed(TlsVersion version, byte[] identity) {
        context.authenticationFailures.increment();
        ctx.fireUserEventTriggered(new PskAuthenticationFailedEvent(identity, version, ctx.channel().remoteAddress()));
    }

    /** Hands the handshake over to another state, e.g. TLS 1.2 once the ServerHello or ClientHello decided. */
    void replaceHandshake(Handshake next) {
        handshake = next;
    }

    /**
     * TLS 1.2 was negotiated: records may carry up to 2^14+2048 bytes (RFC 5246 section 6.2.3), every record type
     * is protected after change_cipher_spec, warning alerts are not fatal, and renegotiation is refused.
     */
    void negotiatedTls12() {
        tls12 = true;
        codec.decoder().maxCiphertextLength(RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH);
        recordLayer.tls12();
    }

    /** RFC 8446 section 5.1: handshake messages must not span a key change. */
    void requireNoPartialMessage() throws TlsAlertException {
        if (!reassembler.isEmpty()) {
            throw TlsAlertException.unexpectedMessage("handshake message spans a key change");
        }
    }

    /** TLS 1.2, at the peer's change_cipher_spec: every record read from now on is protected. */
    void installReadProtection(RecordProtection protection) throws TlsAlertException {
        requireNoPartialMessage();
        recordLayer.readProtection(protection);
        codec.decoder().everyTypeProtected();
    }

    void installWriteProtection(RecordProtection protection) {
        recordLayer.writeProtection(protection);
    }

    /** TLS 1.3: read (or write) under {@code secret} from now on, re-keying the current cipher where it can. */
    void installTls13Secret(boolean read, CipherSuite suite, Hkdf hkdf, byte[] secret, long recordLimit)
            throws TlsAlertException {
        if (read) {
            requireNoPartialMessage();
        }
        recordLayer.tls13Secret(read, suite, hkdf, secret, recordLimit);
    }

    /** Server: skips the client's refused 0-RTT data, {@code how}, up to {@link #EARLY_DATA_SKIP_LIMIT} bytes. */
    void skipEarlyData(EarlyDataSkip how) {
        recordLayer.skipEarlyData(how, EARLY_DATA_SKIP_LIMIT);
    }

    /** Stops reading while an asynchronous PSK lookup runs; what already arrived is held undecrypted. */
    void pauseInbound() {
        recordLayer.pauseInbound();
        holdRead(HOLD_FOR_LOOKUP);
    }

    void resumeInbound() throws TlsAlertException {
        if ((readHolds & HOLD_FOR_LOOKUP) == 0) {
            return;
        }
        releaseRead(HOLD_FOR_LOOKUP, true); // the handshake reads on even if the application reads on demand
        recordLayer.resumeInbound();
    }

    /** Runs {@code task} on the event loop unless the handshake ended meanwhile; failures become alerts. */
    void resumeOnEventLoop(HandshakeTask task) {
        EventExecutor executor = ctx.executor();
        Runnable run = () -> {
            if (finished || handshake == null) {
                return;
            }
            try {
                task.run();
            } catch (TlsAlertException e) {
                fatal(e);
            } catch (RuntimeException e) {
                fatal(new TlsAlertException(AlertDescription.INTERNAL_ERROR, "unexpected failure", e));
            }
        };
        if (executor.inEventLoop()) {
            run.run();
        } else {
            executor.execute(run);
        }
    }

    /** A step of the handshake that may fail with an alert. */
    @FunctionalInterface
    interface HandshakeTask {
        void run() throws TlsAlertException;
    }

    /**
     * The handshake succeeded: swap the state, send what the application queued, then announce. Queued writes go
     * first so that whatever listeners of the future or the event write comes after them.
     */
    void complete(PskTlsSession negotiated) {
        handshake.destroy();
        handshake = null;
        session = negotiated;
        recordLayer.handshakeDone();
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        ctx.channel().attr(PskTlsSession.ATTRIBUTE).set(negotiated);
        if (context.liveChannels != null) {
            context.liveChannels.register(PskIdentity.of(negotiated.identity()), ctx.channel());
        }
        if (!pendingWrites.isEmpty()) {
            pendingWrites.removeAndWriteAll();
        }
        pendingWrites = null; // writes go straight to the record layer from now on
        if (handshakePromise.trySuccess(negotiated)) {
            context.handshakesSucceeded.increment();
        }
        ctx.fireUserEventTriggered(new PskHandshakeCompletionEvent(negotiated, null));
        ctx.flush();
    }

    /**
     * A fatal protocol error on our side: send the alert, then fail the handshake or report, then close once the
     * alert is out. The alert goes first so that a listener closing the channel cannot cut it off.
     */
    void fatal(TlsAlertException e) {
        if (finished && closeNotifySent) {
            return;
        }
        boolean first = !finished;
        if (first) {
            if (e instanceof TlsLimitExceededException) {
                // Counted here, once per connection: the first violation ends it, and nothing after it is read.
                context.limitExceeded(((TlsLimitExceededException) e).limit());
            }
            if (handshake != null) {
                handshake.onFatal(e); // may report an authentication failure before the failure events
            }
        }
        finished = true;
        PskAlertException cause = PskAlertException.sent(e.description(), e.detail(), e);
        recordLayer.discardQueuedData(cause); // nothing may follow a fatal alert
        if (ctx.channel().isActive() && !closeNotifySent) {
            closeNotifySent = true; // no further alerts after a fatal one
            alertInFlight = writeAlertRecord(e.description(), ALERT_FATAL);
        }
        if (session == null) {
            failHandshake(cause);
        } else if (first) {
            ctx.fireExceptionCaught(cause);
        }
        closeAfterFatalAlert();
    }

    /**
     * After a fatal alert: once it is flushed, close the write side (FIN) and read and discard for at most
     * {@value #LINGER_AFTER_FATAL_ALERT_MILLIS} ms before closing, unless the peer closes first (a TLS peer does on
     * a fatal alert). Closing a socket at once while the peer's flight is still arriving makes the kernel answer
     * it with a reset, which can destroy the alert before the peer reads it: the peer then sees "connection reset"
     * instead of the reason. The alert's flush is itself bounded by the close_notify flush timeout. Channels that
     * cannot half-close are closed as before.
     */
    private void closeAfterFatalAlert() {
        if (closingAfterFatalAlert) {
            return;
        }
        closingAfterFatalAlert = true;
        ChannelPromise promise = ctx.newPromise();
        ChannelFuture alert = alertInFlight;
        if (alert != null && !alert.isDone()) {
            closeWhenFlushed(alert, promise, true);
        } else {
            lingerThenClose(promise);
        }
    }

    private void lingerThenClose(ChannelPromise promise) {
        Channel ch = ctx.channel();
        if (promise.isDone() || !(ch instanceof DuplexChannel) || !ch.isActive()
                || ((DuplexChannel) ch).isOutputShutdown() || ((DuplexChannel) ch).isInputShutdown()) {
            closeOnce(promise);
            return;
        }
        lingerClose = promise;
        recordLayer.destroy(null); // what still arrives is dropped unopened, and the keys are zeroed now
        ScheduledFuture<?> timer = ctx.executor().schedule(() -> closeOnce(promise),
                LINGER_AFTER_FATAL_ALERT_MILLIS, TimeUnit.MILLISECONDS);
        promise.addListener(f -> timer.cancel(false));
        ((DuplexChannel) ch).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                closeOnce(promise);
            }
        });
        ch.config().setAutoRead(true); // read (and drop) even if the application had paused reading
    }

    private void closeAfterAlert(ChannelPromise promise) {
        ChannelFuture alert = alertInFlight;
        if (alert != null && !alert.isDone()) {
            closeWhenFlushed(alert, promise, false);
        } else {
            closeOnce(promise);
        }
    }

    /** Netty rejects a close with a promise that is already done; several paths may race to close. */
    private void closeOnce(ChannelPromise promise) {
        if (!promise.isDone()) {
            ctx.close(promise);
        }
    }

    private void failHandshake(Throwable cause) {
        if (handshakePromise.tryFailure(cause)) {
            context.handshakesFailed.increment();
            ctx.fireUserEventTriggered(new PskHandshakeCompletionEvent(null, cause));
        }
        if (pendingWrites != null && !pendingWrites.isEmpty()) {
            pendingWrites.removeAndFailAll(cause);
        }
        if (handshake != null) {
            handshake.destroy();
            handshake = null;
        }
    }

    /** The handshake promise notifies on the channel's event loop once the handler is in a pipeline. */
    private final class HandshakePromise extends DefaultPromise<PskTlsSession> {
        @Override
        protected EventExecutor executor() {
            return ctx == null ? GlobalEventExecutor.INSTANCE : ctx.executor();
        }

        @Override
        protected void checkDeadLock() {
            if (ctx != null) {
                super.checkDeadLock();
            }
        }
    }
}
