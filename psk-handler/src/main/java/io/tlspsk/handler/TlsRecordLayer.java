package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.util.ReferenceCountUtil;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.codec.handshake.SimpleMessages;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.record.RecordProtection;
import io.tlspsk.codec.record.Tls13RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import java.util.ArrayDeque;

/**
 * Record protection in the pipeline, between {@link io.tlspsk.codec.PskTlsCodec} and {@link PskHandshakeHandler}.
 *
 * <p>Inbound it opens protected records with the read keys the handshake installed and passes plaintext
 * {@link TlsRecord}s on. While the server waits for an asynchronous PSK lookup it holds records back undecrypted
 * (the keys to open them do not exist yet) and replays them on resume. Outbound it seals handshake records at
 * once and queues application data until {@code flush()}, when small writes are coalesced into records of up to
 * 2^14 bytes, as Netty's SslHandler does. It sends a KeyUpdate itself when the write key reaches its AEAD limit
 * (RFC 8446 section 5.5), and answers the peer's requests for one lazily: one KeyUpdate before the next record we
 * send or at the end of the read, however many requests arrived meanwhile (RFC 8446 section 4.6.3).
 */
final class TlsRecordLayer extends ChannelDuplexHandler {

    /** Most bytes held back while inbound processing is paused (a PSK lookup is pending). */
    private final int maxHeldBytes;

    private ChannelHandlerContext ctx;
    private CoalescingBufferQueue appQueue;
    /** Whether a write with a non-void promise was queued since {@link #appQueue} was last empty. */
    private boolean queuedPromises;
    private RecordProtection readProtection;
    private RecordProtection writeProtection;
    private boolean plaintextAlertsAllowed = true;
    private boolean tls12;
    private EarlyDataSkip earlyDataSkip = EarlyDataSkip.NONE;
    private int earlyDataSkipBudget;
    private boolean paused;
    private ArrayDeque<TlsRecord> held;
    private int heldBytes;
    private boolean heldOverflow;
    private boolean destroyed;
    /** The peer asked us to update our keys and our answer is not sent yet. */
    private boolean keyUpdateAnswerDue;
    /** We asked the peer to update its keys and have not received its KeyUpdate since. */
    private boolean awaitingPeerKeyUpdate;

    TlsRecordLayer(int maxHeldBytes) {
        this.maxHeldBytes = maxHeldBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        destroy(null);
    }

    // ---- inbound ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof TlsRecord)) {
            ctx.fireChannelRead(msg);
            return;
        }
        TlsRecord record = (TlsRecord) msg;
        if (destroyed) {
            record.release();
            return;
        }
        if (paused) {
            hold(record);
            return;
        }
        process(record);
    }

    private void hold(TlsRecord record) throws TlsAlertException {
        if (heldOverflow) {
            record.release(); // the alert is on its way; what follows in the same read is not kept
            return;
        }
        int size = record.content().readableBytes() + RecordLimits.HEADER_LENGTH;
        if (heldBytes + size > maxHeldBytes) {
            // The record that would pass the limit is not kept either: what is held never exceeds it.
            heldOverflow = true;
            record.release();
            throw new TlsLimitExceededException(AlertDescription.UNEXPECTED_MESSAGE,
                    "peer sent more than " + maxHeldBytes + " bytes while its ClientHello was being answered",
                    TlsLimitExceededException.Limit.BUFFERED_DURING_LOOKUP);
        }
        heldBytes += size;
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(record);
    }

    private void process(TlsRecord record) throws TlsAlertException {
        int type = record.contentType();
        if (readProtection == null) {
            if (type == ContentType.APPLICATION_DATA) {
                int length = record.content().readableBytes();
                record.release();
                if (earlyDataSkip == EarlyDataSkip.APPLICATION_DATA_RECORDS) {
                    skipEarlyData(length);
                    return;
                }
                throw TlsAlertException.unexpectedMessage("application data before keys were established");
            }
            if (type == ContentType.HANDSHAKE && earlyDataSkip == EarlyDataSkip.APPLICATION_DATA_RECORDS) {
                earlyDataSkip = EarlyDataSkip.NONE; // the second ClientHello: no 0-RTT comes after it
            }
            ctx.fireChannelRead(record);
            return;
        }
        if (type == ContentType.CHANGE_CIPHER_SPEC
                || (type == ContentType.ALERT && plaintextAlertsAllowed && !tls12)) {
            // Dummy change_cipher_spec (RFC 8446 appendix D.4) and, during the handshake, an alert from a peer
            // that failed before it had keys: both arrive unprotected; the handshake handler judges them.
            ctx.fireChannelRead(record);
            return;
        }
        if (type != ContentType.APPLICATION_DATA && !tls12) {
            // TLS 1.3 hides the real type inside; TLS 1.2 protects every type under its own header type.
            record.release();
            throw TlsAlertException.unexpectedMessage(
                    "unprotected " + ContentType.name(type) + " record after keys were established");
        }
        TlsRecord plain;
        try {
            plain = readProtection.open(ctx.alloc(), record);
            earlyDataSkip = EarlyDataSkip.NONE;
            if (!tls12 && plain.contentType() == ContentType.CHANGE_CIPHER_SPEC) {
                // RFC 8446 section 5: change_cipher_spec is only ever sent unprotected.
                plain.release();
                throw TlsAlertException.unexpectedMessage("protected change_cipher_spec record");
            }
        } catch (TlsAlertException e) {
            if (e.description() == AlertDescription.BAD_RECORD_MAC
                    && earlyDataSkip == EarlyDataSkip.UNDECRYPTABLE_RECORDS) {
                skipEarlyData(record.content().readableBytes());
                return;
            }
            throw e;
        } finally {
            record.release();
        }
        ctx.fireChannelRead(plain);
    }

    /** Holds inbound records back, undecrypted, until {@link #resumeInbound()}. */
    void pauseInbound() {
        paused = true;
    }

    /** Replays held records in order, then passes new ones straight through. */
    void resumeInbound() throws TlsAlertException {
        paused = false;
        while (held != null && !held.isEmpty() && !paused && !destroyed) {
            TlsRecord r = held.poll();
            heldBytes -= r.content().readableBytes() + RecordLimits.HEADER_LENGTH;
            process(r);
        }
    }

    void readProtection(RecordProtection protection) {
        if (readProtection != null) {
            readProtection.destroy();
        }
        readProtection = protection;
    }

    void writeProtection(RecordProtection protection) {
        if (writeProtection != null) {
            writeProtection.destroy();
        }
        writeProtection = protection;
    }

    boolean hasWriteProtection() {
        return writeProtection != null;
    }

    /** Tests: whether the TLS 1.3 read / write protection holds a cipher object now. */
    boolean holdsCipher(boolean read) {
        RecordProtection p = read ? readProtection : writeProtection;
        return p instanceof Tls13RecordProtection && ((Tls13RecordProtection) p).holdsCipher();
    }

    /** TLS 1.2 was negotiated: after change_cipher_spec every record type arrives protected. */
    void tls12() {
        tls12 = true;
    }

    /** Called when the handshake completes: from now on every alert must be protected. */
    void handshakeDone() {
        plaintextAlertsAllowed = false;
    }

    /** Lets a server skip, {@code how}, up to {@code bytes} of 0-RTT data it will not accept (RFC 8446 4.2.10). */
    void skipEarlyData(EarlyDataSkip how, int bytes) {
        earlyDataSkip = how;
        earlyDataSkipBudget = bytes;
    }

    /**
     * Counts a skipped 0-RTT record of {@code length} bytes (its protected length: without the keys, padding cannot
     * be told from data, RFC 8446 section 4.6.1) against the budget; past it, unexpected_message (section 4.6.1).
     * A record costs at least its header, so that a flood of empty records runs out of budget too.
     */
    private void skipEarlyData(int length) throws TlsLimitExceededException {
        int cost = Math.max(length, RecordLimits.HEADER_LENGTH);
        if (cost > earlyDataSkipBudget) {
            earlyDataSkip = EarlyDataSkip.NONE;
            throw new TlsLimitExceededException(AlertDescription.UNEXPECTED_MESSAGE,
                    "client sent more refused 0-RTT data than the skip limit of "
                            + PskHandshakeHandler.EARLY_DATA_SKIP_LIMIT + " bytes",
                    TlsLimitExceededException.Limit.EARLY_DATA);
        }
        earlyDataSkipBudget -= cost;
    }

    /**
     * The peer asked for a KeyUpdate (RFC 8446 section 4.6.3: "the receiver MUST send a KeyUpdate of its own with
     * request_update set to update_not_requested prior to sending its next Application Data record"). It is sent
     * before the next record we send of any type, or at the end of the read if nothing goes out before; requests
     * that arrive until then share it, which section 4.6.3 allows ("an implementation which receives multiple
     * KeyUpdates while it is silent to respond with a single update"). So a peer that sends requests and never
     * reads costs us at most one answer per read.
     */
    void keyUpdateRequested() {
        keyUpdateAnswerDue = true;
    }

    /**
     * A KeyUpdate from the peer arrived: returns whether it is the first since we asked for one (our
     * {@link #sendKeyUpdate} with {@code requestPeerUpdate}), that is the peer's answer, and forgets the question.
     */
    boolean peerKeyUpdateArrived() {
        boolean answer = awaitingPeerKeyUpdate;
        awaitingPeerKeyUpdate = false;
        return answer;
    }

    /** Sends the KeyUpdate answer that {@link #keyUpdateRequested()} made due, if it still is. */
    private void answerKeyUpdate() throws TlsAlertException {
        if (keyUpdateAnswerDue && !destroyed && writeProtection != null) {
            sendKeyUpdate(false, ctx.voidPromise());
        }
    }

    /** At the end of a read, the KeyUpdate answer that nothing carried out yet goes out. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (keyUpdateAnswerDue) {
            answerKeyUpdate();
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** Moves the read side to the next traffic secret after the peer's KeyUpdate (RFC 8446 section 4.6.3). */
    void updateReadKey() {
        ((Tls13RecordProtection) readProtection).update();
    }

    /**
     * TLS 1.3: protects what we read (or write) with {@code secret} from now on. The cipher of the handshake keys
     * is re-keyed in place for the application keys rather than replaced.
     */
    void tls13Secret(boolean read, CipherSuite suite, Hkdf hkdf, byte[] secret, long recordLimit) {
        RecordProtection current = read ? readProtection : writeProtection;
        if (current instanceof Tls13RecordProtection && ((Tls13RecordProtection) current).suite() == suite) {
            // Handshake keys give way to application keys: the cipher object is dropped rather than re-keyed, and made
            // again on the first application record, so a connection that goes quiet after its handshake holds
            // only key bytes.
            ((Tls13RecordProtection) current).rekey(hkdf, secret, false);
        } else if (read) {
            readProtection(new Tls13RecordProtection(suite, hkdf, secret, recordLimit));
        } else {
            writeProtection(new Tls13RecordProtection(suite, hkdf, secret, recordLimit));
        }
    }

    /**
     * Sends a KeyUpdate under the current write key, then moves to the next one (RFC 8446 section 4.6.3). One that
     * does not request an update also answers the peer's pending request, if any.
     */
    void sendKeyUpdate(boolean requestPeerUpdate, ChannelPromise promise) throws TlsAlertException {
        if (requestPeerUpdate) {
            awaitingPeerKeyUpdate = true;
        } else {
            keyUpdateAnswerDue = false;
        }
        ByteBuf message = SimpleMessages.keyUpdate(ctx.alloc(), requestPeerUpdate);
        ByteBuf wire;
        try {
            wire = writeProtection.seal(ctx.alloc(), ContentType.HANDSHAKE, message);
        } finally {
            message.release();
        }
        ctx.write(wire, promise);
        ((Tls13RecordProtection) writeProtection).update();
    }

    // ---- outbound ----

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (destroyed) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new java.nio.channels.ClosedChannelException());
            return;
        }
        if (msg instanceof TlsRecord) {
            writeRecord((TlsRecord) msg, promise);
        } else if (msg instanceof ByteBuf) {
            // Application data: only the handshake handler passes it, and only once the handshake is done.
            if (!promise.isVoid()) {
                queuedPromises = true;
            }
            if (appQueue == null) {
                // Made on the first write, dropped again by releaseIdleResources() while empty.
                appQueue = new CoalescingBufferQueue(ctx.channel(), 4, true);
            }
            appQueue.add((ByteBuf) msg, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void writeRecord(TlsRecord record, ChannelPromise promise) throws TlsAlertException {
        if (writeProtection == null || record.contentType() == ContentType.CHANGE_CIPHER_SPEC) {
            ctx.write(record, promise); // the codec frames it in clear
            return;
        }
        try {
            answerKeyUpdate(); // before anything else we send under the current key
            ByteBuf content = record.content();
            // Handshake messages may exceed one record; alerts never do.
            while (content.readableBytes() > RecordLimits.MAX_PLAINTEXT_LENGTH) {
                ByteBuf chunk = content.readSlice(RecordLimits.MAX_PLAINTEXT_LENGTH);
                ctx.write(writeProtection.seal(ctx.alloc(), record.contentType(), chunk));
            }
            ctx.write(writeProtection.seal(ctx.alloc(), record.contentType(), content), promise);
        } finally {
            record.release();
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        try {
            while (appQueue != null && !appQueue.isEmpty()) {
                if (keyUpdateAnswerDue || writeProtection.needsKeyUpdate()) {
                    sendKeyUpdate(false, ctx.voidPromise());
                }
                // The queue hands each write's promise to the record that completes it. When every queued write
                // came with a void promise (high-throughput senders), there is nothing to notify: no promise per
                // record is made.
                ChannelPromise promise = queuedPromises ? ctx.newPromise() : ctx.voidPromise();
                ByteBuf chunk = appQueue.remove(ctx.alloc(), RecordLimits.MAX_PLAINTEXT_LENGTH, promise);
                if (appQueue.isEmpty()) {
                    queuedPromises = false;
                }
                ByteBuf wire;
                try {
                    wire = writeProtection.seal(ctx.alloc(), ContentType.APPLICATION_DATA, chunk);
                } catch (TlsAlertException e) {
                    if (!promise.isVoid()) { // a void promise would fire exceptionCaught a second time
                        promise.tryFailure(e);
                    }
                    throw e;
                } finally {
                    chunk.release();
                }
                ctx.write(wire, promise);
            }
        } finally {
            ctx.flush();
        }
    }

    /**
     * Drops what an idle connection does not need and can make again on demand: the TLS 1.3 ciphers of the
     * directions in {@code read}/{@code write} (their key bytes stay), and the empty write queue and hold queue.
     * Nothing observable changes; the next record costs one cipher construction.
     */
    void releaseIdleResources(boolean read, boolean write) {
        if (write && appQueue != null && appQueue.isEmpty()) {
            appQueue = null;
            queuedPromises = false;
        }
        if (read && held != null && held.isEmpty() && !paused) {
            held = null;
        }
        if (read && readProtection instanceof Tls13RecordProtection) {
            ((Tls13RecordProtection) readProtection).releaseCipher();
        }
        if (write && writeProtection instanceof Tls13RecordProtection) {
            ((Tls13RecordProtection) writeProtection).releaseCipher();
        }
    }

    /** Fails and releases application data not yet sealed: nothing may be sent after a fatal alert. */
    void discardQueuedData(Throwable cause) {
        keyUpdateAnswerDue = false;
        if (appQueue != null && !appQueue.isEmpty()) {
            appQueue.releaseAndFailAll(cause);
        }
    }

    /** Releases everything held, fails queued writes with {@code cause}, zeroes the keys. Idempotent. */
    void destroy(Throwable cause) {
        if (destroyed) {
            return;
        }
        destroyed = true;
        keyUpdateAnswerDue = false;
        if (held != null) {
            for (TlsRecord r; (r = held.poll()) != null; ) {
                r.release();
            }
        }
        if (appQueue != null && !appQueue.isEmpty()) {
            appQueue.releaseAndFailAll(cause != null ? cause : new java.nio.channels.ClosedChannelException());
        }
        if (readProtection != null) {
            readProtection.destroy();
            readProtection = null;
        }
        if (writeProtection != null) {
            writeProtection.destroy();
            writeProtection = null;
        }
    }
}
