package io.tlspsk.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.tlspsk.codec.crypto.CryptoBackend;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code _accp} stacks: ACCP's native AES-GCM really serves our records (CryptoBackend picked it), and what
 * arrives is byte for byte what was sent, both ways, for full and small records (ACCP decrypts from the inbound
 * record's array into a new buffer, a path SunJCE never takes). Its own class, so its own JVM (the benchmarks
 * module forks one per test class): CryptoBackend chooses once per JVM.
 */
@Timeout(60)
class AccpStacksSmokeTest {

    @Test
    void oursWithAccpMovesExactBytesBothWays() throws Exception {
        try (Stack stack = Stack.create("ours_accp", Stack.AES)) {
            assertTrue(CryptoBackend.describe().startsWith("AES-GCM: AmazonCorrettoCryptoProvider"),
                    CryptoBackend.describe());
            InMemoryPair pair = new InMemoryPair(stack);
            ByteBuf payload = ByteBufAllocator.DEFAULT.buffer(16384);
            try {
                pair.handshake();
                stack.checkNegotiated(pair.serverTls);
                for (int size : new int[] {16384, 1, 256, 16383}) {
                    payload.clear();
                    for (int i = 0; i < size; i++) {
                        payload.writeByte(i * 13 + size);
                    }
                    byte[] sent = ByteBufUtil.getBytes(payload);
                    for (boolean s2c : new boolean[] {true, false}) {
                        InMemoryPair.Sink sink = s2c ? pair.clientSink : pair.serverSink;
                        sink.kept = new ByteArrayOutputStream();
                        assertEquals(size, pair.transfer(s2c, payload));
                        assertArrayEquals(sent, sink.kept.toByteArray(), (s2c ? "s2c " : "c2s ") + size);
                    }
                }
                assertEquals(1, payload.refCnt());
            } finally {
                pair.close();
                payload.release();
            }
        }
    }

    @Test
    void handshakesWithAccpInBothModesAndOverItsP256() throws Exception {
        for (String name : new String[] {"ours_psk_ke_accp", "ours_psk_dhe_ke_accp", "ours_psk_dhe_ke_p256_accp"}) {
            try (Stack stack = Stack.create(name, Stack.AES)) {
                InMemoryPair pair = new InMemoryPair(stack);
                try {
                    pair.handshake();
                    stack.checkNegotiated(pair.serverTls);
                    stack.checkNegotiated(pair.clientTls);
                } finally {
                    pair.close();
                }
            }
        }
    }
}
