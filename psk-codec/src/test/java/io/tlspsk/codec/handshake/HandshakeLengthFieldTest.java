package io.tlspsk.codec.handshake;

import static io.tlspsk.codec.handshake.ClientHelloTest.ALLOC;
import static io.tlspsk.codec.handshake.ClientHelloTest.X25519;
import static io.tlspsk.codec.handshake.ClientHelloTest.body;
import static io.tlspsk.codec.handshake.ClientHelloTest.fill;
import static io.tlspsk.codec.handshake.ClientHelloTest.pattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every length field of a ClientHello, ServerHello, HelloRetryRequest and EncryptedExtensions, one at a time, one
 * too small and one too large: each must be refused with decode_error (RFC 8446 section 6.2: "the length of the
 * message was incorrect"), never accepted and never answered with another alert.
 *
 * <p>The fields are located by walking valid encoder output with {@link WireReader}, so the table follows the
 * encoders rather than hard-coded offsets.
 */
class HandshakeLengthFieldTest {

    /** A length field: where it is in the message body and how many bytes wide it is. */
    record Field(String name, int offset, int width) {
        int read(byte[] body) {
            int v = 0;
            for (int i = 0; i < width; i++) {
                v = (v << 8) | (body[offset + i] & 0xff);
            }
            return v;
        }

        byte[] with(byte[] body, int value) {
            byte[] out = body.clone();
            for (int i = width - 1, v = value; i >= 0; i--, v >>>= 8) {
                out[offset + i] = (byte) v;
            }
            return out;
        }
    }

    /** Records the length fields met while walking a message. */
    private static final class Walker {
        final WireReader r;
        final List<Field> fields = new ArrayList<>();

        Walker(byte[] body) {
            r = new WireReader(Unpooled.wrappedBuffer(body));
        }

        int len8(String name) throws TlsAlertException {
            fields.add(new Field(name, r.position(), 1));
            return r.u8(name);
        }

        int len16(String name) throws TlsAlertException {
            fields.add(new Field(name, r.position(), 2));
            return r.u16(name);
        }

        void skip(int n) throws TlsAlertException {
            r.fixed(n, "skip");
        }

        /** Reads {@code length} bytes of a list with {@code entry} for each element. */
        void list(int length, Entry entry) throws TlsAlertException {
            int end = r.position() + length;
            for (int i = 0; r.position() < end; i++) {
                entry.read(i);
            }
            assertEquals(end, r.position(), "walker out of step");
        }

        interface Entry {
            void read(int index) throws TlsAlertException;
        }
    }

    private static String extName(int type) {
        switch (type) {
            case ExtensionType.SERVER_NAME: return "server_name";
            case ExtensionType.SUPPORTED_GROUPS: return "supported_groups";
            case ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION: return "alpn";
            case ExtensionType.PRE_SHARED_KEY: return "pre_shared_key";
            case ExtensionType.SUPPORTED_VERSIONS: return "supported_versions";
            case ExtensionType.COOKIE: return "cookie";
            case ExtensionType.PSK_KEY_EXCHANGE_MODES: return "psk_key_exchange_modes";
            case ExtensionType.KEY_SHARE: return "key_share";
            default: return "extension " + type;
        }
    }

    // ---- ClientHello ----

    static byte[] clientHelloBody() {
        return body(ClientHelloTest.encode(ClientHelloTest.fullParams()));
    }

    static List<Field> clientHelloFields(byte[] body) throws TlsAlertException {
        Walker w = new Walker(body);
        w.skip(2 + 32);
        w.skip(w.len8("legacy_session_id"));
        w.skip(w.len16("cipher_suites"));
        w.skip(w.len8("legacy_compression_methods"));
        w.list(w.len16("extensions"), i -> {
            int type = w.r.u16("type");
            String ext = extName(type);
            int length = w.len16(ext + " extension_data");
            int start = w.r.position();
            switch (type) {
                case ExtensionType.SERVER_NAME:
                    w.list(w.len16("server_name_list"), j -> {
                        w.skip(1);
                        w.skip(w.len16("host_name"));
                    });
                    break;
                case ExtensionType.SUPPORTED_VERSIONS:
                    w.skip(w.len8("supported_versions versions"));
                    break;
                case ExtensionType.SUPPORTED_GROUPS:
                    w.skip(w.len16("named_group_list"));
                    break;
                case ExtensionType.KEY_SHARE:
                    w.list(w.len16("client_shares"), j -> {
                        w.skip(2);
                        w.skip(w.len16("key_exchange[" + j + "]"));
                    });
                    break;
                case ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION:
                    w.list(w.len16("protocol_name_list"), j -> w.skip(w.len8("protocol_name[" + j + "]")));
                    break;
                case ExtensionType.COOKIE:
                    w.skip(w.len16("cookie"));
                    break;
                case ExtensionType.PSK_KEY_EXCHANGE_MODES:
                    w.skip(w.len8("ke_modes"));
                    break;
                case ExtensionType.PRE_SHARED_KEY:
                    w.list(w.len16("identities"), j -> {
                        w.skip(w.len16("identity[" + j + "]"));
                        w.skip(4);
                    });
                    w.list(w.len16("binders"), j -> w.skip(w.len8("binder[" + j + "]")));
                    break;
                default:
                    w.skip(length);
            }
            assertEquals(start + length, w.r.position(), ext + " walked wrongly");
        });
        w.r.expectEnd("ClientHello");
        return w.fields;
    }

    // ---- ServerHello, HelloRetryRequest ----

    static byte[] serverHelloBody() {
        ByteBuf m = ServerHello.encodeServerHello(ALLOC, pattern(32, 5), fill(32, 0x11), 0x1301, 1,
                new KeyShareEntry(X25519, pattern(32, 6)));
        try {
            return body(ByteBufUtil.getBytes(m));
        } finally {
            m.release();
        }
    }

    static byte[] helloRetryRequestBody() {
        ByteBuf m = ServerHello.encodeHelloRetryRequest(ALLOC, fill(32, 0x11), 0x1301, 0x0017);
        try {
            return body(ByteBufUtil.getBytes(m));
        } finally {
            m.release();
        }
    }

    static List<Field> serverHelloFields(byte[] body, boolean hrr) throws TlsAlertException {
        Walker w = new Walker(body);
        w.skip(2 + 32);
        w.skip(w.len8("legacy_session_id_echo"));
        w.skip(2 + 1);
        w.list(w.len16("extensions"), i -> {
            int type = w.r.u16("type");
            int length = w.len16(extName(type) + " extension_data");
            if (type == ExtensionType.KEY_SHARE && !hrr) {
                w.skip(2);
                w.skip(w.len16("key_exchange"));
            } else {
                w.skip(length);
            }
        });
        w.r.expectEnd("ServerHello");
        return w.fields;
    }

    // ---- EncryptedExtensions ----

    static byte[] encryptedExtensionsBody() {
        ByteBuf m = EncryptedExtensions.encode(ALLOC, "http/1.1", true);
        try {
            return body(ByteBufUtil.getBytes(m));
        } finally {
            m.release();
        }
    }

    static List<Field> encryptedExtensionsFields(byte[] body) throws TlsAlertException {
        Walker w = new Walker(body);
        w.list(w.len16("extensions"), i -> {
            int type = w.r.u16("type");
            int length = w.len16(extName(type) + " extension_data");
            if (type == ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION) {
                w.list(w.len16("protocol_name_list"), j -> w.skip(w.len8("protocol_name")));
            } else {
                w.skip(length);
            }
        });
        w.r.expectEnd("EncryptedExtensions");
        return w.fields;
    }

    // ---- the table ----

    private static Stream<Arguments> mutations(byte[] body, List<Field> fields) {
        List<Arguments> out = new ArrayList<>();
        for (Field f : fields) {
            int value = f.read(body);
            if (value > 0) {
                out.add(Arguments.of(f.name() + " - 1", f.with(body, value - 1)));
            }
            if (value < (1 << (8 * f.width())) - 1) {
                out.add(Arguments.of(f.name() + " + 1", f.with(body, value + 1)));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> clientHelloMutations() throws TlsAlertException {
        byte[] body = clientHelloBody();
        return mutations(body, clientHelloFields(body));
    }

    static Stream<Arguments> serverHelloMutations() throws TlsAlertException {
        byte[] body = serverHelloBody();
        return mutations(body, serverHelloFields(body, false));
    }

    static Stream<Arguments> helloRetryRequestMutations() throws TlsAlertException {
        byte[] body = helloRetryRequestBody();
        return mutations(body, serverHelloFields(body, true));
    }

    static Stream<Arguments> encryptedExtensionsMutations() throws TlsAlertException {
        byte[] body = encryptedExtensionsBody();
        return mutations(body, encryptedExtensionsFields(body));
    }

    private static void assertDecodeError(Executable parse, String field) {
        TlsAlertException e = assertThrows(TlsAlertException.class, parse, field + " was accepted");
        assertEquals(AlertDescription.DECODE_ERROR, e.description(), () -> field + ": " + e.getMessage());
    }

    private static ByteBuf buf(byte[] body) {
        return ALLOC.heapBuffer(body.length).writeBytes(body);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientHelloMutations")
    void clientHelloLengthOffByOneIsDecodeError(String field, byte[] mutated) {
        ByteBuf b = buf(mutated);
        try {
            assertDecodeError(() -> ClientHello.parse(b, 64), field);
        } finally {
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverHelloMutations")
    void serverHelloLengthOffByOneIsDecodeError(String field, byte[] mutated) {
        ByteBuf b = buf(mutated);
        try {
            assertDecodeError(() -> ServerHello.parse(b), field);
        } finally {
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helloRetryRequestMutations")
    void helloRetryRequestLengthOffByOneIsDecodeError(String field, byte[] mutated) {
        ByteBuf b = buf(mutated);
        try {
            assertDecodeError(() -> ServerHello.parse(b), field);
        } finally {
            b.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encryptedExtensionsMutations")
    void encryptedExtensionsLengthOffByOneIsDecodeError(String field, byte[] mutated) {
        ByteBuf b = buf(mutated);
        try {
            assertDecodeError(() -> EncryptedExtensions.parse(b, true, true), field);
        } finally {
            b.release();
        }
    }

    /** The table must cover every length field, or a new field in the encoder would go untested. */
    @Test
    void tableCoversEveryLengthFieldOfTheFixtures() throws Exception {
        Set<String> ch = names(clientHelloFields(clientHelloBody()));
        assertEquals(new TreeSet<>(List.of("legacy_session_id", "cipher_suites", "legacy_compression_methods",
                "extensions", "server_name extension_data", "server_name_list", "host_name",
                "supported_versions extension_data", "supported_versions versions",
                "supported_groups extension_data", "named_group_list", "key_share extension_data", "client_shares",
                "key_exchange[0]", "alpn extension_data", "protocol_name_list", "protocol_name[0]",
                "protocol_name[1]", "cookie extension_data", "cookie", "psk_key_exchange_modes extension_data",
                "ke_modes", "pre_shared_key extension_data", "identities", "identity[0]", "identity[1]", "binders",
                "binder[0]", "binder[1]")), ch);
        assertEquals(new TreeSet<>(List.of("legacy_session_id_echo", "extensions",
                "supported_versions extension_data", "key_share extension_data", "key_exchange",
                "pre_shared_key extension_data")), names(serverHelloFields(serverHelloBody(), false)));
        assertEquals(new TreeSet<>(List.of("legacy_session_id_echo", "extensions",
                "supported_versions extension_data", "key_share extension_data")),
                names(serverHelloFields(helloRetryRequestBody(), true)));
        assertEquals(new TreeSet<>(List.of("extensions", "server_name extension_data", "alpn extension_data",
                "protocol_name_list", "protocol_name")), names(encryptedExtensionsFields(encryptedExtensionsBody())));
    }

    /** The unmutated fixtures parse, so every rejection above is the mutation's doing. */
    @Test
    void unmutatedFixturesParse() throws Exception {
        ByteBuf ch = buf(clientHelloBody());
        ByteBuf sh = buf(serverHelloBody());
        ByteBuf hrr = buf(helloRetryRequestBody());
        ByteBuf ee = buf(encryptedExtensionsBody());
        try {
            assertEquals(2, ClientHello.parse(ch, 64).pskOffer().identities().size());
            assertEquals(1, ServerHello.parse(sh).selectedIdentity());
            assertTrue(ServerHello.parse(hrr).isHelloRetryRequest());
            assertEquals("http/1.1", EncryptedExtensions.parse(ee, true, true).applicationProtocol());
        } finally {
            ch.release();
            sh.release();
            hrr.release();
            ee.release();
        }
    }

    private static Set<String> names(List<Field> fields) {
        Set<String> out = new TreeSet<>();
        for (Field f : fields) {
            out.add(f.name());
        }
        return out;
    }
}
