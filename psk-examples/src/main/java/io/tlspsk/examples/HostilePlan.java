package io.tlspsk.examples;

import io.tlspsk.codec.record.ContentType;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Which connections of a {@code psk-tool load} run are hostile, of which kind, and the garbage they send: all
 * from {@code --seed}, so one seed gives the same spread and the same bytes on every run. Exactly
 * {@code round(connections * percent / 100)} connections are hostile, the kinds taking turns (so each kind gets
 * an equal share, give or take one), and their places among the honest ones are a seeded shuffle.
 */
final class HostilePlan {

    /** Garbage lengths: enough for the server to see a whole record header, small enough to stay cheap. */
    static final int MIN_GARBAGE = 16;
    static final int MAX_GARBAGE = 512;

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** Per connection: 0 honest, otherwise 1 + the index of its kind in {@link #kinds}. */
    private final byte[] plan;
    private final List<HostileKind> kinds;
    private final long seed;
    private final int hostile;

    private HostilePlan(byte[] plan, List<HostileKind> kinds, long seed, int hostile) {
        this.plan = plan;
        this.kinds = kinds;
        this.seed = seed;
        this.hostile = hostile;
    }

    /** Spreads {@code percent} % hostile connections of {@code kinds} among {@code connections}. */
    static HostilePlan spread(int connections, int percent, List<HostileKind> kinds, long seed) {
        if (percent < 0 || percent > 100 || kinds.isEmpty() || kinds.size() > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("percent " + percent + ", " + kinds.size() + " kinds");
        }
        byte[] plan = new byte[connections];
        int hostile = (int) Math.round(connections * (percent / 100.0));
        for (int i = 0; i < hostile; i++) {
            plan[i] = (byte) (1 + i % kinds.size());
        }
        Random random = new Random(seed);
        for (int i = connections - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            byte t = plan[i];
            plan[i] = plan[j];
            plan[j] = t;
        }
        return new HostilePlan(plan, List.copyOf(kinds), seed, hostile);
    }

    /** The kind of connection {@code index}, or {@code null} for an honest one. */
    HostileKind kindOf(int index) {
        int k = plan[index];
        return k == 0 ? null : kinds.get(k - 1);
    }

    /** How many connections of the plan are hostile. */
    int hostileCount() {
        return hostile;
    }

    List<HostileKind> kinds() {
        return kinds;
    }

    long seed() {
        return seed;
    }

    /**
     * The bytes a {@link HostileKind#GARBAGE} connection number {@code index} sends, the same for one seed and
     * index. Half are not TLS at all: random bytes whose first is no TLS content type (answered with
     * unexpected_message by a TLS 1.3 server). The other half are one well-framed handshake record holding a
     * ClientHello of random bytes, so the server must parse it and refuse it, never wait for more.
     */
    byte[] garbage(int index) {
        SplittableRandom random = new SplittableRandom(seed ^ (index * GOLDEN_GAMMA));
        byte[] bytes = new byte[random.nextInt(MIN_GARBAGE, MAX_GARBAGE + 1)];
        random.nextBytes(bytes);
        if (random.nextBoolean()) {
            int first = random.nextInt(256 - 5); // skip 20..24: change_cipher_spec, alert, handshake, data, heartbeat
            bytes[0] = (byte) (first < ContentType.CHANGE_CIPHER_SPEC ? first : first + 5);
            return bytes;
        }
        int body = bytes.length - 9; // record header 5, handshake header 4
        bytes[0] = (byte) ContentType.HANDSHAKE;
        bytes[1] = 3;
        bytes[2] = 1;
        bytes[3] = (byte) ((body + 4) >>> 8);
        bytes[4] = (byte) (body + 4);
        bytes[5] = 1; // client_hello
        bytes[6] = 0;
        bytes[7] = (byte) (body >>> 8);
        bytes[8] = (byte) body;
        return bytes;
    }
}
