package io.tlspsk.bench;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's worker threads as Netty {@link FastThreadLocalThread}s, like an event loop's threads. Netty 4.2 recycles
 * pooled objects (ChannelOutboundBuffer entries and the like) and gives thread-local allocator magazines only on
 * such threads; on a plain thread every write would allocate what a real event loop does not. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.tlspsk.bench.FastThreadLocalExecutor} (see {@link Jvm}).
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {

    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new Factory(prefix));
    }

    private static final class Factory implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        Factory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new FastThreadLocalThread(r, prefix + "-ftl-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
