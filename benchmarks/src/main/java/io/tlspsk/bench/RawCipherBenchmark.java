package io.tlspsk.bench;

import java.security.spec.AlgorithmParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Java limit: the JDK's (or ACCP's) Cipher sealing and opening one record of {@code size} bytes on heap arrays, with a
 * fresh nonce per record and the 5-byte record header as AAD, nothing else. One operation = encrypt + decrypt,
 * the same work as one {@link BulkBenchmark} operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.LEAK_DETECTION_OFF, Jvm.EXECUTOR, Jvm.EXECUTOR_CLASS})
public class RawCipherBenchmark {

    @Param({Stack.AES, Stack.CHACHA})
    public String cipher;

    @Param({"16384", "256"})
    public int size;

    /** {@code jdk}: the JDK's default provider; {@code accp}: ACCP's native AES-GCM (it has no ChaCha20). */
    @Param({"jdk", "accp"})
    public String provider;

    private Cipher enc;
    private Cipher dec;
    private SecretKeySpec key;
    private boolean gcm;
    private final byte[] ivBase = new byte[12];
    private final byte[] iv = new byte[12];
    private final byte[] aad = new byte[5];
    private byte[] plain;
    private byte[] sealed;
    private byte[] opened;
    private long seq;

    @Setup
    public void setUp() throws Exception {
        gcm = Stack.AES.equals(cipher);
        String transformation = gcm ? "AES/GCM/NoPadding" : "ChaCha20-Poly1305";
        if ("accp".equals(provider)) {
            if (!gcm) {
                throw new UnsupportedOperationException("SKIPPED raw accp/" + cipher + ": ACCP has no ChaCha20");
            }
            java.security.Provider accp = com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
            if (accp.getClass().getMethod("getLoadingError").invoke(accp) != null) {
                throw new UnsupportedOperationException("SKIPPED raw accp: ACCP's native library did not load");
            }
            enc = Cipher.getInstance(transformation, accp);
            dec = Cipher.getInstance(transformation, accp);
        } else if ("jdk".equals(provider)) {
            enc = Cipher.getInstance(transformation);
            dec = Cipher.getInstance(transformation);
        } else {
            throw new IllegalArgumentException("provider is jdk or accp");
        }
        byte[] k = new byte[gcm ? 16 : 32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (i + 1);
            ivBase[i % 12] ^= (byte) (i * 7);
        }
        key = new SecretKeySpec(k, gcm ? "AES" : "ChaCha20");
        plain = new byte[size];
        for (int i = 0; i < size; i++) {
            plain[i] = (byte) (i * 31 + 7);
        }
        sealed = new byte[size + 16];
        opened = new byte[size];
        aad[0] = 23;
        aad[1] = 3;
        aad[2] = 3;
        aad[3] = (byte) ((size + 16) >>> 8);
        aad[4] = (byte) (size + 16);
        if (sealOpen() != size) {
            throw new IllegalStateException("round trip failed");
        }
        System.out.println("# " + transformation + " provider " + enc.getProvider().getName());
    }

    @Benchmark
    public int sealOpen() throws Exception {
        long s = ++seq;
        System.arraycopy(ivBase, 0, iv, 0, 12);
        for (int i = 0; i < 8; i++) {
            iv[11 - i] ^= (byte) (s >>> (8 * i));
        }
        AlgorithmParameterSpec spec = gcm ? new GCMParameterSpec(128, iv) : new IvParameterSpec(iv);
        enc.init(Cipher.ENCRYPT_MODE, key, spec);
        enc.updateAAD(aad);
        int n = enc.doFinal(plain, 0, size, sealed, 0);
        dec.init(Cipher.DECRYPT_MODE, key, spec);
        dec.updateAAD(aad);
        return dec.doFinal(sealed, 0, n, opened, 0);
    }
}
