package io.tlspsk.codec.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a fuzzer input into a stream and the read boundaries it arrives in. The first byte selects the chunking:
 * 0 delivers the rest in one piece, any other value seeds a small generator of chunk sizes between 1 and 64, so
 * the fuzzer can reach the partial-header and partial-body paths of the decoders. Seeds on disk are therefore one
 * chunking byte followed by the wire bytes.
 */
public final class Chunks {

    private Chunks() {
    }

    public static List<byte[]> split(byte[] input) {
        List<byte[]> out = new ArrayList<>();
        if (input.length <= 1) {
            return out;
        }
        int seed = input[0] & 0xff;
        if (seed == 0) {
            out.add(Arrays.copyOfRange(input, 1, input.length));
            return out;
        }
        int state = seed * 0x9E3779B1;
        int pos = 1;
        while (pos < input.length) {
            state = state * 1103515245 + 12345;
            int size = 1 + ((state >>> 16) & 63);
            int end = Math.min(input.length, pos + size);
            out.add(Arrays.copyOfRange(input, pos, end));
            pos = end;
        }
        return out;
    }
}
