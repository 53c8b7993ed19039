package io.tlspsk.handler;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.Transcript;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One side of one handshake, TLS 1.3 or TLS 1.2: a state object the {@link PskHandshakeHandler} feeds whole
 * handshake messages and change_cipher_spec records, and drops when the handshake ends.
 */
abstract class Handshake {

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(Handshake.class);
    private static final AtomicIntegerFieldUpdater<Handshake> LOOKUP_SLOT =
            AtomicIntegerFieldUpdater.newUpdater(Handshake.class, "lookupSlot");

    final PskHandshakeHandler handler;
    final PskTlsContext config;
    final Transcript transcript;
    /**
     * 1 while this handshake holds one of the context's pending-lookup slots. Cleared with a compare-and-set, so the
     * slot goes back exactly once whichever comes first: the stage completing (on any thread, even more than once)
     * or the handshake ending (on the event loop).
     */
    private volatile int lookupSlot;

    Handshake(PskHandshakeHandler handler) {
        this(handler, new Transcript());
    }

    /** Continues a transcript begun by another state (the ClientHello before the version was known). */
    Handshake(PskHandshakeHandler handler, Transcript transcript) {
        this.handler = handler;
        this.config = handler.context();
        this.transcript = transcript;
    }

    /** Client: sends the ClientHello. Server: nothing. */
    abstract void start() throws TlsAlertException;

    /** One whole handshake message, header included; the caller releases it. */
    abstract void onMessage(int type, ByteBuf message) throws TlsAlertException;

    /**
     * Whether a change_cipher_spec record (single byte 1) is allowed now. TLS 1.3: between the first ClientHello
     * and the peer's Finished, where it is dropped (RFC 8446 appendix D.4). TLS 1.2: only right before the peer's
     * Finished, where it switches the read keys.
     */
    abstract boolean acceptsChangeCipherSpec();

    /** A valid change_cipher_spec arrived: TLS 1.3 ignores it, TLS 1.2 switches the read side. */
    void onChangeCipherSpec() throws TlsAlertException {
    }

    /**
     * A fatal alert is about to be sent for {@code e}, before the handshake is failed: a state that learns
     * something from the failure (TLS 1.2 server: the client's Finished did not open) reports it here.
     */
    void onFatal(TlsAlertException e) {
    }

    /** Zeroes every secret still held. Idempotent. */
    abstract void destroy();

    /** What to do with a {@link PskSelector}'s answer, on the event loop. */
    @FunctionalInterface
    interface SelectionListener {
        void onSelection(PskSelection selection, Throwable failure) throws TlsAlertException;
    }

    /**
     * Asks the server's selector and calls {@code listener} with its answer on the event loop. A synchronous
     * answer (a store in memory) is handled at once; otherwise inbound processing pauses until the answer arrives
     * (the handler resumes it). The stage is registered on once and never probed with isDone()/join(), which
     * minimal stages refuse. The lookup holds one of the context's pending-lookup slots until its stage completes or
     * the handshake ends; when none is free the selector is not asked.
     */
    void selectPsk(PskSelectionRequest request, SelectionListener listener) throws TlsAlertException {
        if (!config.tryStartLookup()) {
            // An overloaded server, not a fault of the peer's: internal_error (RFC 8446 section 6.2). The selector
            // is not asked. See PskTlsContext.Builder#maxPendingLookups.
            throw new TlsLimitExceededException(AlertDescription.INTERNAL_ERROR,
                    "too many pending PSK lookups (limit " + config.maxPendingLookups + ")",
                    TlsLimitExceededException.Limit.PENDING_LOOKUPS);
        }
        lookupSlot = 1;
        CompletionStage<PskSelection> stage;
        try {
            stage = config.selector.select(request);
        } catch (RuntimeException e) {
            endLookup();
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "PSK selector threw", e);
        }
        if (stage == null) {
            endLookup();
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "PSK selector returned null");
        }
        SynchronousAnswer answer = new SynchronousAnswer(Thread.currentThread());
        stage.whenComplete((selection, failure) -> {
            if (!endLookup()) {
                // The handshake ended first (its slot went back then), or a faulty stage called back twice.
                return;
            }
            if (answer.registering && Thread.currentThread() == answer.thread) {
                answer.selection = selection;
                answer.failure = failure;
                answer.done = true;
            } else {
                handler.resumeOnEventLoop(() -> listener.onSelection(selection, unwrap(failure)));
            }
        });
        answer.registering = false;
        if (answer.done) {
            listener.onSelection(answer.selection, unwrap(answer.failure));
        } else {
            handler.pauseInbound();
        }
    }

    /**
     * Gives back this handshake's pending-lookup slot if it still holds one, and says whether this call did.
     * Idempotent and thread-safe: called when the selector's stage completes (only the call that gives the slot back
     * goes on to use the answer) and from the server handshakes' {@link #destroy()}, which every end of a handshake
     * goes through.
     */
    final boolean endLookup() {
        if (LOOKUP_SLOT.compareAndSet(this, 1, 0)) {
            config.endLookup();
            return true;
        }
        return false;
    }

    /** Holds a selection that completed while its callback was being registered. */
    private static final class SynchronousAnswer {
        final Thread thread;
        boolean registering = true;
        boolean done;
        PskSelection selection;
        Throwable failure;

        SynchronousAnswer(Thread thread) {
            this.thread = thread;
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** The selector's answer checked: a failure or null is internal_error, as {@link PskSelector} documents. */
    static PskSelection checkedSelection(PskSelection selection, Throwable failure) throws TlsAlertException {
        if (failure != null) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "PSK lookup failed", failure);
        }
        if (selection == null) {
            throw new TlsAlertException(AlertDescription.INTERNAL_ERROR, "PSK selector completed with null");
        }
        return selection;
    }

    /**
     * Server: the handshake completed with {@code key}; tells the selector (a store promotes a backup key then). After
     * {@link PskHandshakeHandler#complete}: nothing the selector does can undo the handshake.
     */
    void keyConfirmed(PskSelectionRequest request, ExternalPsk key, PskTlsSession session) {
        try {
            config.selector.authenticated(request, key, session);
        } catch (RuntimeException e) {
            logger.warn("PskSelector.authenticated threw for PSK identity {}", session.identityAsString(), e);
        }
    }

    /** RFC 7301 section 3.2: the first of our protocols the client offered; none in common is fatal. */
    String selectApplicationProtocol(ClientHello hello) throws TlsAlertException {
        if (hello.applicationProtocols() == null || config.applicationProtocols.isEmpty()) {
            return null;
        }
        for (String p : config.applicationProtocols) {
            if (hello.applicationProtocols().contains(p)) {
                return p;
            }
        }
        throw new TlsAlertException(AlertDescription.NO_APPLICATION_PROTOCOL, "no ALPN protocol in common");
    }

    /** True when {@code values} (a codepoint list from a hello; may be absent, i.e. null) contains {@code v}. */
    static boolean contains(int[] values, int v) {
        if (values == null) {
            return false;
        }
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    static ByteBuf body(ByteBuf message) {
        return message.slice(message.readerIndex() + HandshakeType.HEADER_LENGTH,
                message.readableBytes() - HandshakeType.HEADER_LENGTH);
    }

    static TlsAlertException unexpected(int type, String expected) {
        return TlsAlertException.unexpectedMessage(HandshakeType.name(type) + " where " + expected + " was expected");
    }

    static byte[] random(int length) {
        byte[] out = new byte[length];
        CryptoBackend.secureRandom().nextBytes(out);
        return out;
    }
}
