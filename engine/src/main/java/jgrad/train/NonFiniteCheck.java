package jgrad.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import jgrad.tensor.Tensor;

/**
 * Numerical faults of a run ({@link TrainConfig#onNan}): a step whose loss or any gradient is NaN
 * or ±∞, and weights that an update pushed out of the float range.
 *
 * <p>Detection costs no host sync per step on a GPU: each step queues its loss and the index of
 * its first non-finite gradient ({@link DeviceOps#flagNonFinite} over the gradients in
 * {@code model.parameters()} order) into a device record of two floats per step. The record is
 * read where the losses are: at log points and epoch ends on a device that queues work; right
 * after the backward where a read is free (the CPU); and with {@code skip} on every device, since
 * the update must be decided before it runs (PyTorch's GradScaler reads its found-inf flag every
 * step for the same reason). As every step keeps its own flags, a late read still names the first
 * bad step and parameter exactly.
 *
 * <p>{@code stop}: the run ends with a {@link TrainingDivergedException} before any later
 * checkpoint is written, so the last one (the previous epoch's) stays good. {@code skip}: the
 * step's update is not applied (weights, optimizer state and step count untouched; batch-norm
 * running statistics put back as they were before the step), its loss is recorded as NaN and left
 * out of the epoch mean, and the run goes on. It still stops at {@value #MAX_CONSECUTIVE_SKIPS}
 * consecutive skipped steps, or when more than a tenth of one epoch's steps (at least 1) are
 * skipped: a run that bad is diverging, not meeting a rare overflow.
 *
 * <p>Weights and buffers themselves are checked at every epoch end (before the checkpoint) and at
 * the end of the run: an update with finite gradients can still overflow a weight.
 */
final class NonFiniteCheck implements AutoCloseable {
    static final int MAX_CONSECUTIVE_SKIPS = 10;
    /** Skips reported one by one; after these, only every {@value #REPORT_EVERY}th. */
    static final int REPORTED_SKIPS = 10;
    static final int REPORT_EVERY = 100;
    /** A flag no gradient has lowered: every code is smaller. */
    private static final float CLEAN = Float.POSITIVE_INFINITY;

    private final Device device;
    private final DeviceOps ops;
    private final List<Parameter> params;
    /** Parameters, then buffers: the order of {@link #checkValues}' codes. */
    private final List<Parameter> values;
    private final List<Parameter> buffers;
    private final boolean skip;
    private final boolean readEachStep;
    private final int stepsPerEpoch;
    /** Per step: [2s] its loss, [2s+1] the index of its first non-finite gradient, or +∞. */
    private final Tensor record;
    private final Tensor valueFlag;
    /** With skip: the buffers as they were before the current step. */
    private final List<Tensor> savedBuffers = new ArrayList<>();
    private final BitSet skipped = new BitSet();
    private final float[] pair = new float[2];
    private int consecutive;
    /** What the error message says about checkpoints, or null without --out. */
    private String checkpointNote;

    NonFiniteCheck(TrainConfig cfg, Device device, Sequential model, TrainState state, int stepsPerEpoch,
                   RunOptions run) {
        this.device = device;
        this.ops = device.ops();
        this.params = model.parameters();
        this.buffers = model.buffers();
        this.values = new ArrayList<>(params);
        values.addAll(buffers);
        this.skip = cfg.skipsNonFinite();
        this.readEachStep = skip || device.synchronous();
        this.stepsPerEpoch = stepsPerEpoch;
        int steps = state.losses.length;
        if (steps > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(steps + " steps exceed the per-step fault record (at most "
                    + Integer.MAX_VALUE / 2 + ")");
        }
        this.record = Tensor.full(device, CLEAN, 2 * steps);
        this.valueFlag = Tensor.zeros(device, 1);
        if (skip) {
            for (Parameter b : buffers) {
                savedBuffers.add(Tensor.zeros(device, b.tensor().shape()));
            }
        }
        // A resumed skip run stored its skipped steps as NaN losses.
        for (int i = 0; i < state.step; i++) {
            if (Float.isNaN(state.losses[i])) {
                skipped.set(i);
            }
        }
        if (run.resume() != null) {
            checkpointWritten(run.resume().file(), run.resume().epoch());
        } else if (run.checkpointDir() != null) {
            checkpointNote = "no checkpoint was written (no epoch had finished)";
        }
    }

    /** With skip: keeps the buffers (batch-norm running statistics) so that a skipped step can put them back. */
    void beforeStep() {
        for (int i = 0; i < savedBuffers.size(); i++) {
            Tensor b = buffers.get(i).tensor();
            ops.copy(b.storage(), 0, savedBuffers.get(i).storage(), 0, b.numel());
        }
    }

    /** Queues the step's record: its loss, and the first parameter whose gradient has a NaN or infinity. */
    void afterBackward(int step, Tensor loss) {
        ops.copy(loss.storage(), 0, record.storage(), 2 * step, 1);
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).tensor().grad();
            if (g != null) {
                ops.flagNonFinite(g.storage(), g.numel(), record.storage(), 2 * step + 1, i);
            }
        }
    }

    /**
     * Whether the optimizer may apply this step's update. Where the record is read late, always
     * (a fault ends the run at the next read); otherwise reads the step's record: stop ends the
     * run at a fault, skip skips the step (and ends the run past its limits).
     */
    boolean applyUpdate(int step, Trainer.Listener listener) {
        if (!readEachStep) {
            return true;
        }
        device.copyOut(record.storage(), 2 * step, pair, 0, 2);
        if (Float.isFinite(pair[0]) && pair[1] == CLEAN) {
            consecutive = 0;
            return true;
        }
        String what = describe(step, pair[0], pair[1]);
        if (!skip) {
            throw diverged(what, step, pair[1]);
        }
        skipped.set(step);
        consecutive++;
        for (int i = 0; i < savedBuffers.size(); i++) {
            Tensor b = buffers.get(i).tensor();
            ops.copy(savedBuffers.get(i).storage(), 0, b.storage(), 0, b.numel());
        }
        int epochStart = step / stepsPerEpoch * stepsPerEpoch;
        int inEpoch = skipped.get(epochStart, step + 1).cardinality();
        if (consecutive >= MAX_CONSECUTIVE_SKIPS) {
            throw diverged(what + "; " + consecutive + " consecutive steps skipped (--on-nan skip gives up at "
                    + MAX_CONSECUTIVE_SKIPS + ")", step, pair[1]);
        }
        if (inEpoch > maxSkipsPerEpoch()) {
            throw diverged(what + "; " + inEpoch + " of the " + stepsPerEpoch + " steps of epoch "
                    + (step / stepsPerEpoch + 1) + " skipped (--on-nan skip gives up past 10% of an epoch)", step,
                    pair[1]);
        }
        int total = skipped.cardinality();
        if (total <= REPORTED_SKIPS || total % REPORT_EVERY == 0) {
            String note = total == REPORTED_SKIPS ? " (" + total + " steps skipped; from now on every "
                    + REPORT_EVERY + "th skip is reported)" : total > REPORTED_SKIPS ? " (" + total
                    + " steps skipped so far)" : "";
            listener.onSkippedStep(step + 1, what + note);
        }
        return false;
    }

    /** More skipped steps than this in one epoch end a skip run. */
    int maxSkipsPerEpoch() {
        return Math.max(1, stepsPerEpoch / 10);
    }

    /**
     * Copies the losses of steps {@code [from, to)} into {@code losses}; skipped steps read NaN. A
     * fault among them (found here on a device that queues work) ends the run, naming the first.
     */
    void readLosses(int from, int to, float[] losses) {
        if (to <= from) {
            return;
        }
        float[] rec = new float[2 * (to - from)];
        device.copyOut(record.storage(), 2 * from, rec, 0, rec.length);
        for (int i = from; i < to; i++) {
            float loss = rec[2 * (i - from)];
            float code = rec[2 * (i - from) + 1];
            if (skipped.get(i)) {
                losses[i] = Float.NaN;
            } else if (!Float.isFinite(loss) || code != CLEAN) {
                throw diverged(describe(i, loss, code), i, code);
            } else {
                losses[i] = loss;
            }
        }
    }

    /**
     * Checks every weight and buffer after {@code stepsDone} steps (a host sync; at epoch ends and
     * the end of the run): an update can overflow a weight though its gradient was finite.
     */
    void checkValues(int stepsDone) {
        ops.fill(valueFlag.storage(), CLEAN, 1);
        for (int i = 0; i < values.size(); i++) {
            Tensor t = values.get(i).tensor();
            ops.flagNonFinite(t.storage(), t.numel(), valueFlag.storage(), 0, i);
        }
        device.copyOut(valueFlag.storage(), 0, pair, 0, 1);
        if (pair[0] != CLEAN) {
            int index = (int) pair[0];
            String name = values.get(index).name();
            String kind = index < params.size() ? "parameter" : "buffer";
            throw new TrainingDivergedException("non-finite values in " + kind + " '" + name + "' after step "
                    + stepsDone + " (an update overflowed it although the gradients were finite)" + advice(),
                    stepsDone, name);
        }
    }

    /** Notes the checkpoint a fault would leave as the last good one. */
    void checkpointWritten(Path file, int epoch) {
        checkpointNote = "the last good checkpoint is " + file + " (epoch " + epoch + ")";
    }

    int skippedSteps() {
        return skipped.cardinality();
    }

    /** "non-finite gradient at step 37: first in parameter 'fc1.weight' (loss 2.303)" for 0-based step 36. */
    private String describe(int step, float loss, float code) {
        String param = code == CLEAN ? null : params.get((int) code).name();
        if (!Float.isFinite(loss)) {
            return "non-finite loss at step " + (step + 1) + " (loss " + format(loss) + ")"
                    + (param == null ? "" : ", first non-finite gradient in parameter '" + param + "'");
        }
        return "non-finite gradient at step " + (step + 1) + ": first in parameter '" + param + "' (loss "
                + format(loss) + ")";
    }

    private TrainingDivergedException diverged(String what, int step, float code) {
        return new TrainingDivergedException(what + advice(), step + 1,
                code == CLEAN ? null : params.get((int) code).name());
    }

    private String advice() {
        return (checkpointNote == null ? "" : "; " + checkpointNote) + "; try a smaller --lr";
    }

    static String format(float v) {
        return Float.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : Float.toString(v);
    }

    @Override
    public void close() {
        record.close();
        valueFlag.close();
        savedBuffers.forEach(Tensor::close);
    }
}
