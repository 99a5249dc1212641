package jgrad.train;

import jgrad.data.ImageShape;
import jgrad.device.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the JIT to compile a job's CPU code before its timed loop: a background thread trains a
 * throw-away copy of the job on synthetic data while the caller loads the real data.
 *
 * <p>Why: the CPU kernels use the Vector API, which runs one to two orders of magnitude slower
 * until C2 has compiled it. On the seed MLP job (2-core EPYC, one jgrad thread) the first 100 steps
 * took 11.5 ms each against 0.55 ms once compiled: about 1.2 s of a 6 s run. Reading and checking
 * MNIST takes about that long, on the other core, so the compilation costs the job no wall time.
 *
 * <p>Isolation: the warm-up builds its own model, optimizer, data and sampler from its own seed.
 * It shares only compiled code and the CPU device's buffer pools with the real run, and neither
 * changes a result: every CPU kernel gives the same bits compiled or interpreted (own exp, FMA
 * everywhere), which the bit-identical-loss tests check with and without a warm-up.
 */
public final class JitWarmup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JitWarmup.class);
    /** Synthetic training examples, also the largest warm-up batch; built in milliseconds. */
    private static final int EXAMPLES = 512;

    /**
     * What a finished warm-up did and bought.
     *
     * @param seconds        from its start to its end
     * @param afterData      seconds of those after {@link #finish} was called (the data ready): what the
     *                       run waited for it
     * @param firstStepMs    its first step (cold: interpreted code, class loading); NaN without a step
     * @param lastStepMs     its last step (as compiled as it got); NaN without a step
     */
    public record Report(int steps, double seconds, double afterData, double firstStepMs, double lastStepMs) {
        /** How many times faster its last step ran than its first; NaN with fewer than two steps. */
        public double speedUp() {
            return steps >= 2 ? firstStepMs / lastStepMs : Double.NaN;
        }
    }

    private final Thread thread;
    private final int minSteps;
    private final long minNanos;
    private final long startNanos = System.nanoTime();
    private volatile boolean stopRequested;
    private volatile int steps;
    private volatile long endNanos;
    private volatile long finishNanos;
    private volatile long firstStepNanos = -1;
    private volatile long lastStepNanos = -1;
    private Report report;

    /** Thrown from the listener to end the warm-up's training run early; never escapes. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private JitWarmup(TrainConfig cfg, Device device, ImageShape shape, int classes, int minSteps, double minSeconds) {
        this.minSteps = minSteps;
        this.minNanos = (long) (minSeconds * 1e9);
        // Far more steps than it will get to do before finish(); each step costs 8 bytes of loss history.
        // Batches of at most EXAMPLES: the code compiled is the same, and a huge --batch-size must not
        // make the warm-up compete with the real run for memory.
        TrainConfig job = cfg.inStepsMode(100_000, Math.min(cfg.batchSize(), EXAMPLES), 100_000);
        // One core only: the others are the loader's.
        thread = jgrad.cpu.Parallel.serialThread(() -> run(job, device, shape, classes), "jgrad-jit-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts warming up {@code cfg}'s job on {@code device} for inputs of {@code shape}. Call
     * {@link #finish} once the real data is ready.
     *
     * @param minSteps   steps the warm-up does before {@link #finish} may stop it...
     * @param minSeconds ...or seconds it runs, whichever comes first
     */
    public static JitWarmup start(TrainConfig cfg, Device device, ImageShape shape, int classes, int minSteps,
                                  double minSeconds) {
        return new JitWarmup(cfg, device, shape, classes, minSteps, minSeconds);
    }

    private void run(TrainConfig job, Device device, ImageShape shape, int classes) {
        TrainData data = StepBench.synthetic(shape, classes, EXAMPLES, job.seed() ^ 0x5EEDL);
        Trainer.Listener listener = new Trainer.Listener() {
            private long previous = -1;

            @Override
            public void onStep(int step) {
                long now = System.nanoTime();
                if (previous >= 0) {  // the first call comes before the first step
                    lastStepNanos = now - previous;
                    if (firstStepNanos < 0) {
                        firstStepNanos = lastStepNanos;
                    }
                }
                previous = now;
                steps = step;
                if (stopRequested && (step >= minSteps || System.nanoTime() - startNanos >= minNanos)) {
                    throw new Stop();
                }
            }
        };
        try {
            Trainer.train(job, device, data, listener).close();
        } catch (Stop expected) {
            // finish() asked for it
        } catch (RuntimeException | OutOfMemoryError e) {
            // Only a missed speed-up: the real run reports any real problem itself.
            LOG.debug("JIT warm-up ended early: {}", e.toString());
        } finally {
            endNanos = System.nanoTime();
        }
    }

    /**
     * Lets the warm-up reach its minimum (steps or seconds), stops it and waits for its thread, so
     * that it no longer competes with the timed loop for cores. Idempotent.
     */
    public synchronized Report finish() {
        if (report == null) {
            finishNanos = System.nanoTime();
            stopRequested = true;
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            report = new Report(steps, (endNanos - startNanos) / 1e9, Math.max(0, endNanos - finishNanos) / 1e9,
                    firstStepNanos < 0 ? Double.NaN : firstStepNanos / 1e6,
                    lastStepNanos < 0 ? Double.NaN : lastStepNanos / 1e6);
        }
        return report;
    }

    @Override
    public void close() {
        finish();
    }
}
