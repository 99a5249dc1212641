package jgrad.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReentrantLock;
import jgrad.train.Checkpoint;
import jgrad.train.EpochStats;
import jgrad.train.TrainConfig;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;

/**
 * Passes the trainer's callbacks on to the progress display and keeps a run's outputs current: with
 * each epoch's checkpoint, {@link RunOutputs} of that epoch. While it is open, Ctrl-C (SIGINT, and
 * SIGTERM) gets one line naming the epoch it interrupted and how to continue, from a shutdown hook;
 * the JVM then exits 130 as before. The hook waits for an output write in progress, and none starts
 * after it, so the folder holds the checkpoint and the outputs of the same, last completed epoch.
 */
final class RunKeeper implements Trainer.Listener, AutoCloseable {
    /** How long the hook waits for an epoch's outputs being written (charts of a long run take ~1 s). */
    private static final long WRITE_WAIT_SECONDS = 20;

    /** Writes an epoch's outputs; null without --out. */
    interface Writer {
        void write(TrainResult soFar) throws IOException;
    }

    private final Trainer.Listener display;
    private final PrintWriter err;
    private final boolean terminal;
    private final Path dir;
    private volatile Writer writer;
    private final int stepsPerEpoch;
    private final ReentrantLock writing = new ReentrantLock();
    private final Thread hook = new Thread(this::interrupted, "jgrad-interrupt");
    private volatile int step = -1;
    private volatile int totalSteps;
    private volatile int savedEpoch;

    /**
     * @param dir       the run's folder (--out, or the folder --resume continues), or null
     * @param resume    the checkpoint continued, or null
     */
    RunKeeper(Trainer.Listener display, PrintWriter err, boolean terminal, Path dir, TrainConfig cfg,
              int trainCount, Checkpoint resume) {
        this.display = display;
        this.err = err;
        this.terminal = terminal;
        this.dir = dir;
        this.stepsPerEpoch = cfg.stepsPerEpoch(trainCount);
        this.savedEpoch = resume == null ? 0 : resume.epoch();
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Sets the writer of an epoch's outputs, once the data they need is loaded. */
    void keep(Writer epochOutputs) {
        this.writer = epochOutputs;
    }

    @Override
    public void onStart(int total) {
        totalSteps = total;
        display.onStart(total);
    }

    @Override
    public void onStep(int done) {
        step = done;
        display.onStep(done);
    }

    @Override
    public void onLog(int done, float loss) {
        display.onLog(done, loss);
    }

    @Override
    public void onEpoch(EpochStats epoch, int totalEpochs) {
        display.onEpoch(epoch, totalEpochs);
    }

    @Override
    public void onSkippedStep(int done, String what) {
        display.onSkippedStep(done, what);
    }

    /** The checkpoint and the outputs of its epoch, written as one step that an interrupt waits for. */
    @Override
    public void atCheckpoint(Supplier<TrainResult> write) {
        writing.lock();
        try {
            TrainResult soFar = write.get();
            savedEpoch = soFar.epochs().get(soFar.epochs().size() - 1).epoch();
            if (writer != null) {
                writer.write(soFar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writing.unlock();
        }
    }

    /** Runs {@code body} (the final outputs) so that an interrupt waits for it, as for an epoch's. */
    void finalWrite(Writer body, TrainResult result) throws IOException {
        writing.lock();
        try {
            body.write(result);
        } finally {
            writing.unlock();
        }
    }

    /** The shutdown hook: one line; the lock stays held so no write starts while the JVM exits. */
    private void interrupted() {
        try {
            if (!writing.tryLock(WRITE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                err.println("jgrad train: interrupted while writing the outputs of epoch " + savedEpoch
                        + " in " + dir + "; they may be incomplete");
                err.flush();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.print(terminal ? System.lineSeparator() : "");
        err.println(message(step, totalSteps, stepsPerEpoch, savedEpoch, dir));
        err.flush();
    }

    /**
     * "jgrad train: interrupted during epoch 2; checkpoint of epoch 1 in run1; continue with `jgrad
     * train --resume run1`", or what there is to say before training starts or without --out.
     */
    static String message(int step, int totalSteps, int stepsPerEpoch, int savedEpoch, Path dir) {
        String when;
        if (step < 0) {
            when = "before training started";
        } else if (step >= totalSteps) {
            when = "after the last epoch";
        } else {
            when = "during epoch " + (step / stepsPerEpoch + 1);
        }
        if (dir == null) {
            return "jgrad train: interrupted " + when + "; nothing was saved (give --out DIR to keep checkpoints)";
        }
        if (savedEpoch == 0) {
            return "jgrad train: interrupted " + when + "; no epoch was completed, nothing was saved in " + dir;
        }
        return "jgrad train: interrupted " + when + "; checkpoint of epoch " + savedEpoch + " in " + dir
                + "; continue with `jgrad train --resume " + dir + "`";
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running (or has run): it reports the interrupt
        }
    }
}
