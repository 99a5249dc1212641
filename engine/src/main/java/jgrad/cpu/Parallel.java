package jgrad.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal parallel-for over contiguous index ranges, built for per-training-step use.
 *
 * <p>Why not ForkJoinPool: its fork/join path costs tens of microseconds and allocates per task,
 * which dominates the small GEMMs and element-wise ops of an MLP step. Here a call publishes one
 * task through a volatile generation counter to persistent daemon workers that spin briefly
 * (so back-to-back calls are picked up in well under a microsecond) and then park (so an idle
 * engine burns no CPU). The hot path allocates nothing.
 *
 * <p>Chunks are claimed, not assigned: the caller and every awake worker take the next unclaimed
 * chunk until none is left. So a worker that the OS has not scheduled yet (another process holds
 * the core) costs nothing: the caller runs its chunks instead of waiting for it. Which thread runs
 * a chunk never changes a result (chunk bounds depend on n and the chunk count alone).
 *
 * <p>Only one dispatch is in flight at a time; a call made while the pool is busy (from a worker,
 * from the caller's own chunk, or from another application thread) simply runs serially, which
 * keeps nested use deadlock-free.
 */
public final class Parallel {

    /** Body of a parallel loop: processes indices {@code [from, to)}. */
    @FunctionalInterface
    public interface Body {
        void run(int from, int to);
    }

    /** How long an idle worker spins before parking; short enough not to steal a core for long. */
    private static final long SPIN_NANOS = Long.getLong("jgrad.spinMicros", 100L) * 1000L;
    /** How long the caller spins waiting for workers before parking. */
    private static final long WAIT_SPIN_NANOS = 2_000_000L;

    private static volatile int configuredThreads; // 0 = not yet read
    private static volatile int overrideThreads;   // 0 = no override (tests only)

    private static final Object POOL_LOCK = new Object();
    private static volatile Worker[] workers = new Worker[0];
    private static final AtomicBoolean BUSY = new AtomicBoolean();

    // Current task. Plain fields: written before the volatile 'generation' bump, read after it.
    private static Body taskBody;
    private static int taskN;
    /**
     * Dispatch sequence number (high bits) and chunk count (low 16 bits) in one volatile word, so
     * that a worker not needed by a dispatch decides that from the word alone: it never reads the
     * plain task fields, which may already belong to the next dispatch by the time it looks.
     */
    private static volatile long generation;
    private static final int CHUNK_BITS = 16;
    private static final int MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
    /** Chunks of the current dispatch not yet finished. */
    private static final AtomicInteger PENDING = new AtomicInteger();
    /**
     * Dispatch sequence number (high bits) and the next unclaimed chunk (low 16 bits). A thread that
     * claims a chunk by CAS on this word knows the dispatch is still the one it saw, and it cannot
     * end before that chunk is done, so the task fields stay valid until then.
     */
    private static final java.util.concurrent.atomic.AtomicLong CLAIM = new java.util.concurrent.atomic.AtomicLong();
    private static volatile Throwable firstError;
    private static volatile Thread waiter;

    private Parallel() {
    }

    /** Worker count: system property jgrad.threads, else env JGRAD_THREADS, else availableProcessors(). */
    public static int threads() {
        int o = overrideThreads;
        if (o > 0) {
            return o;
        }
        int t = configuredThreads;
        if (t == 0) {
            t = readConfiguredThreads();
            configuredThreads = t;
        }
        return t;
    }

    private static int readConfiguredThreads() {
        String s = System.getProperty("jgrad.threads");
        if (s == null || s.isBlank()) {
            s = System.getenv("JGRAD_THREADS");
        }
        if (s != null && !s.isBlank()) {
            try {
                int v = Integer.parseInt(s.trim());
                if (v >= 1) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the hardware default; a bad setting should not kill training
            }
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs {@code action} with {@link #threads()} forced to {@code n}. Package-private: meant for
     * tests (e.g. determinism across thread counts). Not for concurrent use by several threads.
     */
    static synchronized void withThreads(int n, Runnable action) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        }
        int previous = overrideThreads;
        overrideThreads = n;
        try {
            action.run();
        } finally {
            overrideThreads = previous;
        }
    }

    /**
     * Splits [0,n) into at most threads() contiguous chunks (never more than n, each at least
     * minChunk long unless n itself is smaller), runs chunk 0 on the caller and blocks until all
     * are done; rethrows the first exception thrown by any chunk. Reentrant calls run serially.
     */
    public static void forRange(int n, int minChunk, Body body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(Math.min(threads(), MAX_CHUNKS), n / Math.max(1, minChunk));
        if (chunks <= 1 || Thread.currentThread() instanceof SerialThread || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            dispatch(n, chunks, body);
        } finally {
            BUSY.set(false);
        }
    }

    private static void dispatch(int n, int chunks, Body body) {
        Worker[] ws = workers;
        if (ws.length < chunks - 1) {
            ws = ensureWorkers(chunks - 1);
        }
        taskBody = body;
        taskN = n;
        firstError = null;
        PENDING.set(chunks);
        long seq = (generation >>> CHUNK_BITS) + 1;
        CLAIM.set(seq << CHUNK_BITS);
        // Only the BUSY holder writes 'generation'; the volatile write publishes the fields above.
        generation = (seq << CHUNK_BITS) | chunks;
        for (int w = 0; w < chunks - 1; w++) {
            Worker worker = ws[w];
            if (worker.parked) {
                LockSupport.unpark(worker);
            }
        }
        runChunks(seq, chunks);
        awaitWorkers();
        taskBody = null; // do not keep the caller's closure reachable
        Throwable err = firstError;
        if (err != null) {
            firstError = null;
            throwUnchecked(err);
        }
    }

    /** Claims and runs chunks of dispatch {@code seq} until none is left (or it is over). */
    private static void runChunks(long seq, int chunks) {
        while (true) {
            long c = CLAIM.get();
            int next = (int) (c & MAX_CHUNKS);
            if ((c >>> CHUNK_BITS) != seq || next >= chunks) {
                return;
            }
            if (!CLAIM.compareAndSet(c, c + 1)) {
                continue;
            }
            int n = taskN;  // read after the claim: see CLAIM
            try {
                taskBody.run(chunkEnd(n, chunks, next - 1), chunkEnd(n, chunks, next));
            } catch (Throwable t) {
                recordError(t);
            }
            if (PENDING.decrementAndGet() == 0) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }
    }

    private static void awaitWorkers() {
        if (PENDING.get() == 0) {
            return;
        }
        long deadline = System.nanoTime() + WAIT_SPIN_NANOS;
        int spins = 0;
        while (PENDING.get() != 0) {
            Thread.onSpinWait();
            if ((++spins & 255) == 0 && System.nanoTime() > deadline) {
                // A worker is slow (descheduled, or a long chunk): stop burning this core.
                waiter = Thread.currentThread();
                while (PENDING.get() != 0) {
                    LockSupport.park(Parallel.class);
                }
                waiter = null;
                return;
            }
        }
    }

    /** End of chunk c of n split into chunks; chunk -1 ends at 0. */
    static int chunkEnd(int n, int chunks, int c) {
        return (int) ((long) n * (c + 1) / chunks);
    }

    private static void recordError(Throwable t) {
        synchronized (PENDING) {
            if (firstError == null) {
                firstError = t;
            }
        }
    }

    private static void throwUnchecked(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new RuntimeException(t);
    }

    private static Worker[] ensureWorkers(int count) {
        synchronized (POOL_LOCK) {
            Worker[] ws = workers;
            if (ws.length >= count) {
                return ws;
            }
            Worker[] grown = java.util.Arrays.copyOf(ws, count);
            for (int i = ws.length; i < count; i++) {
                Worker w = new Worker(i + 1, generation);
                grown[i] = w;
                w.start();
            }
            workers = grown;
            return grown;
        }
    }

    /**
     * A thread whose parallel loops all run on itself: for background work (such as a JIT warm-up)
     * that must leave the other cores to the foreground.
     */
    public static Thread serialThread(Runnable body, String name) {
        return new SerialThread(body, name);
    }

    /** Threads on which {@link #forRange} runs serially: the workers themselves, and background work. */
    private static class SerialThread extends Thread {
        SerialThread(Runnable body, String name) {
            super(body, name);
        }
    }

    private static final class Worker extends SerialThread {
        private long seen;
        volatile boolean parked;

        Worker(int number, long startGeneration) {
            super(null, "jgrad-cpu-" + number);
            this.seen = startGeneration;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long g = awaitGeneration();
                seen = g;
                runChunks(g >>> CHUNK_BITS, (int) (g & MAX_CHUNKS));
            }
        }

        private long awaitGeneration() {
            long g;
            long deadline = 0;
            int spins = 0;
            while ((g = generation) == seen) {
                if (deadline == 0) {
                    deadline = System.nanoTime() + SPIN_NANOS;
                }
                if ((++spins & 127) != 0 || System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                    continue;
                }
                // Dekker handshake with dispatch(): we publish 'parked' then re-read 'generation';
                // the dispatcher publishes 'generation' then reads 'parked'. One of us sees the other.
                parked = true;
                if (generation == seen) {
                    LockSupport.park(Parallel.class);
                }
                parked = false;
            }
            return g;
        }
    }
}
