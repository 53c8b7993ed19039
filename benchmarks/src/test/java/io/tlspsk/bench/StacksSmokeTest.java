package io.tlspsk.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stack the benchmarks measure handshakes in memory, negotiates what it is asked for and moves data both
 * ways without leaking (paranoid leak detection): so a benchmark run does not find out that a baseline broke.
 */
@Timeout(60)
class StacksSmokeTest {

    static Stream<Arguments> stacks() {
        return Stream.of(
                Arguments.of("plain", Stack.AES),
                Arguments.of("ours_psk_ke", Stack.AES),
                Arguments.of("ours_psk_dhe_ke", Stack.AES),
                Arguments.of("ours", Stack.CHACHA),
                Arguments.of("ours", Stack.AES),
                Arguments.of("ssl_jdk", Stack.AES),
                Arguments.of("ssl_jdk", Stack.CHACHA),
                Arguments.of("ssl_openssl", Stack.AES),
                Arguments.of("bc_bc", Stack.AES),
                Arguments.of("bc_bc", Stack.CHACHA),
                Arguments.of("bc_jca", Stack.AES));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stacks")
    void handshakeAndTransfer(String name, String cipher) throws Exception {
        if (name.equals("ssl_openssl")) {
            assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL not available: " + OpenSsl.unavailabilityCause());
        }
        try (Stack stack = Stack.create(name, cipher)) {
            for (int round = 0; round < 2; round++) {
                InMemoryPair pair = new InMemoryPair(stack);
                ByteBuf payload = ByteBufAllocator.DEFAULT.buffer(16384);
                try {
                    pair.handshake();
                    stack.checkNegotiated(pair.serverTls);
                    stack.checkNegotiated(pair.clientTls);
                    for (int size : new int[] {16384, 256}) {
                        payload.clear();
                        for (int i = 0; i < size; i++) {
                            payload.writeByte(i);
                        }
                        assertEquals(size, pair.transfer(true, payload), "server to client");
                        assertEquals(size, pair.transfer(false, payload), "client to server");
                        assertEquals(1, payload.refCnt(), "the stack kept or over-released the payload");
                    }
                } finally {
                    pair.close();
                    payload.release();
                }
            }
        }
    }
}
