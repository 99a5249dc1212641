package jgrad.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Predicate;
import jgrad.device.Devices;
import jgrad.device.KernelChoice;
import jgrad.train.Checkpoint;
import jgrad.train.TrainConfig;
import picocli.CommandLine;

/**
 * The checks of the training options (train, compare, gradcheck) that {@link TrainConfig}'s own
 * cannot make: names and paths before anything is read, options the job would silently ignore,
 * and options given again on --resume that the checkpoint's run cannot take. True contradictions
 * are errors naming both sides; an option that merely has no effect on the chosen device is a
 * warning, as PyTorch ignores TF32 settings on the CPU.
 */
final class TrainChecks {
    private TrainChecks() {}

    /** Before the config is built or any file is read. {@code given} tells which options were typed. */
    static void options(TrainOptions o, Predicate<String> given, CommandLine cli) {
        Checks.dataset("--dataset", o.dataset);
        Datasets.normalizeMode(o.normalize);
        Devices.check(o.device, KernelChoice.parse(o.kernels));
        Checks.dataDir(o.dataDir);
        if (given.test("--steps") && given.test("--epochs") && o.epochs > 0) {
            throw new IllegalArgumentException("--steps and --epochs both given: --epochs " + o.epochs + " makes "
                    + Words.count(o.epochs, "pass", "passes") + " over the data and would ignore --steps " + o.steps + "; give one");
        }
        if (given.test("--epochs") && o.epochs == 0) {
            throw new IllegalArgumentException("--epochs must be positive, got 0 (for a number of steps give --steps N)");
        }
        if (o.tf32 && o.device.trim().equalsIgnoreCase("cpu")) {
            Errors.warn(cli, "--tf32 has no effect with --device cpu (the CPU computes in FP32)");
        }
    }

    /** Once the config is built: options given that this job would ignore. */
    static void config(TrainConfig cfg, Predicate<String> given) {
        if (given.test("--stem") && !TrainConfig.isResNet(cfg.model())) {
            throw new IllegalArgumentException("--stem applies to --model resnet8 and resnet18, not to " + cfg.model());
        }
        if (given.test("--t-max") && !cfg.lrSchedule().equals("cosine")) {
            throw new IllegalArgumentException("--t-max applies to --lr-schedule cosine, not to " + cfg.lrSchedule()
                    + " (the schedule of this run)");
        }
        if (given.test("--min-delta") && cfg.patience() == 0) {
            throw new IllegalArgumentException("--min-delta applies with --patience N (early stopping), which is 0 "
                    + "(off) for this run");
        }
    }

    /**
     * A batch larger than the training set, refused from the data set's recorded size before the
     * data is read (or the JIT warm-up started).
     */
    static void batchSize(TrainConfig cfg, String dataset, DataLimits limits) {
        jgrad.data.DatasetSpec spec = jgrad.data.DatasetSpec.byName(dataset.trim());
        int count = limits.trainCount(spec.trainCount(), spec.name());
        if (cfg.batchSize() > count) {
            throw new IllegalArgumentException("--batch-size " + cfg.batchSize() + " exceeds the " + count
                    + " training examples of " + spec.name() + (limits.train() > 0 ? " (--train-limit)" : ""));
        }
    }

    /**
     * A network with a layer over 2^31 elements (e.g. two hidden layers of 2^20 units), refused from
     * the data set's image shape before the data is read or any of the model is allocated.
     */
    static void modelSize(TrainConfig cfg, String dataset) {
        jgrad.data.DatasetSpec spec = jgrad.data.DatasetSpec.byName(dataset.trim());
        jgrad.train.ModelShapes.of(cfg, spec.shape(), spec.classes());
    }

    /** --augment flip on a data set of digits (known before loading from --dataset or the checkpoint). */
    static void augment(TrainConfig cfg, String dataset) {
        if (cfg.augment().contains("flip") && dataset.trim().toLowerCase(Locale.ROOT).equals("mnist")) {
            throw new IllegalArgumentException("--augment flip is for cifar10 (and fashion-mnist): a mirrored digit"
                    + " is not the same digit");
        }
    }

    /**
     * --resume DIR with options given again: the network, its optimizer state and the sampling of
     * the run must stay as the checkpoint has them; the rest (--lr, --epochs to extend, ...) may change.
     */
    static void resume(TrainConfig asked, Checkpoint checkpoint, Predicate<String> given, Path dir) {
        TrainConfig saved = checkpoint.config();
        same("--model", asked.model(), saved.model(), dir);
        same("--hidden", join(asked.hidden()), join(saved.hidden()), dir);
        same("--activation", asked.activation().toLowerCase(Locale.ROOT), saved.activation().toLowerCase(Locale.ROOT),
                dir);
        same("--batch-norm", asked.batchNorm(), saved.batchNorm(), dir);
        same("--stem", asked.stem(), saved.stem(), dir);
        if ((asked.dropout() > 0) != (saved.dropout() > 0)) {
            throw conflict("--dropout " + TrainCommand.plain(asked.dropout()), dir, "its model has "
                    + (saved.dropout() > 0 ? "dropout " + TrainCommand.plain(saved.dropout()) : "no dropout layers"));
        }
        same("--optimizer", asked.optimizer(), saved.optimizer(), dir);
        same("--batch-size", asked.batchSize(), saved.batchSize(), dir);
        same("--seed", asked.seed(), saved.seed(), dir);
        if (given.test("--steps") && saved.epochs() > 0) {
            throw new IllegalArgumentException("--steps conflicts with --resume " + dir + ": its run counts --epochs ("
                    + saved.epochs() + "); give --epochs N to extend it");
        }
        if (given.test("--epochs") && saved.epochs() == 0 && asked.epochs() > 0) {
            throw new IllegalArgumentException("--epochs conflicts with --resume " + dir + ": its run counts --steps ("
                    + saved.steps() + "); give --steps N to extend it");
        }
        if (asked.epochs() > 0 && asked.epochs() < checkpoint.epoch()) {
            throw new IllegalArgumentException("--epochs " + asked.epochs() + " is less than the "
                    + Words.count(checkpoint.epoch(), "epoch") + " the checkpoint in " + dir + " has done");
        }
        if (asked.epochs() == 0 && asked.steps() < checkpoint.step()) {
            throw new IllegalArgumentException("--steps " + asked.steps() + " is less than the "
                    + Words.count(checkpoint.step(), "step") + " the checkpoint in " + dir + " has done");
        }
    }

    private static void same(String option, Object asked, Object saved, Path dir) {
        if (!asked.equals(saved)) {
            throw conflict(option + " " + asked, dir, "its run has " + option + " " + saved);
        }
    }

    private static IllegalArgumentException conflict(String option, Path dir, String why) {
        return new IllegalArgumentException(option + " conflicts with --resume " + dir + ": " + why
                + " (start a new run to change it)");
    }

    private static String join(int[] widths) {
        return String.join(",", Arrays.stream(widths).mapToObj(Integer::toString).toList());
    }
}
