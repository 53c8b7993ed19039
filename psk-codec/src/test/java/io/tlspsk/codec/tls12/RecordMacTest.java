package io.tlspsk.codec.tls12;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tlspsk.codec.crypto.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link RecordMac}: HMAC as RFC 2104 and RFC 4231 define it, equal to the JDK's for every length and split. */
class RecordMacTest {

    @Test
    void matchesRfc4231TestCase1() {
        // RFC 4231 section 4.2: key = 0x0b x 20, data = "Hi There".
        byte[] key = new byte[20];
        java.util.Arrays.fill(key, (byte) 0x0b);
        RecordMac mac = new RecordMac(MacHash.of(HashAlgorithm.SHA256), key);
        mac.update("Hi There".getBytes(StandardCharsets.US_ASCII));
        byte[] out = new byte[32];
        mac.finish(out, 0);
        assertArrayEquals(HexFormat.of().parseHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                out);
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void equalsTheJdkHmacForEveryLengthAndSplit(HashAlgorithm hash) throws Exception {
        byte[] key = Tls12RecordProtectionTest.random(hash.length());
        Mac jdk = Mac.getInstance(hash.macName());
        jdk.init(new SecretKeySpec(key, hash.macName()));
        RecordMac ours = new RecordMac(MacHash.of(hash), key);
        assertEquals(hash.length(), ours.length());
        byte[] data = Tls12RecordProtectionTest.random(600);
        byte[] out = new byte[hash.length() + 3];
        for (int length = 0; length <= data.length; length += length < 300 ? 1 : 37) {
            int split = length / 3;
            ours.update(data, 0, split);
            ours.update(data, split, length - split);
            ours.finish(out, 3);
            jdk.update(data, 0, length);
            byte[] expected = jdk.doFinal();
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 3, out.length), "length " + length);
        }
        // a MAC dropped half-way leaves no trace in the next one
        ours.update(data, 0, 100);
        ours.reset();
        ours.update(data, 0, 10);
        ours.finish(out, 0);
        jdk.update(data, 0, 10);
        assertArrayEquals(jdk.doFinal(), java.util.Arrays.copyOf(out, hash.length()));
        ours.destroy();
    }

    @Test
    void refusesAKeyLongerThanAHashBlock() {
        assertThrows(IllegalArgumentException.class, () -> new RecordMac(MacHash.of(HashAlgorithm.SHA256), new byte[65]));
    }
}
