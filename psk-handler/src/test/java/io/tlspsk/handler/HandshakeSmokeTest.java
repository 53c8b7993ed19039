package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandshakeSmokeTest {

    static final byte[] KEY = new byte[32];
    static {
        for (int i = 0; i < 32; i++) {
            KEY[i] = (byte) i;
        }
    }

    @Test
    void clientAndServerAgreeAndExchangeData() {
        ExternalPsk psk = ExternalPsk.of("device-1", KEY, HashAlgorithm.SHA256);
        PskTlsContext server = PskTlsContext.forServer(psk).build();
        PskTlsContext client = PskTlsContext.forClient().addPsk(psk).build();
        try (EmbeddedPair pair = new EmbeddedPair(client, server)) {
            pair.handshake();
            PskTlsSession s = pair.serverHandler().session();
            assertEquals("device-1", s.identityAsString());
            assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, s.cipherSuite());
            assertEquals(NamedGroup.X25519, s.group());
            pair.client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            pair.pump();
            assertEquals("ping", pair.serverEvents.drainText());
        }
    }
}
