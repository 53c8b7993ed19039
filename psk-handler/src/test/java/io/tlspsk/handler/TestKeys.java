package io.tlspsk.handler;

/** For tests in other packages: what a key's secret is (stores' tests compare what they return with what they got). */
public final class TestKeys {

    private TestKeys() {
    }

    /** A copy of {@code key}'s secret. */
    public static byte[] secretOf(ExternalPsk key) {
        return key.secretForKeySchedule().clone();
    }
}
