package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.KeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.EncryptedExtensions;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.MessageWriter;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.handshake.Transcript;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.Tls13RecordProtection;
import io.tlspsk.codec.record.TlsRecord;
import io.tlspsk.codec.tls12.Tls12Messages;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written server talking to a real client handler: it reads the ClientHello the client sent on becoming
 * active, and answers with whatever ServerHello or HelloRetryRequest a test builds.
 */
final class HostileServer extends HostilePeer {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** The latest ClientHello, parsed, and its bytes. */
    ClientHello hello;
    byte[] helloMessage;
    /** What came with the latest ClientHello, e.g. a compatibility change_cipher_spec before it. */
    List<HostileWire.Rec> lastFlight;

    HostileServer(PskTlsContext clientContext) {
        super(clientContext);
        readClientHello();
    }

    /** A client with {@link HostileClientHello#psk()} and every other setting at its default. */
    /** A client that speaks TLS 1.3 only: these hostile server flights test the TLS 1.3 rules. */
    static HostileServer againstDefaultClient() {
        return new HostileServer(PskTlsContext.forClient().addPsk(HostileClientHello.psk())
                .protocols(TlsVersion.TLS_1_3).build());
    }

    /** Takes what the client wrote, which must end with a ClientHello, and parses that hello. */
    ClientHello readClientHello() {
        lastFlight = HostileWire.records(takeOutbound());
        HostileWire.Rec last = lastFlight.get(lastFlight.size() - 1);
        assertEquals(ContentType.HANDSHAKE, last.type(), () -> "expected a ClientHello, got " + lastFlight);
        helloMessage = last.fragment();
        assertEquals(HandshakeType.CLIENT_HELLO, helloMessage[0]);
        try {
            hello = ClientHello.parse(Unpooled.wrappedBuffer(HostileWire.body(helloMessage)), 64);
        } catch (TlsAlertException e) {
            throw new AssertionError("client sent an unparsable ClientHello", e);
        }
        return hello;
    }

    /** The client's single key share. */
    KeyShareEntry clientShare() {
        assertEquals(1, hello.keyShares().size());
        return hello.keyShares().get(0);
    }

    /** A fresh public key of {@code group}, as a server would send. */
    static byte[] publicKey(NamedGroup group) {
        KeyShare share = CryptoBackend.generateKeyShare(group);
        try {
            return share.publicKey();
        } finally {
            share.destroy();
        }
    }

    /** A ServerHello made by the codec's encoder, echoing the session id. */
    byte[] serverHello(int suite, int selectedIdentity, KeyShareEntry share) {
        return serverHello(hello.legacySessionId(), suite, selectedIdentity, share);
    }

    static byte[] serverHello(byte[] sessionIdEcho, int suite, int selectedIdentity, KeyShareEntry share) {
        return bytes(ServerHello.encodeServerHello(ALLOC, HostileWire.pattern(32, 7), sessionIdEcho, suite,
                selectedIdentity, share));
    }

    /** The ServerHello a correct server would send: suite 0x1301, identity 0, an x25519 share. */
    byte[] validServerHello() {
        return serverHello(0x1301, 0, new KeyShareEntry(NamedGroup.X25519.id(), publicKey(NamedGroup.X25519)));
    }

    /**
     * A TLS 1.2 ServerHello from {@link Tls12Messages#encodeServerHello}, as a correct server would answer this
     * client's hello with {@code suite} and {@code random}: no session id, renegotiation_info and
     * extended_master_secret when the client signalled them, encrypt_then_mac for a CBC suite the client asked it
     * for, ec_point_formats for an ECDHE_PSK suite.
     */
    byte[] tls12ServerHello(CipherSuite suite, byte[] random) {
        Tls12Messages.ServerHelloParams p = tls12ServerHelloParams(suite, random);
        return bytes(Tls12Messages.encodeServerHello(ALLOC, p));
    }

    /** The parameters {@link #tls12ServerHello} encodes, for a test to change one. */
    Tls12Messages.ServerHelloParams tls12ServerHelloParams(CipherSuite suite, byte[] random) {
        Tls12Messages.ServerHelloParams p = new Tls12Messages.ServerHelloParams();
        p.random = random;
        p.cipherSuite = suite;
        p.secureRenegotiation = hello.offersRenegotiationInfoScsv() || hello.hasRenegotiationInfo();
        p.extendedMasterSecret = hello.offersExtendedMasterSecret();
        p.encryptThenMac = suite.isCbc() && hello.offersEncryptThenMac();
        p.ecPointFormats = suite.keyExchange() == CipherSuite.KeyExchange.ECDHE_PSK;
        return p;
    }

    static byte[] encode(Tls12Messages.ServerHelloParams p) {
        return bytes(Tls12Messages.encodeServerHello(ALLOC, p));
    }

    byte[] helloRetryRequest(int suite, int group) {
        return bytes(ServerHello.encodeHelloRetryRequest(ALLOC, hello.legacySessionId(), suite, group));
    }

    /**
     * A ServerHello body written field by field, for what the encoder cannot produce: any legacy_version,
     * compression and extension list ({@code extensions} is a list of type, data pairs).
     */
    byte[] rawServerHello(int legacyVersion, byte[] random, int suite, int compression, Object... extensions) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.beginMessage(HandshakeType.SERVER_HELLO).u16(legacyVersion).bytes(random)
                .bytes8(hello.legacySessionId()).u16(suite).u8(compression).begin16();
        for (int i = 0; i < extensions.length; i += 2) {
            w.beginExtension((Integer) extensions[i]).bytes((byte[]) extensions[i + 1]).end();
        }
        w.end().end();
        return ByteBufUtil.getBytes(w.buffer());
    }

    // ---- the server's key schedule, for tests that get past the ServerHello ----

    final CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
    private KeyShare serverShare;
    private Tls13KeySchedule schedule;
    private Transcript transcript;
    private byte[] clientHandshakeSecret;
    private byte[] serverHandshakeSecret;
    private byte[] clientApplicationSecret;
    /** Protects what this server sends: handshake key, then application key after its Finished. */
    Tls13RecordProtection serverWrite;
    /** Opens what the client sends: its handshake key, then its application key after its Finished. */
    Tls13RecordProtection clientWrite;

    /** Sends a correct ServerHello (suite 0x1301, identity 0, x25519) and derives the handshake keys. */
    void sendValidServerHelloAndDeriveKeys() throws Exception {
        serverShare = CryptoBackend.generateKeyShare(NamedGroup.X25519);
        byte[] sh = serverHello(suite.id(), 0, new KeyShareEntry(NamedGroup.X25519.id(), serverShare.publicKey()));
        byte[] shared = serverShare.agree(clientShare().keyExchange());
        transcript = new Transcript();
        transcript.selectHash(suite.hash());
        transcript.add(Unpooled.wrappedBuffer(helloMessage));
        transcript.add(Unpooled.wrappedBuffer(sh));
        schedule = new Tls13KeySchedule(suite.hash(), HostileClientHello.KEY);
        schedule.deriveHandshakeSecret(shared);
        byte[] th = transcript.currentHash();
        clientHandshakeSecret = schedule.clientHandshakeTrafficSecret(th);
        serverHandshakeSecret = schedule.serverHandshakeTrafficSecret(th);
        serverWrite = new Tls13RecordProtection(suite, schedule.hkdf(), serverHandshakeSecret, -1);
        clientWrite = new Tls13RecordProtection(suite, schedule.hkdf(), clientHandshakeSecret, -1);
        sendHandshake(sh);
    }

    /** EncryptedExtensions as a correct server answers this client (no SNI or ALPN asked for). */
    byte[] validEncryptedExtensions() {
        return bytes(EncryptedExtensions.encode(ALLOC, null, false));
    }

    /** Adds {@code message} to the transcript as sent by the server; returns it. */
    byte[] transcribe(byte[] message) {
        transcript.add(Unpooled.wrappedBuffer(message));
        return message;
    }

    /** The server Finished over the transcript so far. */
    byte[] serverFinished() {
        return HostileWire.handshake(HandshakeType.FINISHED,
                schedule.verifyData(serverHandshakeSecret, transcript.currentHash()));
    }

    /**
     * Sends EncryptedExtensions and a correct Finished, each in its own protected record, then switches to the
     * server application key and checks the client's answer: change_cipher_spec and a Finished that verifies.
     */
    void completeHandshake() throws Exception {
        sendProtected(ContentType.HANDSHAKE, transcribe(validEncryptedExtensions()));
        sendProtected(ContentType.HANDSHAKE, transcribe(serverFinished()));
        byte[] th = transcript.currentHash();
        byte[] expectedClientFinished = HostileWire.handshake(HandshakeType.FINISHED,
                schedule.verifyData(clientHandshakeSecret, th));
        schedule.deriveMasterSecret();
        clientApplicationSecret = schedule.clientApplicationTrafficSecret(th);
        serverWrite.destroy();
        serverWrite = new Tls13RecordProtection(suite, schedule.hkdf(), schedule.serverApplicationTrafficSecret(th), -1);
        List<HostileWire.Rec> out = withoutChangeCipherSpec(HostileWire.records(takeOutbound()));
        assertEquals(1, out.size(), () -> "expected the client Finished, got " + out);
        HostileWire.Rec finished = open(out.get(0));
        assertEquals(ContentType.HANDSHAKE, finished.type());
        assertArrayEquals(expectedClientFinished, finished.fragment(), "client Finished does not verify");
        clientWrite.destroy();
        clientWrite = new Tls13RecordProtection(suite, schedule.hkdf(), clientApplicationSecret, -1);
        assertTrue(handshakeFuture().isSuccess(), () -> "client handshake failed: " + handshakeFuture().cause());
    }

    boolean sendProtected(int type, byte[] content) throws TlsAlertException {
        return send(seal(type, content));
    }

    /** A record protected with the current server key. */
    byte[] seal(int type, byte[] content) throws TlsAlertException {
        ByteBuf in = Unpooled.wrappedBuffer(content);
        ByteBuf out = serverWrite.seal(ALLOC, type, in);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Opens one protected record of the client's. */
    HostileWire.Rec open(HostileWire.Rec record) throws TlsAlertException {
        assertEquals(ContentType.APPLICATION_DATA, record.type(), "the client sent an unprotected " + record);
        TlsRecord in = new TlsRecord(record.type(), Unpooled.wrappedBuffer(record.fragment()));
        TlsRecord plain = clientWrite.open(ALLOC, in);
        try {
            return new HostileWire.Rec(plain.contentType(), ByteBufUtil.getBytes(plain.content()));
        } finally {
            plain.release();
            in.release();
        }
    }

    static List<HostileWire.Rec> withoutChangeCipherSpec(List<HostileWire.Rec> records) {
        List<HostileWire.Rec> out = new ArrayList<>();
        for (HostileWire.Rec r : records) {
            if (r.type() != ContentType.CHANGE_CIPHER_SPEC) {
                out.add(r);
            }
        }
        return out;
    }

    /** Since the last take the client wrote (besides a change_cipher_spec) exactly a protected fatal alert. */
    void assertProtectedFatalAlertSent(AlertDescription d) throws TlsAlertException {
        List<HostileWire.Rec> out = withoutChangeCipherSpec(HostileWire.records(takeOutbound()));
        assertEquals(1, out.size(), () -> "expected one alert record, got " + out);
        HostileWire.Rec alert = open(out.get(0));
        assertEquals(ContentType.ALERT, alert.type());
        assertArrayEquals(new byte[] {2, (byte) d.code()}, alert.fragment(), "expected fatal " + d.rfcName());
    }

    @Override
    public void close() {
        super.close();
        for (Object o : new Object[] {serverShare, schedule, serverWrite, clientWrite}) {
            if (o instanceof KeyShare) {
                ((KeyShare) o).destroy();
            } else if (o instanceof Tls13KeySchedule) {
                ((Tls13KeySchedule) o).destroy();
            } else if (o instanceof Tls13RecordProtection) {
                ((Tls13RecordProtection) o).destroy();
            }
        }
    }

    /** Sends handshake messages in one record. */
    boolean sendHandshake(byte[]... messages) {
        return send(HostileWire.record(ContentType.HANDSHAKE, HostileWire.concat(messages)));
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }
}
