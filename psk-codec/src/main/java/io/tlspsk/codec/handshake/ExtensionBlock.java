package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.alert.TlsAlertException;
import java.util.Arrays;

/**
 * An extension list as it appeared on the wire: types in order and their data as slices. Parsing rejects a type
 * that appears twice (RFC 8446 section 4.2: "There MUST NOT be more than one extension of the same type").
 */
final class ExtensionBlock {

    /** An extension is at least its 4-byte header, so a 2^16-1 byte block holds at most this many. */
    private static final int MAX_EXTENSIONS = 0xffff / 4;

    final int[] types;
    final ByteBuf[] data;
    final int count;

    private ExtensionBlock(int[] types, ByteBuf[] data, int count) {
        this.types = types;
        this.data = data;
        this.count = count;
    }

    static final ExtensionBlock EMPTY = new ExtensionBlock(new int[0], new ByteBuf[0], 0);

    /** Reads {@code Extension extensions<0..2^16-1>} from {@code r}. */
    static ExtensionBlock parse(WireReader r, String message) throws TlsAlertException {
        ByteBuf block = r.vector16(message + " extensions", 0, 0xffff);
        WireReader in = new WireReader(block);
        int[] types = new int[Math.min(MAX_EXTENSIONS, 16)];
        ByteBuf[] data = new ByteBuf[types.length];
        int n = 0;
        while (in.hasRemaining()) {
            int type = in.u16(message + " extension type");
            ByteBuf body = in.vector16(message + " extension data", 0, 0xffff);
            if (n == types.length) {
                types = Arrays.copyOf(types, n * 2);
                data = Arrays.copyOf(data, n * 2);
            }
            types[n] = type;
            data[n] = body;
            n++;
        }
        int[] sorted = Arrays.copyOf(types, n);
        Arrays.sort(sorted);
        for (int i = 1; i < n; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw TlsAlertException.illegalParameter(message + " has extension " + sorted[i] + " twice");
            }
        }
        return new ExtensionBlock(types, data, n);
    }

    int indexOf(int type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    boolean has(int type) {
        return indexOf(type) >= 0;
    }

    /** The data of {@code type}, or {@code null}. */
    ByteBuf get(int type) {
        int i = indexOf(type);
        return i < 0 ? null : data[i].duplicate();
    }

    int[] typesInOrder() {
        return Arrays.copyOf(types, count);
    }
}
