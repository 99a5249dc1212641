package jgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import jgrad.device.Devices;
import jgrad.io.AtomicFiles;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.nn.ConvNet;
import jgrad.nn.Parameter;
import jgrad.data.DatasetSpec;
import jgrad.train.Checkpoint;
import jgrad.train.JitWarmup;
import jgrad.train.ModelShapes;
import jgrad.train.RunOptions;
import jgrad.train.TorchWeights;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad train}: trains a network and reports time, loss and test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on MNIST, Fashion-MNIST or CIFAR-10 (defaults: the seed's two-layer net, "
                + "10 000 SGD steps on MNIST).")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions options = new TrainOptions();

    @Option(names = "--metrics-json", description = "Write the summary and loss history as JSON to this file.")
    Path metricsJson;

    @Option(names = "--out", description = "Directory for checkpoint.safetensors (after every epoch), accuracy.png, "
            + "model.safetensors, loss.png, predictions.png, filters.png (the conv models' first-layer filters) and "
            + "metrics.json.")
    Path outDir;

    @Option(names = "--overwrite", description = "Replace the run that --out already holds (without it, such a "
            + "folder is refused unless --resume continues that run).")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run whose checkpoint is in DIR (its options, unless given again; "
                    + "--out defaults to DIR).")
    Path resumeDir;

    @Option(names = "--init-from", paramLabel = "FILE",
            description = "Start from these weights instead of random ones: a model.safetensors of jgrad, or a "
                    + "PyTorch state_dict of the same network saved with safetensors (names, shapes checked first).")
    Path initFrom;

    @Option(names = "--stop-after-epoch", defaultValue = "0", paramLabel = "N",
            description = "Stop once epoch N is done, leaving the checkpoint to --resume (needs --out).")
    int stopAfterEpoch;

    /** The job the options describe, every option checked; nothing but the checkpoint has been read yet. */
    private record Job(TrainConfig cfg, Checkpoint resume, TorchWeights initial, Path dir, String dataset,
                       DataLimits limits, boolean finished) {}

    /** The --no-warmup help, shared with compare, whose CPU side warms up the same way. */
    static final String NO_WARMUP_HELP = "Skip the CPU JIT warm-up (by default a throw-away run on synthetic "
            + "data compiles the kernels while the data loads, so the timed loop starts at full speed).";

    @Option(names = "--no-warmup", description = NO_WARMUP_HELP)
    boolean noWarmup;

    @Override
    public Integer call() throws Exception {
        Predicate<String> given = spec.commandLine().getParseResult()::hasMatchedOption;
        Job job = validate(given);
        if (job.finished()) {
            return finished(job);
        }
        // Before the data: a GPU asked for that cannot be used fails at once, not after a long load.
        Devices.Selection selection = options.selectDevice();
        PrintWriter out = spec.commandLine().getOut();
        // On the CUDA simulator every rate is host time: its progress lines say so (issue 12: no figure from
        // the simulator reads as a GPU figure).
        Progress progress = new Progress(out, Progress.isTerminal(),
                jgrad.cuda.CudaProbe.isSimulator(selection.device().name()) ? "train (simulated)" : "train", job.cfg().batchSize());
        jgrad.data.DatasetSpec dataSpec = jgrad.data.DatasetSpec.byName(job.dataset().trim());
        int trainCount = job.limits().trainCount(dataSpec.trainCount(), dataSpec.name());
        try (progress; RunKeeper keeper = new RunKeeper(progress, spec.commandLine().getErr(), Progress.isTerminal(),
                job.dir(), job.cfg(), trainCount, job.resume())) {
            Datasets.Loaded loaded;
            JitWarmup.Report warmed;
            try (JitWarmup warm = startWarmup(job.cfg(), selection, job.dataset())) {
                loaded = job.resume() == null
                        ? Datasets.load(options.dataset, options.dataDir, true, options.normalize, job.limits())
                        : Datasets.forCheckpoint(job.resume(), given.test("--dataset") ? options.dataset
                                : null, options.dataDir);
                warmed = warm == null ? null : warm.finish();
            }
            if (overwrite) {
                RunFolder.clear(job.dir());  // now that the new run's data is in hand
            }
            RunOptions run = new RunOptions(job.dir(), job.resume(), stopAfterEpoch, loaded.info(), job.initial());
            RunKeeper.Writer outputs = job.dir() == null ? null
                    : soFar -> RunOutputs.write(job.dir(), job.cfg(), soFar, loaded, job.resume());
            keeper.keep(outputs);
            return train(job.cfg(), selection, loaded, run, job.resume(), job.dir(), warmed, progress, keeper);
        } finally {
            if (selection.device() instanceof AutoCloseable closeable) {
                closeable.close();  // a CUDA device: handles, stream, context (the CPU device is shared)
            }
        }
    }

    /** All checks of the options, in one place, before any data is read (or fetched). */
    private Job validate(Predicate<String> given) {
        TrainChecks.options(options, given, spec.commandLine());
        Checks.outputDir("--out", outDir);
        Checks.outputFile("--metrics-json", metricsJson);
        if (overwrite && outDir == null) {
            throw new IllegalArgumentException("--overwrite needs --out (the folder whose run it replaces)");
        }
        if (initFrom != null && resumeDir != null) {
            throw new IllegalArgumentException("--init-from and --resume both given: --resume continues a run with its "
                    + "optimizer state, --init-from starts a new one from given weights; give one");
        }
        if (initFrom != null && !Files.isRegularFile(initFrom)) {
            throw new IllegalArgumentException("--init-from " + initFrom + (Files.exists(initFrom)
                    ? " is not a file (give the .safetensors file itself)" : ": no such file"));
        }
        if (overwrite && resumeDir != null) {
            throw new IllegalArgumentException("--overwrite and --resume both given: --resume continues the run, "
                    + "--overwrite replaces it; give one");
        }
        RunFolder.checkFree(outDir, resumeDir == null ? null : Files.isDirectory(resumeDir) ? resumeDir
                : resumeDir.toAbsolutePath().getParent(), overwrite);
        Checkpoint resume = null;
        TrainConfig cfg;
        Path dir = outDir;
        String dataset = options.dataset;
        DataLimits limits = options.limits();
        if (resumeDir != null) {
            if (given.test("--normalize")) {
                throw new IllegalArgumentException("--normalize cannot change on --resume (the checkpoint's inputs"
                        + " must stay as they were)");
            }
            Checks.checkpoint("--resume", resumeDir);
            resume = Checkpoint.read(resumeDir);
            if (!given.test("--dataset")) {
                dataset = Datasets.specFor(resume, null).name();
            }
            // The file's tensors against its config, first: before the options are held against that
            // config, and before the data, the warm-up or the model take memory.
            DatasetSpec resumedOn = DatasetSpec.byName(dataset.trim());
            resume.checkTensors(resumedOn.shape(), resumedOn.classes());
            cfg = options.config(resume.config(), given);
            TrainChecks.resume(cfg, resume, given, resumeDir);
            DataLimits stored = Datasets.limitsOf(resume, resumedOn);
            for (Object[] o : new Object[][] {{"--train-limit", limits.train(), stored.train()},
                {"--test-limit", limits.test(), stored.test()}}) {
                if (given.test((String) o[0]) && !o[1].equals(o[2])) {
                    throw new IllegalArgumentException(o[0] + " " + o[1] + " conflicts with --resume " + resumeDir
                            + ": its run has " + ((Integer) o[2] == 0 ? "no " + o[0] : o[0] + " " + o[2]));
                }
            }
            limits = stored;
            if (dir == null) {
                dir = resume.file().toAbsolutePath().getParent();
            }
        } else {
            cfg = options.config(given);
        }
        TrainChecks.config(cfg, given);
        TrainChecks.augment(cfg, dataset);
        TrainChecks.batchSize(cfg, dataset, limits);
        TrainChecks.modelSize(cfg, dataset);
        new RunOptions(dir, resume, stopAfterEpoch, null);  // its checks of --stop-after-epoch
        TorchWeights initial = null;
        if (initFrom != null) {
            // Names, dtypes and shapes against the config before any tensor data is read; before the data set.
            DatasetSpec on = DatasetSpec.byName(dataset.trim());
            initial = TorchWeights.read(initFrom, ModelShapes.of(cfg, on.shape(), on.classes()));
        }
        if (cfg.epochs() > 0 && stopAfterEpoch > cfg.epochs()) {
            throw new IllegalArgumentException("--stop-after-epoch " + stopAfterEpoch + " is past the run's last epoch"
                    + " (--epochs " + cfg.epochs() + ")");
        }
        boolean finished = resume != null && (resume.stoppedEarlyAfter() > 0 || (cfg.epochs() > 0
                ? resume.epoch() >= cfg.epochs() : resume.step() >= cfg.steps()));
        return new Job(cfg, resume, initial, dir, dataset, limits, finished);
    }

    /**
     * --resume of a run that has nothing left to do: said in one line, and nothing is loaded,
     * trained or rewritten (PyTorch Lightning likewise returns at once from a checkpoint past
     * max_epochs). Exit 0: the run is as asked for.
     */
    private int finished(Job job) {
        Checkpoint c = job.resume();
        String how = c.config().epochs() > 0 ? "give --epochs N (more than " + c.epoch() + ") to train further"
                : "give --steps N (more than " + c.step() + ") to train further";
        String state = c.stoppedEarlyAfter() > 0 ? "stopped early after epoch " + c.stoppedEarlyAfter()
                + " (--patience); nothing to continue" : how;
        spec.commandLine().getOut().printf("%s is complete (%s); %s%n", resumeDir, RunFolder.progress(c), state);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The JIT warm-up for a CPU run (see {@link JitWarmup}), or null: on a GPU, with --no-warmup, or
     * for an unknown dataset (whose error the loader reports). It runs until the data is loaded and
     * then on to 300 steps or 4 s, whichever comes first: on the seed MLP the first 100 steps carry
     * most of the compilation and by 300 steps are within 20% of full speed; a ResNet step is long
     * enough that a few steps compile everything. Waiting costs the job nothing in total: the same
     * compilation would otherwise happen inside the loop.
     */
    private JitWarmup startWarmup(TrainConfig cfg, Devices.Selection selection, String dataset) {
        if (noWarmup || !(selection.device() instanceof jgrad.cpu.CpuDevice)) {
            return null;
        }
        DatasetSpec ds = DatasetSpec.known().stream().filter(d -> d.name().equalsIgnoreCase(dataset)).findFirst()
                .orElse(null);
        return ds == null ? null : JitWarmup.start(cfg, selection.device(), ds.shape(), ds.classes(), 300, 4.0);
    }

    private int train(TrainConfig cfg, Devices.Selection selection, Datasets.Loaded loaded, RunOptions run,
                      Checkpoint resume, Path dir, JitWarmup.Report warmed, Progress progress, RunKeeper keeper)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TrainData data = loaded.data();
        out.printf("jgrad train: %s %s on %s (%s), %s lr %s, batch %d, %s on %s%n", cfg.model(),
                describeNet(cfg, data), loaded.spec().name(), data.shape(), cfg.optimizer(), Words.number(cfg.lr()),
                cfg.batchSize(), Words.count(cfg.totalSteps(data.trainCount()), "step"), selection.device().name());
        String extras = extras(cfg, data);
        if (!extras.isEmpty()) {
            out.println("  " + extras);
        }
        if (warmed != null) {
            out.println("  " + warmupLine(warmed));
        }
        if (resume != null) {
            out.printf("  resuming from %s at epoch %d (step %d)%n", resume.file(), resume.epoch(), resume.step());
        }
        if (run.initialWeights() != null) {
            out.printf("  initial weights from %s%n", initFrom);
        }
        TrainResult result;
        try {
            result = Trainer.train(cfg, selection.device(), data, keeper, run);
        } finally {
            progress.close();
        }
        List<String> names = loaded.spec().classNames();
        out.println();
        out.printf("device         %s%n", result.device());
        out.printf("steps          %d%n", result.steps());
        String hostTime = jgrad.cuda.CudaProbe.isSimulator(result.device()) ? "  (simulated device: host time, not a GPU figure)" : "";
        out.printf("train seconds  %.3f%s%n", result.trainSeconds(), hostTime);
        out.printf("ms/step        %.4f%s%n", result.msPerStep(), hostTime);
        out.printf("final loss     %.4f%n", result.finalLoss());
        out.printf("test accuracy  %.4f%n", result.testAccuracy());
        out.printf("acc per epoch  %s%n", Report.epochAccuracies(result.epochs()));
        if (cfg.skipsNonFinite()) {
            out.printf("skipped steps  %d (non-finite loss or gradient, --on-nan skip)%n", result.skippedSteps());
        }
        if (result.stoppedEarlyAfter() > 0) {
            out.printf("early stop     after epoch %d: the epoch loss did not improve by more than %s for %s%n",
                    result.stoppedEarlyAfter(), plain(cfg.minDelta()), Words.count(cfg.patience(), "epoch"));
        }
        if (!result.complete()) {
            out.printf("paused         after epoch %d; continue with: jgrad train --resume %s%n",
                    result.epochs().get(result.epochs().size() - 1).epoch(), dir);
        }
        Report.perClass(out, result.evaluation(), names);
        out.flush();
        if (metricsJson != null) {
            RunOutputs.writeJson(metricsJson, RunOutputs.metrics(cfg, result, loaded, resume));
        }
        if (dir != null) {
            List<String> written = new ArrayList<>();
            keeper.finalWrite(r -> written.addAll(RunOutputs.write(dir, cfg, r, loaded, resume)), result);
            out.printf("saved          %s (%s)%n", dir, String.join(", ", written));
        }
        result.close();
        return 0;
    }

    /**
     * What the JIT warm-up did and what it bought: the time of its first (cold) and last step, and the
     * part of its time that came after the data was ready, which the run waited for. Where its steps
     * got no faster, it says so and how to skip it.
     */
    static String warmupLine(JitWarmup.Report r) {
        String when = r.afterData() >= 0.1 ? String.format(Locale.ROOT, ", %.1f s of it after the data loaded",
                r.afterData()) : ", while the data loaded";
        String did = String.format(Locale.ROOT, "JIT warm-up: %s on synthetic data in %.1f s%s", Words.count(r.steps(),
                "step"), r.seconds(), when);
        if (Double.isNaN(r.speedUp())) {
            // One long step may well have compiled the kernels' loops (a cold convnet step takes seconds), but
            // there is no second step to show it.
            return did + "; one step is too few to time what it bought (skip: --no-warmup)";
        }
        String steps = "; a step went from " + ms(r.firstStepMs()) + " to " + ms(r.lastStepMs());
        return r.speedUp() >= 1.5
                ? did + steps + String.format(Locale.ROOT, " (%.0f× faster; skip: --no-warmup)", r.speedUp())
                : did + steps + ": no gain for this job, --no-warmup skips it";
    }

    /** Milliseconds to three figures: 0.552 ms, 11.5 ms, 812 ms. */
    static String ms(double ms) {
        return String.format(Locale.ROOT, ms < 1 ? "%.3f ms" : ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms",
                ms);
    }

    /** The options beyond the seed's, in one line; empty when none is in use. */
    static String extras(TrainConfig cfg, TrainData data) {
        List<String> parts = new ArrayList<>();
        if (cfg.optimizer().equals("momentum")) {
            parts.add("momentum " + plain(cfg.momentum()));
        }
        if (cfg.weightDecay() > 0) {
            parts.add("weight decay " + plain(cfg.weightDecay()));
        }
        if (cfg.lrSchedule().equals("cosine")) {
            parts.add("cosine lr per epoch, T_max " + Words.count(cfg.tMax() > 0 ? cfg.tMax()
                    : cfg.totalEpochs(data.trainCount()), "epoch"));
        }
        if (!cfg.augment().equals("none")) {
            parts.add("augment " + cfg.augment() + " (host)");
        }
        if (cfg.patience() > 0) {
            parts.add("early stopping: patience " + cfg.patience() + ", min delta " + plain(cfg.minDelta()));
        }
        if (!data.normalization().isIdentity()) {
            parts.add("inputs normalised per channel (mean " + java.util.Arrays.toString(data.normalization().mean())
                    + ", std " + java.util.Arrays.toString(data.normalization().std()) + ")");
        }
        return String.join(", ", parts);
    }

    /** 5e-4 as "0.0005", not "5.0E-4". */
    static String plain(float v) {
        return new java.math.BigDecimal(Float.toString(v)).stripTrailingZeros().toPlainString();
    }

    static String describeNet(TrainConfig cfg, TrainData data) {
        if (TrainConfig.isResNet(cfg.model())) {
            return cfg.stem() + " stem, " + data.classes() + " classes";
        }
        StringBuilder sb = new StringBuilder();
        if (cfg.model().equals("convnet")) {
            sb.append("conv").append(ConvNet.FILTERS).append('x').append(ConvNet.KERNEL)
                    .append('x').append(ConvNet.KERNEL).append("-pool2");
        } else if (cfg.model().equals("deepconvnet")) {
            sb.append(jgrad.nn.DeepConvNet.describeConvs());
        } else {
            sb.append(data.features());
        }
        for (int h : cfg.hidden()) {
            sb.append('-').append(h);
        }
        sb.append('-').append(data.classes()).append(' ').append(cfg.activation());
        if (cfg.model().equals("deepconvnet")) {
            sb.append(" + dropout ").append(plain(jgrad.nn.DeepConvNet.DROPOUT));
        }
        return sb.toString();
    }
}
