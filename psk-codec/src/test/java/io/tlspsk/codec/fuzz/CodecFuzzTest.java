package io.tlspsk.codec.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.EncryptedExtensions;
import io.tlspsk.codec.handshake.HandshakeReassembler;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.record.TlsRecord;
import io.tlspsk.codec.record.TlsRecordDecoder;
import io.tlspsk.codec.tls12.Tls12Messages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz tests of the wire parsers. The contract for every target: a parser returns or throws
 * {@link TlsAlertException} (the record decoder: a {@link DecoderException} caused by one); any other throwable
 * propagates and is a finding. Every buffer handed in must end with a reference count of 0, checked per input, so a
 * leak is found deterministically and not only when Netty's sampling leak detector happens to see it.
 *
 * <p>Without {@code JAZZER_FUZZ} (as in CI) each method runs once per file in
 * {@code src/test/resources/io/tlspsk/codec/fuzz/CodecFuzzTestInputs/<method>/}. With {@code JAZZER_FUZZ=1} one
 * selected method is fuzzed for {@code maxDuration}.
 *
 * <p>Per-input hang timeout: in fuzzing mode Jazzer 0.30.0 hands a JUnit {@link Timeout} (the method's, else the
 * class's) to libFuzzer as {@code -timeout=<seconds>}, so an input that runs longer than 10 s is reported as a
 * timeout finding and saved like a crash (every input here takes milliseconds). In regression mode JUnit applies it
 * to each seed. The root pom's {@code jazzer-fuzzing} profile (active when {@code JAZZER_FUZZ} is set) turns JUnit's
 * own timeouts off while fuzzing, since to JUnit the whole fuzzing run is one invocation.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CodecFuzzTest {

    private static final CipherSuite.KeyExchange[] TLS12_KINDS = {
        CipherSuite.KeyExchange.PSK, CipherSuite.KeyExchange.DHE_PSK, CipherSuite.KeyExchange.ECDHE_PSK};

    /** Input: one chunking byte (see {@link Chunks}), then the byte stream a peer sends. */
    @FuzzTest(maxDuration = "60s")
    void recordDecoder(byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        List<ByteBuf> given = new ArrayList<>();
        int total = 0;
        int recordBytes = 0;
        boolean failed = false;
        try {
            for (byte[] chunk : Chunks.split(input)) {
                // Records decoded before a violation in the same read are still delivered; none after it.
                boolean failedEarlier = failed;
                total += chunk.length;
                ByteBuf buf = Unpooled.copiedBuffer(chunk);
                given.add(buf);
                try {
                    ch.writeInbound(buf);
                } catch (DecoderException e) {
                    if (!(e.getCause() instanceof TlsAlertException)) {
                        throw e;
                    }
                    failed = true;
                }
                for (Object o; (o = ch.readInbound()) != null; ) {
                    TlsRecord r = (TlsRecord) o; // anything else is a finding (ClassCastException)
                    try {
                        assertFalse(failedEarlier, "record emitted after the decoder failed");
                        assertTrue(ContentType.isKnown(r.contentType()), "unknown content type passed");
                        assertTrue(r.content().readableBytes() <= RecordLimits.MAX_CIPHERTEXT_LENGTH, "overlong");
                        recordBytes += RecordLimits.HEADER_LENGTH + r.content().readableBytes();
                    } finally {
                        r.release();
                    }
                }
            }
            assertTrue(recordBytes <= total, "records hold more bytes than were received");
        } finally {
            try {
                ch.finishAndReleaseAll();
            } catch (DecoderException e) {
                if (!(e.getCause() instanceof TlsAlertException)) {
                    throw e;
                }
            }
        }
        for (ByteBuf b : given) {
            assertEquals(0, b.refCnt(), "input buffer leaked by TlsRecordDecoder");
        }
    }

    /** Input: a ClientHello body (no handshake header). */
    @FuzzTest(maxDuration = "60s")
    void clientHello(byte[] input) {
        ByteBuf body = Unpooled.wrappedBuffer(input);
        try {
            ClientHello hello = ClientHello.parse(body, 64);
            assertNotNull(hello);
            assertEquals(0, body.readerIndex(), "parse moved the caller's reader index");
            // The lazily parsed TLS 1.2 accessors are part of the parser's surface as well.
            try {
                hello.checkTls12Extensions();
                hello.renegotiationInfo();
                hello.ecPointFormats();
            } catch (TlsAlertException expected) {
                // rejected: fine
            }
        } catch (TlsAlertException expected) {
            // rejected: fine
        } finally {
            assertEquals(1, body.refCnt(), "ClientHello.parse retained its input");
            body.release();
        }
    }

    /** Input: a ServerHello (or HelloRetryRequest) body. */
    @FuzzTest(maxDuration = "60s")
    void serverHello(byte[] input) {
        ByteBuf body = Unpooled.wrappedBuffer(input);
        try {
            for (int variant = 0; variant < 3; variant++) {
                try {
                    ServerHello sh = variant == 0 ? ServerHello.parse(body, true)
                            : variant == 1 ? ServerHello.parse(body, false) : ServerHello.parse(body);
                    assertNotNull(sh);
                } catch (TlsAlertException expected) {
                    // rejected: fine
                }
                assertEquals(0, body.readerIndex(), "parse moved the caller's reader index");
            }
        } finally {
            assertEquals(1, body.refCnt(), "ServerHello.parse retained its input");
            body.release();
        }
    }

    /** Input: an EncryptedExtensions body; parsed with each combination of what the client offered. */
    @FuzzTest(maxDuration = "60s")
    void encryptedExtensions(byte[] input) {
        ByteBuf body = Unpooled.wrappedBuffer(input);
        try {
            for (int offered = 0; offered < 4; offered++) {
                try {
                    assertNotNull(EncryptedExtensions.parse(body, (offered & 1) != 0, (offered & 2) != 0));
                } catch (TlsAlertException expected) {
                    // rejected: fine
                }
            }
        } finally {
            assertEquals(1, body.refCnt(), "EncryptedExtensions.parse retained its input");
            body.release();
        }
    }

    /** Input: a ServerKeyExchange or ClientKeyExchange body; parsed as both, for each TLS 1.2 PSK key exchange. */
    @FuzzTest(maxDuration = "60s")
    void tls12KeyExchange(byte[] input) {
        ByteBuf body = Unpooled.wrappedBuffer(input);
        try {
            for (CipherSuite.KeyExchange kind : TLS12_KINDS) {
                try {
                    Tls12Messages.ServerKeyExchange ske = Tls12Messages.parseServerKeyExchange(body, kind);
                    assertEquals(kind, ske.kind());
                    if (kind == CipherSuite.KeyExchange.ECDHE_PSK) {
                        ske.group(); // may be null for an unknown curve, must not throw anything else
                    }
                } catch (TlsAlertException expected) {
                    // rejected: fine
                }
                try {
                    assertNotNull(Tls12Messages.parseClientKeyExchange(body, kind));
                } catch (TlsAlertException expected) {
                    // rejected: fine
                }
            }
        } finally {
            assertEquals(1, body.refCnt(), "Tls12Messages parsers retained their input");
            body.release();
        }
    }

    /**
     * Input: a chunking byte, then handshake record payloads: each chunk is added as one record fragment and every
     * complete message is taken out. Limit 32 KiB.
     */
    @FuzzTest(maxDuration = "60s")
    void handshakeReassembler(byte[] input) {
        HandshakeReassembler r = new HandshakeReassembler(ByteBufAllocator.DEFAULT, 32 * 1024);
        List<ByteBuf> given = new ArrayList<>();
        int total = 0;
        int out = 0;
        try {
            chunks:
            for (byte[] chunk : Chunks.split(input)) {
                ByteBuf fragment = Unpooled.copiedBuffer(chunk);
                given.add(fragment);
                total += chunk.length;
                r.add(fragment);
                while (true) {
                    ByteBuf message;
                    try {
                        message = r.next();
                    } catch (TlsAlertException expected) {
                        break chunks; // the handler stops at the first alert
                    }
                    if (message == null) {
                        break;
                    }
                    try {
                        int len = message.getUnsignedMedium(message.readerIndex() + 1);
                        assertTrue(len <= 32 * 1024, "message over the limit returned");
                        assertEquals(HandshakeType.HEADER_LENGTH + len, message.readableBytes());
                        out += message.readableBytes();
                    } finally {
                        message.release();
                    }
                }
                assertEquals(total - out, r.bufferedBytes(), "bytes lost or invented");
                assertEquals(r.bufferedBytes() == 0, r.isEmpty());
            }
        } finally {
            r.release();
        }
        for (ByteBuf b : given) {
            assertEquals(0, b.refCnt(), "fragment leaked by HandshakeReassembler");
        }
    }
}
