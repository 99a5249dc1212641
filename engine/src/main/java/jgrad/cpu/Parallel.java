package jgrad.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
     * Dispatch sequence number (high 32 bits), participating threads and chunk count (16 bits
     * each) in one volatile word, so that a worker not needed by a dispatch decides that from the
     * word alone: it never reads the plain task fields, which may already belong to the next
     * dispatch by the time it looks (a needed one reads them only after claiming a chunk).
     */
    private static volatile long generation;
    private static final int CHUNK_BITS = 16;
    private static final int MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
    private static final int SEQUENCE_SHIFT = 2 * CHUNK_BITS;
    /**
     * Chunks per thread: more chunks than threads let a thread that runs faster (its core not
     * shared with another process, say) take more of them, instead of waiting for the slowest.
     */
    static final int CHUNKS_PER_THREAD = Math.max(1, Integer.getInteger("jgrad.chunksPerThread", 4));
    private static final AtomicInteger PENDING = new AtomicInteger();
    /**
     * The next unclaimed chunk of the current dispatch (low 16 bits) under its sequence number
     * (high bits). Chunks go to whoever claims them first, the caller included: a worker that is
     * late (parked, or its core taken by another process) leaves its chunk to the caller instead
     * of stalling it. Chunk boundaries depend on n and the chunk count only, so results do not
     * depend on which thread ran which chunk.
     */
    private static final AtomicLong CLAIM = new AtomicLong();
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

    static int readConfiguredThreads() {
        String s = threadSetting();
        int v = s == null ? 0 : parseThreads(s);
        if (v >= 1) {
            return v;
        }
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        // A bad setting falls back to the hardware default here, deep inside a kernel, and says so once
        // (this runs once per JVM); the CLI refuses it up front with threadSettingProblem().
        if (s != null) {
            org.slf4j.LoggerFactory.getLogger(Parallel.class).warn("{}; using {} (one per core)", threadSettingProblem(),
                    cores == 1 ? "1 thread" : cores + " threads");
        }
        return cores;
    }

    /** The thread count's text from -Djgrad.threads, else JGRAD_THREADS; null where neither is set. */
    private static String threadSetting() {
        String s = System.getProperty("jgrad.threads");
        if (s == null || s.isBlank()) {
            s = System.getenv("JGRAD_THREADS");
        }
        return s == null || s.isBlank() ? null : s;
    }

    /** A whole number >= 1, or 0 for anything else. */
    private static int parseThreads(String s) {
        try {
            return Math.max(0, Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Why the configured thread count cannot be used (one line naming where it came from), or null
     * where it is unset or a whole number >= 1.
     */
    public static String threadSettingProblem() {
        String s = threadSetting();
        if (s == null || parseThreads(s) >= 1) {
            return null;
        }
        String source = System.getProperty("jgrad.threads") == null || System.getProperty("jgrad.threads").isBlank()
                ? "JGRAD_THREADS" : "-Djgrad.threads";
        return source + " is '" + s + "': the CPU thread count must be a whole number >= 1 (leave it unset for one "
                + "thread per core)";
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
     * Splits [0,n) into at most {@code threads() * CHUNKS_PER_THREAD} contiguous chunks (never more
     * than n, each at least minChunk long unless n itself is smaller), run by the caller and up to
     * threads() − 1 workers, each claiming the next chunk left; blocks until all are done and
     * rethrows the first exception thrown by any chunk. Reentrant calls run serially.
     */
    public static void forRange(int n, int minChunk, Body body) {
        if (n <= 0) {
            return;
        }
        int threads = threads();
        int chunks = (int) Math.min((long) threads * CHUNKS_PER_THREAD, n / Math.max(1, minChunk));
        // A whole number of chunks per thread: three chunks on two threads leave one thread
        // running the last chunk alone.
        forChunks(n, chunks > threads ? chunks - chunks % threads : chunks, body);
    }

    /**
     * Splits [0,n) into {@code chunks} contiguous chunks (at most n, at most 65 535) as even as
     * possible, for when the caller knows the grain: say one chunk per unit of work that is worth a
     * thread's while on its own. Otherwise as {@link #forRange}.
     */
    public static void forChunks(int n, int chunks, Body body) {
        if (n <= 0) {
            return;
        }
        chunks = Math.min(Math.min(chunks, n), MAX_CHUNKS);
        if (chunks <= 1 || threads() == 1 || Thread.currentThread() instanceof SerialThread
                || !BUSY.compareAndSet(false, true)) {
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
        int helpers = Math.min(threads(), chunks) - 1;
        Worker[] ws = workers;
        if (ws.length < helpers) {
            ws = ensureWorkers(helpers);
        }
        taskBody = body;
        taskN = n;
        firstError = null;
        PENDING.set(chunks - 1);
        long sequence = (generation >>> SEQUENCE_SHIFT) + 1;
        CLAIM.set(sequence << CHUNK_BITS | 1); // chunk 0 is the caller's
        // Only the BUSY holder writes 'generation'; the volatile write publishes the fields above.
        generation = sequence << SEQUENCE_SHIFT | (long) (helpers + 1) << CHUNK_BITS | chunks;
        for (int w = 0; w < helpers; w++) {
            Worker worker = ws[w];
            if (worker.parked) {
                LockSupport.unpark(worker);
            }
        }
        try {
            body.run(0, chunkEnd(n, chunks, 0));
        } catch (Throwable t) {
            recordError(t);
        }
        runClaimedChunks(sequence, chunks);
        awaitWorkers();
        taskBody = null; // do not keep the caller's closure reachable
        Throwable err = firstError;
        if (err != null) {
            firstError = null;
            throwUnchecked(err);
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

    /**
     * Claims and runs chunks of dispatch {@code sequence} until none is left; returns at once when
     * that dispatch is over (a late worker). Chunks other than the caller's first one count down
     * PENDING, and the last one wakes a parked caller.
     */
    private static void runClaimedChunks(long sequence, int chunks) {
        while (true) {
            long claim = CLAIM.get();
            int chunk = (int) (claim & MAX_CHUNKS);
            if (claim >>> CHUNK_BITS != sequence || chunk >= chunks) {
                return;
            }
            if (!CLAIM.compareAndSet(claim, claim + 1)) {
                continue;
            }
            // The claim read the caller's CLAIM.set, which follows its writes of the task fields.
            int n = taskN;
            Body body = taskBody;
            try {
                body.run(chunkEnd(n, chunks, chunk - 1), chunkEnd(n, chunks, chunk));
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
                // Worker i+1 takes part in dispatches with more than i+1 participants.
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
        /** 1-based: worker i takes part in dispatches with more than i participants. */
        private final int index;
        private long seen;
        volatile boolean parked;

        Worker(int index, long startGeneration) {
            super(null, "jgrad-cpu-" + index);
            this.index = index;
            this.seen = startGeneration;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long g = awaitGeneration();
                seen = g;
                int participants = (int) (g >>> CHUNK_BITS & MAX_CHUNKS);
                if (index >= participants) {
                    continue; // this dispatch needs fewer workers; do not touch its task fields
                }
                runClaimedChunks(g >>> SEQUENCE_SHIFT, (int) (g & MAX_CHUNKS));
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
