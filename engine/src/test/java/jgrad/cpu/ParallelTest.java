package jgrad.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

final class ParallelTest {

    @Test
    void badThreadSettingFallsBackToOnePerCoreAndSaysSo() {
        String before = System.getProperty("jgrad.threads");
        System.setProperty("jgrad.threads", "abc");
        try (jgrad.CapturedLog log = jgrad.CapturedLog.of(Parallel.class, ch.qos.logback.classic.Level.WARN)) {
            int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
            assertEquals(cores, Parallel.readConfiguredThreads());
            assertEquals(java.util.List.of("-Djgrad.threads is 'abc': the CPU thread count must be a whole number >= 1 "
                    + "(leave it unset for one thread per core); using " + (cores == 1 ? "1 thread" : cores + " threads")
                    + " (one per core)"), log.messages(ch.qos.logback.classic.Level.WARN));
        } finally {
            if (before == null) {
                System.clearProperty("jgrad.threads");
            } else {
                System.setProperty("jgrad.threads", before);
            }
        }
    }

    @Test
    void threadsIsPositive() {
        assertTrue(Parallel.threads() >= 1);
        Parallel.withThreads(3, () -> assertEquals(3, Parallel.threads()));
    }

    @Test
    void coversEveryIndexExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 4}) {
            Parallel.withThreads(threads, () -> {
                for (int n : new int[] {0, 1, 2, 3, 5, 17, 100, 1001}) {
                    for (int minChunk : new int[] {0, 1, 4, 1000}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                        AtomicInteger calls = new AtomicInteger();
                        int mc = minChunk;
                        Parallel.forRange(n, minChunk, (from, to) -> {
                            calls.incrementAndGet();
                            assertTrue(from < to, "empty chunk");
                            assertTrue(to - from >= Math.min(n, Math.max(1, mc)), "chunk below minChunk");
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "index " + i + " n=" + n);
                        }
                        assertTrue(calls.get() <= Math.max(1, Math.min(threads * Parallel.CHUNKS_PER_THREAD, n)),
                                "too many chunks");
                    }
                }
            });
        }
    }

    @Test
    void usesSeveralThreadsWhenAsked() {
        Parallel.withThreads(2, () -> {
            java.util.Set<Thread> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            // The caller may claim a late worker's chunk; holding its own chunk a while lets the
            // worker arrive (this asserts that workers take part, not how fast they come).
            Parallel.forRange(2, 1, (from, to) -> {
                seen.add(Thread.currentThread());
                if (from == 0) {
                    long until = System.nanoTime() + 200_000_000L;
                    while (System.nanoTime() < until && seen.size() < 2) {
                        Thread.onSpinWait();
                    }
                }
            });
            assertEquals(2, seen.size());
        });
    }

    @Test
    void propagatesWorkerException() {
        Parallel.withThreads(2, () -> {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException got = assertThrows(IllegalStateException.class,
                    () -> Parallel.forRange(10, 1, (from, to) -> {
                        if (from > 0) {
                            throw boom; // only the worker's chunk fails
                        }
                    }));
            assertSame(boom, got);
            // The pool must still work afterwards.
            AtomicInteger sum = new AtomicInteger();
            Parallel.forRange(10, 1, (from, to) -> sum.addAndGet(to - from));
            assertEquals(10, sum.get());
        });
    }

    @Test
    void propagatesCallerChunkException() {
        Parallel.withThreads(2, () -> assertThrows(ArithmeticException.class,
                () -> Parallel.forRange(10, 1, (from, to) -> {
                    if (from == 0) {
                        throw new ArithmeticException();
                    }
                })));
    }

    @Test
    void nSmallerThanThreads() {
        Parallel.withThreads(4, () -> {
            AtomicInteger sum = new AtomicInteger();
            AtomicInteger calls = new AtomicInteger();
            Parallel.forRange(2, 1, (from, to) -> {
                calls.incrementAndGet();
                sum.addAndGet(to - from);
            });
            assertEquals(2, sum.get());
            assertTrue(calls.get() <= 2, "more chunks than indices");
        });
    }

    @Test
    void nestedCallsRunSeriallyAndComplete() {
        Parallel.withThreads(2, () -> {
            AtomicInteger total = new AtomicInteger();
            Parallel.forRange(8, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    Parallel.forRange(5, 1, (f2, t2) -> total.addAndGet(t2 - f2));
                }
            });
            assertEquals(40, total.get());
        });
    }

    @Test
    void manyBackToBackCalls() {
        Parallel.withThreads(2, () -> {
            long[] acc = new long[2];
            for (int rep = 0; rep < 20_000; rep++) {
                AtomicInteger sum = new AtomicInteger();
                Parallel.forRange(64, 1, (from, to) -> sum.addAndGet(to - from));
                acc[0] += sum.get();
            }
            assertEquals(20_000L * 64, acc[0]);
        });
    }

    /** Chunks go to whichever thread claims them first: over many racing dispatches each index still runs once. */
    @Test
    void claimedChunksCoverEveryIndexOnceUnderRaces() {
        Parallel.withThreads(4, () -> {
            for (int rep = 0; rep < 5_000; rep++) {
                int n = 1 + rep % 37;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.forRange(n, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "index " + i + " of " + n + " in dispatch " + rep);
                }
            }
        });
    }
}
