package io.tlspsk.bench;

/** The JVM options every benchmark fork gets (through {@code @Fork(jvmArgsAppend = ...)}). */
final class Jvm {

    private Jvm() {
    }

    /** Leak detection off (its sampling costs differ by stack); worker threads as event-loop threads. */
    static final String LEAK_DETECTION_OFF = "-Dio.netty.leakDetection.level=disabled";
    static final String EXECUTOR = "-Djmh.executor=CUSTOM";
    static final String EXECUTOR_CLASS = "-Djmh.executor.class=io.tlspsk.bench.FastThreadLocalExecutor";
}
