package io.tlspsk.codec.tls12;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.TlsRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Lucky Thirteen countermeasure of the MAC-then-encrypt CBC suites (RFC 5246 section 6.2.3.2), checked by
 * counting, not timing: a record opens with exactly as many SHA-256 compression-function calls whatever its padding
 * length, whether the padding is valid, and whether the MAC verifies; only the record's length may change the count.
 *
 * <p>The count is taken by a {@link MacHash} that passes everything to the real SHA-256 (so records still verify)
 * and counts compressions as FIPS 180-4 defines them for the bytes fed between resets: one per completed 64-byte
 * block, and one or two when a hash is finished. That includes HMAC's key pad blocks and the final padding blocks.
 */
class CbcMacCompressionCountTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final CipherSuite SUITE = CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256;
    private static final int MAC_LENGTH = 32;

    /** Counts compressions of everything fed through it, and hashes it for real. */
    static final class CountingMacHash implements MacHash {
        private final MacHash real;
        /** FIPS 180-4: SHA-256 works on 64-byte blocks with a 64-bit length, SHA-384 on 128-byte ones with 128 bits. */
        private final int block;
        private final int lengthField;
        /** Bytes of the current block not yet compressed. */
        private int partial;
        long compressions;

        CountingMacHash(HashAlgorithm hash) {
            real = MacHash.of(hash);
            block = hash == HashAlgorithm.SHA256 ? 64 : 128;
            lengthField = hash == HashAlgorithm.SHA256 ? 8 : 16;
        }

        @Override
        public int blockLength() {
            return real.blockLength();
        }

        @Override
        public int minPaddingLength() {
            return real.minPaddingLength();
        }

        @Override
        public int digestLength() {
            return real.digestLength();
        }

        @Override
        public void update(byte[] b, int off, int len) {
            real.update(b, off, len);
            compressions += (partial + len) / block;
            partial = (partial + len) % block;
        }

        @Override
        public void digest(byte[] out, int off) {
            real.digest(out, off);
            // 0x80 and the length field: one block if they fit after the partial one, else two.
            compressions += partial + 1 + lengthField <= block ? 1 : 2;
            partial = 0;
        }

        @Override
        public void reset() {
            real.reset();
            partial = 0; // dropped unfinished: the partial block is never compressed
        }
    }

    private final byte[] encKey = Tls12RecordProtectionTest.random(16);
    private final byte[] macKey = Tls12RecordProtectionTest.random(MAC_LENGTH);
    private final CountingMacHash counter = new CountingMacHash(HashAlgorithm.SHA256);

    /**
     * Every padding length 0..255, each valid, with one padding byte wrong, and with a wrong MAC, plus padding
     * lengths that point before the record's start, over decrypted lengths at every offset from a 64-byte block
     * boundary and some large ones.
     */
    @Test
    void openingCostsTheSameCompressionsWhateverThePaddingAndWhetherItVerifies() throws Exception {
        List<Integer> lengths = new ArrayList<>();
        for (int n = 48; n <= 528; n += 16) {
            lengths.add(n);
        }
        lengths.addAll(List.of(1040, 1056, 4112, 16384, 16416));
        Map<Integer, Map<Long, List<String>>> byLength = new TreeMap<>();
        for (int n : lengths) {
            Map<Long, List<String>> counts = byLength.computeIfAbsent(n, k -> new TreeMap<>());
            for (int pad = 0; pad <= 255; pad++) {
                if (pad + 1 + MAC_LENGTH > n) {
                    // padding_length reaches before the record: bad padding, MAC over the longest content
                    byte[] plain = Tls12RecordProtectionTest.random(n);
                    plain[n - 1] = (byte) pad;
                    count(counts, "padding " + pad + " too long", plain, false);
                    continue;
                }
                byte[] content = Tls12RecordProtectionTest.random(n - 1 - MAC_LENGTH - pad);
                count(counts, "valid padding " + pad, record(content, pad, false, -1), true);
                count(counts, "padding " + pad + ", bad MAC", record(content, pad, true, -1), false);
                if (pad > 0) {
                    count(counts, "padding " + pad + ", one byte wrong", record(content, pad, false, pad / 2), false);
                }
            }
        }
        String uneven = byLength.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> "decrypted length " + e.getKey() + ": " + e.getValue().entrySet().stream()
                        .map(c -> c.getKey() + " compressions for " + c.getValue().size() + " records (e.g. "
                                + c.getValue().subList(0, Math.min(3, c.getValue().size())) + ")")
                        .collect(Collectors.joining("; ")))
                .collect(Collectors.joining("\n"));
        assertTrue(uneven.isEmpty(), "the compression count depends on more than the record length:\n" + uneven);
        // the common count is that of an HMAC over the longest content the record can hold: inner hash of the key
        // pad block, 13-byte header, content and at least 9 bytes of final padding; outer hash of two blocks
        for (int n : lengths) {
            long expected = (64 + 13 + (n - 1 - MAC_LENGTH) + 9 + 63) / 64 + 2;
            assertEquals(Map.of(expected, byLength.get(n).get(expected)), byLength.get(n), "decrypted length " + n);
        }
    }

    /**
     * The countermeasure's parts for either hash: a MAC over any content up to 256 bytes shorter than the longest,
     * followed by the filler the record protection asks for, costs exactly the compressions of the longest MAC.
     */
    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void macPlusFillerCostsTheCompressionsOfTheLongestMac(HashAlgorithm hash) {
        CountingMacHash count = new CountingMacHash(hash);
        RecordMac mac = new RecordMac(count, Tls12RecordProtectionTest.random(hash.length()));
        byte[] data = new byte[2000];
        byte[] out = new byte[hash.length()];
        for (int longest = 256; longest <= 1800; longest += 7) {
            count.compressions = 0;
            mac.update(data, 0, longest);
            mac.finish(out, 0);
            long full = count.compressions;
            assertEquals(full, mac.compressions(longest), "longest " + longest);
            for (int length = longest - 256; length <= longest; length++) {
                count.compressions = 0;
                mac.update(data, 0, length);
                mac.finish(out, 0);
                mac.compressFiller(mac.compressions(longest) - mac.compressions(length));
                assertEquals(full, count.compressions, "longest " + longest + ", length " + length);
            }
        }
        mac.destroy();
    }

    @Test
    void sealingAndOpeningStillAgreeThroughTheCountedHash() throws Exception {
        Tls12RecordProtection writer = Tls12RecordProtection.create(SUITE, true, encKey, null, macKey, false, counter);
        Tls12RecordProtection reader = Tls12RecordProtection.create(SUITE, false, encKey, null, macKey, false,
                new CountingMacHash(HashAlgorithm.SHA256));
        for (int length : new int[] {0, 1, 200, 16384}) {
            byte[] data = Tls12RecordProtectionTest.random(length);
            ByteBuf sealed = writer.seal(ALLOC, ContentType.APPLICATION_DATA, Unpooled.wrappedBuffer(data));
            TlsRecord in = new TlsRecord(ContentType.APPLICATION_DATA, sealed.skipBytes(5));
            TlsRecord out = reader.open(ALLOC, in);
            assertArrayEquals(data, ByteBufUtil.getBytes(out.content()));
            out.release();
            in.release();
        }
        writer.destroy();
        reader.destroy();
    }

    /** Opens {@code plain} (IV and CBC added here) with a fresh reader and files its compression count. */
    private void count(Map<Long, List<String>> counts, String what, byte[] plain, boolean valid) throws Exception {
        Tls12RecordProtection reader = Tls12RecordProtection.create(SUITE, false, encKey, null, macKey, false, counter);
        TlsRecord record = new TlsRecord(ContentType.APPLICATION_DATA, Unpooled.wrappedBuffer(encrypt(plain)));
        counter.compressions = 0;
        try {
            TlsRecord opened = reader.open(ALLOC, record);
            assertTrue(valid, () -> what + " was accepted");
            opened.release();
        } catch (TlsAlertException e) {
            assertTrue(!valid, () -> what + " was refused: " + e);
            assertEquals(AlertDescription.BAD_RECORD_MAC, e.description(), what);
            assertEquals("record does not authenticate", e.detail(), "one reason for every failure");
        } finally {
            record.release();
            reader.destroy();
        }
        counts.computeIfAbsent(counter.compressions, k -> new ArrayList<>()).add(what);
    }

    /**
     * content || HMAC(seq 0 || header || content) || padding of {@code pad} + 1 bytes; the MAC corrupted when asked,
     * and the padding byte at {@code wrongAt} changed when it is not -1.
     */
    private byte[] record(byte[] content, int pad, boolean badMac, int wrongAt) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
        mac.update(new byte[8]);
        mac.update(new byte[] {ContentType.APPLICATION_DATA, 3, 3, (byte) (content.length >>> 8),
            (byte) content.length});
        byte[] tag = mac.doFinal(content);
        if (badMac) {
            tag[7] ^= 1;
        }
        byte[] padding = new byte[pad + 1];
        Arrays.fill(padding, (byte) pad);
        if (wrongAt >= 0) {
            padding[wrongAt] ^= 0x10;
        }
        return Tls12RecordProtectionTest.concat(content, tag, padding);
    }

    private byte[] encrypt(byte[] plain) throws Exception {
        byte[] iv = Tls12RecordProtectionTest.random(16);
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(encKey, "AES"), new IvParameterSpec(iv));
        return Tls12RecordProtectionTest.concat(iv, aes.doFinal(plain));
    }

}
