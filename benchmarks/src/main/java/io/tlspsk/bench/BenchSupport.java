package io.tlspsk.bench;

/** Shared set-up for the JMH benchmarks. */
final class BenchSupport {

    private BenchSupport() {
    }

    /**
     * Creates a stack, printing a clear line and rethrowing when it cannot run here (OpenSSL missing, a suite the
     * engine refuses): JMH then records an error for this parameter combination only and goes on with the rest.
     */
    static Stack open(String name, String cipher) throws Exception {
        try {
            return Stack.create(name, cipher);
        } catch (UnsupportedOperationException e) {
            System.out.println("# " + e.getMessage());
            System.err.println(e.getMessage());
            throw e;
        }
    }
}
