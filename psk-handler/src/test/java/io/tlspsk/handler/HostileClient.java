package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.Aead;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.KeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.crypto.TrafficKeys;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.handshake.Transcript;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.record.Tls13RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import io.tlspsk.codec.tls12.PskPremaster;
import io.tlspsk.codec.tls12.Tls12KeyBlock;
import io.tlspsk.codec.tls12.Tls12Messages;
import io.tlspsk.codec.tls12.Tls12Prf;
import io.tlspsk.codec.tls12.Tls12RecordProtection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written TLS 1.3 PSK client talking to a real server handler: it sends whatever ClientHello a test built,
 * and can run the rest of the handshake itself (key schedule of RFC 8446 section 7.1, from the codec's primitives)
 * so that a test can inject records at any point, protected or not, and decrypt the server's alerts.
 */
final class HostileClient extends HostilePeer {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    final KeyShare share = CryptoBackend.generateKeyShare(NamedGroup.X25519);
    /** The server's records read by the last {@link #runServerFlight}, in clear where they were in clear. */
    final List<HostileWire.Rec> serverFlight = new ArrayList<>();
    ServerHello serverHello;
    CipherSuite suite;
    /** Opens what the server sends next: its handshake key during its flight, then its application key. */
    Tls13RecordProtection serverWrite;
    /** Protects what this client sends: its handshake key until Finished, then its application key. */
    Tls13RecordProtection clientWrite;
    private byte[] clientFinished;
    private byte[] clientHandshakeSecret;
    private byte[] serverHandshakeSecret;
    private byte[] clientApplicationSecret;
    private Tls13KeySchedule schedule;
    private Transcript transcript;

    HostileClient(PskTlsContext serverContext) {
        super(serverContext);
    }

    /** A server with {@link HostileClientHello#psk()} and every other setting at its default. */
    /** A server that speaks TLS 1.3 only: these hostile hellos test the TLS 1.3 rules. */
    static HostileClient againstDefaultServer() {
        return new HostileClient(PskTlsContext.forServer(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3).build());
    }

    /** The valid hello for this client's x25519 share. */
    HostileClientHello validHello() {
        return HostileClientHello.valid(share.publicKey());
    }

    /**
     * Sends {@code hello} and processes the server's whole first flight (ServerHello, optional change_cipher_spec,
     * EncryptedExtensions, Finished, checking the Finished), leaving the client ready to send its Finished.
     */
    void runServerFlight(HostileClientHello hello) throws Exception {
        byte[] ch = hello.message();
        List<HostileWire.Rec> opened = sendAndOpenServerFlight(ch, HostileWire.record(ContentType.HANDSHAKE, ch));
        ByteBuf handshake = Unpooled.buffer();
        for (HostileWire.Rec plain : opened) {
            assertEquals(ContentType.HANDSHAKE, plain.type(), () -> "server sent " + opened);
            handshake.writeBytes(plain.fragment());
        }
        List<byte[]> messages = HostileWire.messages(ByteBufUtil.getBytes(handshake));
        handshake.release();
        assertEquals(2, messages.size(), "expected EncryptedExtensions and Finished");
        assertEquals(HandshakeType.ENCRYPTED_EXTENSIONS, messages.get(0)[0]);
        transcript.add(Unpooled.wrappedBuffer(messages.get(0)));
        assertEquals(HandshakeType.FINISHED, messages.get(1)[0]);
        assertArrayEquals(schedule.verifyData(serverHandshakeSecret, transcript.currentHash()),
                HostileWire.body(messages.get(1)), "server Finished does not verify");
        transcript.add(Unpooled.wrappedBuffer(messages.get(1)));

        byte[] th2 = transcript.currentHash();
        clientFinished = HostileWire.handshake(HandshakeType.FINISHED, schedule.verifyData(clientHandshakeSecret, th2));
        schedule.deriveMasterSecret();
        clientApplicationSecret = schedule.clientApplicationTrafficSecret(th2);
        serverWrite.destroy();
        serverWrite = new Tls13RecordProtection(suite, schedule.hkdf(), schedule.serverApplicationTrafficSecret(th2), -1);
    }

    /**
     * Sends {@code wire} (which carries the ClientHello {@code ch}, perhaps with more), reads the ServerHello and
     * an optional change_cipher_spec in clear, derives the handshake keys as a client would, and returns every
     * later record of the server's opened with the server's handshake key.
     */
    List<HostileWire.Rec> sendAndOpenServerFlight(byte[] ch, byte[] wire) throws Exception {
        assertTrue(send(wire));
        List<HostileWire.Rec> records = HostileWire.records(takeOutbound());
        serverFlight.clear();
        serverFlight.addAll(records);
        int i = 0;
        assertEquals(ContentType.HANDSHAKE, records.get(i).type(), () -> "server answered " + records);
        byte[] sh = records.get(i++).fragment();
        assertEquals(HandshakeType.SERVER_HELLO, sh[0]);
        serverHello = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(sh)));
        suite = CipherSuite.byId(serverHello.cipherSuite());
        assertNotNull(suite);
        if (i < records.size() && records.get(i).type() == ContentType.CHANGE_CIPHER_SPEC) {
            assertArrayEquals(new byte[] {1}, records.get(i++).fragment());
        }
        byte[] shared = serverHello.keyShare() == null ? null : share.agree(serverHello.keyShare().keyExchange());

        transcript = new Transcript();
        transcript.selectHash(suite.hash());
        transcript.add(Unpooled.wrappedBuffer(ch));
        transcript.add(Unpooled.wrappedBuffer(sh));
        schedule = new Tls13KeySchedule(suite.hash(), HostileClientHello.KEY);
        schedule.deriveHandshakeSecret(shared);
        byte[] th = transcript.currentHash();
        clientHandshakeSecret = schedule.clientHandshakeTrafficSecret(th);
        serverHandshakeSecret = schedule.serverHandshakeTrafficSecret(th);
        serverWrite = new Tls13RecordProtection(suite, schedule.hkdf(), serverHandshakeSecret, -1);
        clientWrite = new Tls13RecordProtection(suite, schedule.hkdf(), clientHandshakeSecret, -1);
        List<HostileWire.Rec> opened = new ArrayList<>();
        for (; i < records.size(); i++) {
            assertEquals(ContentType.APPLICATION_DATA, records.get(i).type(), "unprotected record after ServerHello");
            opened.add(open(records.get(i)));
        }
        return opened;
    }

    /** Sends the client Finished (after a dummy change_cipher_spec) and switches to the application key. */
    void sendFinished() throws Exception {
        sendFinishedFollowedBy(new byte[0]);
    }

    /** As {@link #sendFinished()}, with {@code extra} handshake bytes in the Finished's record. */
    void sendFinishedFollowedBy(byte[] extra) throws Exception {
        send(HostileWire.concat(HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}),
                seal(ContentType.HANDSHAKE, HostileWire.concat(clientFinished, extra))));
        clientWrite.destroy();
        clientWrite = new Tls13RecordProtection(suite, schedule.hkdf(), clientApplicationSecret, -1);
    }

    /** The whole handshake with the valid hello; the server's future must succeed. */
    void completeHandshake() throws Exception {
        runServerFlight(validHello());
        sendFinished();
        channel.runPendingTasks();
        assertTrue(handshakeFuture().isSuccess(), () -> "handshake failed: " + handshakeFuture().cause());
        assertEquals(0, takeOutbound().length, "server wrote after the client's Finished");
    }

    /** A record protected with the current client key. */
    byte[] seal(int type, byte[] content) throws TlsAlertException {
        ByteBuf in = Unpooled.wrappedBuffer(content);
        ByteBuf out = clientWrite.seal(ALLOC, type, in);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * A record protected with this client's application key whose TLSInnerPlaintext (RFC 8446 section 5.4: content,
     * content type, zero padding) is exactly {@code inner}, past the limits {@link #seal} keeps. This client's
     * sequence number advances as for any record it sends.
     */
    byte[] sealInnerPlaintext(byte[] inner) throws Exception {
        long sequence = clientWrite.sequenceNumber();
        TrafficKeys keys = Tls13KeySchedule.trafficKeys(schedule.hkdf(), suite.aead(), clientApplicationSecret);
        Aead aead = CryptoBackend.newAead(suite.aead(), keys.key());
        try {
            byte[] nonce = keys.iv().clone();
            for (int i = 0; i < 8; i++) {
                nonce[nonce.length - 1 - i] ^= (byte) (sequence >>> (8 * i));
            }
            int length = inner.length + suite.aead().tagLength();
            byte[] out = new byte[RecordLimits.HEADER_LENGTH + length];
            byte[] header = {ContentType.APPLICATION_DATA, 3, 3, (byte) (length >>> 8), (byte) length};
            System.arraycopy(header, 0, out, 0, header.length);
            aead.seal(nonce, header, inner, 0, inner.length, out, RecordLimits.HEADER_LENGTH);
            seal(ContentType.APPLICATION_DATA, new byte[0]); // only to move clientWrite to the next sequence number
            return out;
        } finally {
            aead.destroy();
            keys.destroy();
        }
    }

    /** Opens one protected record of the server's with the current server key. */
    HostileWire.Rec open(HostileWire.Rec record) throws TlsAlertException {
        TlsRecord in = new TlsRecord(record.type(), Unpooled.wrappedBuffer(record.fragment()));
        TlsRecord plain = serverWrite.open(ALLOC, in);
        try {
            return new HostileWire.Rec(plain.contentType(), ByteBufUtil.getBytes(plain.content()));
        } finally {
            plain.release();
            in.release();
        }
    }

    /** The only thing the server wrote since the last take is a protected fatal alert {@code d}. */
    void assertProtectedFatalAlertSent(AlertDescription d) throws TlsAlertException {
        List<HostileWire.Rec> records = HostileWire.records(takeOutbound());
        assertEquals(1, records.size(), () -> "expected one alert record, got " + records);
        assertEquals(ContentType.APPLICATION_DATA, records.get(0).type(), "the alert was not protected");
        HostileWire.Rec alert = open(records.get(0));
        assertEquals(ContentType.ALERT, alert.type());
        assertArrayEquals(new byte[] {2, (byte) d.code()}, alert.fragment(), "expected fatal " + d.rfcName());
    }

    // ---- TLS 1.2, plain PSK suites (RFC 4279 section 2) ----

    /** The TLS 1.2 transcript: ClientHello, the server's first flight, and what this client adds. */
    Transcript tls12Transcript;
    private byte[] tls12ClientRandom;
    private Tls12Prf tls12Prf;
    private byte[] tls12Master;
    /** The key block derived by {@link #tls12ClientKeyExchange}, for tests that protect records by hand. */
    Tls12KeyBlock tls12Keys;
    /** Protects what this client sends after its change_cipher_spec. */
    Tls12RecordProtection tls12ClientWrite;
    /** Opens what the server sends after its change_cipher_spec. */
    Tls12RecordProtection tls12ServerWrite;

    /**
     * Sends a TLS 1.2 ClientHello and reads the server's first flight, which must be all in clear and end with
     * ServerHelloDone: ServerHello, [ServerKeyExchange], ServerHelloDone. Sets {@link #serverHello} (parsed as a TLS
     * 1.2 ServerHello) and {@link #suite}, and returns the server's messages (headers included).
     */
    List<byte[]> sendTls12Hello(HostileClientHello hello) throws Exception {
        byte[] ch = hello.message();
        assertTrue(send(HostileWire.record(ContentType.HANDSHAKE, ch)));
        List<HostileWire.Rec> records = HostileWire.records(takeOutbound());
        serverFlight.clear();
        serverFlight.addAll(records);
        ByteBuf handshake = Unpooled.buffer();
        for (HostileWire.Rec r : records) {
            assertEquals(ContentType.HANDSHAKE, r.type(), () -> "server answered " + records);
            handshake.writeBytes(r.fragment());
        }
        List<byte[]> messages = HostileWire.messages(ByteBufUtil.getBytes(handshake));
        handshake.release();
        assertTrue(messages.size() >= 2, () -> "server flight of " + messages.size() + " messages");
        assertEquals(HandshakeType.SERVER_HELLO, messages.get(0)[0]);
        assertEquals(Tls12Messages.SERVER_HELLO_DONE, messages.get(messages.size() - 1)[0]);
        serverHello = ServerHello.parse(Unpooled.wrappedBuffer(HostileWire.body(messages.get(0))), true);
        assertEquals(-1, serverHello.selectedVersion(), "the server chose TLS 1.3");
        suite = CipherSuite.byId(serverHello.cipherSuite());
        assertNotNull(suite);
        tls12ClientRandom = hello.random;
        tls12Transcript = new Transcript();
        tls12Transcript.add(Unpooled.wrappedBuffer(ch));
        tls12Transcript.selectHash(suite.hash());
        for (byte[] m : messages) {
            tls12Transcript.add(Unpooled.wrappedBuffer(m));
        }
        return messages;
    }

    /**
     * A plain-PSK ClientKeyExchange naming {@code identity}, added to the transcript; derives the master secret
     * from {@code secret} as a client would (extended when the ServerHello says so, RFC 7627) and the record keys
     * (encrypt-then-MAC when the ServerHello says so, RFC 7366).
     */
    byte[] tls12ClientKeyExchange(byte[] identity, byte[] secret) {
        assertEquals(CipherSuite.KeyExchange.PSK, suite.keyExchange(), "this client speaks plain PSK only");
        ByteBuf encoded = Tls12Messages.encodeClientKeyExchange(ALLOC, CipherSuite.KeyExchange.PSK, identity, null);
        byte[] cke;
        try {
            cke = ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
        }
        tls12Transcript.add(Unpooled.wrappedBuffer(cke));
        tls12Prf = new Tls12Prf(suite.hash());
        byte[] premaster = PskPremaster.plain(secret);
        tls12Master = serverHello.extendedMasterSecret()
                ? tls12Prf.extendedMasterSecret(premaster, tls12Transcript.currentHash())
                : tls12Prf.masterSecret(premaster, tls12ClientRandom, serverHello.random());
        byte[] block = tls12Prf.keyBlock(tls12Master, serverHello.random(), tls12ClientRandom,
                Tls12KeyBlock.length(suite));
        tls12Keys = Tls12KeyBlock.split(suite, block);
        tls12ClientWrite = tls12Keys.forWriting(true, serverHello.encryptThenMac());
        tls12ServerWrite = tls12Keys.forReading(true, serverHello.encryptThenMac());
        return cke;
    }

    /** The client Finished over the transcript so far (RFC 5246 section 7.4.9), added to the transcript. */
    byte[] tls12ClientFinished() {
        byte[] finished = HostileWire.handshake(HandshakeType.FINISHED,
                tls12Prf.verifyData(tls12Master, true, tls12Transcript.currentHash()));
        tls12Transcript.add(Unpooled.wrappedBuffer(finished));
        return finished;
    }

    /** The server Finished a correct server sends now. */
    byte[] tls12ExpectedServerFinished() {
        return HostileWire.handshake(HandshakeType.FINISHED,
                tls12Prf.verifyData(tls12Master, false, tls12Transcript.currentHash()));
    }

    /**
     * The whole TLS 1.2 handshake with {@code hello} and the shared identity and key of {@link HostileClientHello}:
     * ClientKeyExchange, change_cipher_spec and Finished in one read; the server must answer with exactly
     * change_cipher_spec and a Finished that verifies, and its future must succeed.
     */
    void completeTls12Handshake(HostileClientHello hello) throws Exception {
        sendTls12Hello(hello);
        byte[] cke = tls12ClientKeyExchange(HostileClientHello.IDENTITY.getBytes(StandardCharsets.UTF_8),
                HostileClientHello.KEY);
        byte[] finished = tls12ClientFinished();
        assertTrue(send(HostileWire.concat(HostileWire.record(ContentType.HANDSHAKE, cke),
                HostileWire.record(ContentType.CHANGE_CIPHER_SPEC, new byte[] {1}),
                seal12(ContentType.HANDSHAKE, finished))));
        List<HostileWire.Rec> out = HostileWire.records(takeOutbound());
        assertEquals(2, out.size(), () -> "expected change_cipher_spec and Finished, got " + out);
        assertEquals(ContentType.CHANGE_CIPHER_SPEC, out.get(0).type());
        assertArrayEquals(new byte[] {1}, out.get(0).fragment());
        assertEquals(ContentType.HANDSHAKE, out.get(1).type(), "TLS 1.2 keeps the real type in the header");
        HostileWire.Rec serverFinished = open12(out.get(1));
        assertArrayEquals(tls12ExpectedServerFinished(), serverFinished.fragment(), "server Finished does not verify");
        tls12Transcript.add(Unpooled.wrappedBuffer(serverFinished.fragment()));
        channel.runPendingTasks();
        assertTrue(handshakeFuture().isSuccess(), () -> "handshake failed: " + handshakeFuture().cause());
    }

    /** A TLS 1.2 record protected with this client's write keys. */
    byte[] seal12(int type, byte[] content) throws TlsAlertException {
        ByteBuf in = Unpooled.wrappedBuffer(content);
        ByteBuf out = tls12ClientWrite.seal(ALLOC, type, in);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Opens one TLS 1.2 record of the server's, protected after its change_cipher_spec. */
    HostileWire.Rec open12(HostileWire.Rec record) throws TlsAlertException {
        TlsRecord in = new TlsRecord(record.type(), Unpooled.wrappedBuffer(record.fragment()));
        TlsRecord plain = tls12ServerWrite.open(ALLOC, in);
        try {
            return new HostileWire.Rec(plain.contentType(), ByteBufUtil.getBytes(plain.content()));
        } finally {
            plain.release();
            in.release();
        }
    }

    /** The only thing the server wrote since the last take is a TLS 1.2-protected fatal alert {@code d}. */
    void assertTls12ProtectedFatalAlertSent(AlertDescription d) throws TlsAlertException {
        List<HostileWire.Rec> records = HostileWire.records(takeOutbound());
        assertEquals(1, records.size(), () -> "expected one alert record, got " + records);
        assertEquals(ContentType.ALERT, records.get(0).type(), "TLS 1.2 keeps the real type in the header");
        HostileWire.Rec alert = open12(records.get(0));
        assertEquals(ContentType.ALERT, alert.type());
        assertArrayEquals(new byte[] {2, (byte) d.code()}, alert.fragment(), "expected fatal " + d.rfcName());
    }

    @Override
    public void close() {
        super.close();
        share.destroy();
        if (schedule != null) {
            schedule.destroy();
        }
        if (serverWrite != null) {
            serverWrite.destroy();
        }
        if (clientWrite != null) {
            clientWrite.destroy();
        }
        if (tls12ClientWrite != null) {
            tls12ClientWrite.destroy();
        }
        if (tls12ServerWrite != null) {
            tls12ServerWrite.destroy();
        }
        if (tls12Keys != null) {
            tls12Keys.destroy();
        }
        if (tls12Master != null) {
            java.util.Arrays.fill(tls12Master, (byte) 0);
        }
    }
}
