package io.tlspsk.codec.tls12;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

/** {@link PskPremaster}: the RFC 4279 section 2 and RFC 5489 section 2 layouts. */
class PskPremasterTest {

    @Test
    void plainIsLengthZerosLengthPsk() {
        assertArrayEquals(Hex.decode("0003" + "000000" + "0003" + "0a0b0c"),
                PskPremaster.plain(Hex.decode("0a0b0c")));
        byte[] psk = new byte[300];
        psk[0] = 1;
        byte[] pm = PskPremaster.plain(psk);
        assertArrayEquals(Hex.decode("012c"), java.util.Arrays.copyOfRange(pm, 0, 2));
        assertArrayEquals(new byte[300], java.util.Arrays.copyOfRange(pm, 2, 302));
        assertArrayEquals(Hex.decode("012c01"), java.util.Arrays.copyOfRange(pm, 302, 305));
    }

    @Test
    void withOtherSecretIsLengthOtherLengthPsk() {
        assertArrayEquals(Hex.decode("0002" + "abcd" + "0004" + "01020304"),
                PskPremaster.withOtherSecret(Hex.decode("abcd"), Hex.decode("01020304")));
    }

    @Test
    void dhOtherSecretStripsLeadingZeroBytesAndZeroesItsInput() {
        // RFC 5246 section 8.1.2: the DH result's leading zero bytes go, the others (even zero ones) stay.
        byte[] z = Hex.decode("0000a1000b");
        assertArrayEquals(Hex.decode("a1000b"), PskPremaster.dhOtherSecret(z));
        assertArrayEquals(new byte[5], z);
        assertArrayEquals(Hex.decode("80ff"), PskPremaster.dhOtherSecret(Hex.decode("80ff")));
        assertThrows(IllegalArgumentException.class, () -> PskPremaster.dhOtherSecret(new byte[256]));
    }

    @Test
    void rejectsEmptyAndOversizedInputs() {
        assertThrows(IllegalArgumentException.class, () -> PskPremaster.plain(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> PskPremaster.plain(new byte[65536]));
        assertThrows(IllegalArgumentException.class, () -> PskPremaster.withOtherSecret(new byte[0], new byte[1]));
    }
}
