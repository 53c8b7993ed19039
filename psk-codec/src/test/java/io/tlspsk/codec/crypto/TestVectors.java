package io.tlspsk.codec.crypto;

import java.security.SecureRandom;
import org.bouncycastle.util.encoders.Hex;

/** Helpers shared by the crypto tests. */
final class TestVectors {

    static final SecureRandom RANDOM = new SecureRandom();

    private TestVectors() {
    }

    /** Decodes hex that may contain spaces and line breaks, as RFCs print it. */
    static byte[] hex(String s) {
        return Hex.decode(s.replaceAll("\\s", ""));
    }

    static byte[] random(int length) {
        byte[] b = new byte[length];
        RANDOM.nextBytes(b);
        return b;
    }
}
