package jgrad.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import jgrad.cpu.CpuDevice;
import jgrad.device.Device;
import jgrad.nn.Sequential;
import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;
import jgrad.train.GradCheck;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jgrad gradcheck}: the book's gradient check. Backprop against central differences on a
 * few MNIST test images, per parameter. float32 round-off bounds what a finite difference can
 * resolve, so the step is larger than the book's 1e-4 (which assumes float64).
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = GradcheckCommand.OnlyWhatApplies.class,
        description = "Compare backprop gradients with central differences, per parameter.")
final class GradcheckCommand implements Callable<Integer> {
    /**
     * The shared training options that gradcheck refuses (NOT_USED, and --stem of the ResNets it
     * does not check) are hidden from its --help, and --model says that only mlp is checked; they
     * stay parsed so that giving one gets its one-line error.
     */
    static final class OnlyWhatApplies implements picocli.CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (String name : hiddenOptions()) {
                HelpOptions.restate(spec, name, o -> o.hidden(true));
            }
            HelpOptions.restate(spec, "--model", o -> o.description("Network: mlp only (the conv nets' gradients are "
                    + "checked against PyTorch float64 by a golden test) (default: ${DEFAULT-VALUE})."));
            return spec;
        }
    }

    static List<String> hiddenOptions() {
        List<String> all = new java.util.ArrayList<>(NOT_USED);
        all.add("--stem");
        return all;
    }

    /**
     * Training options gradcheck has no use for: refused rather than silently ignored. --train-limit
     * too: the check reads only test images (the normalisation statistics come from the whole
     * training split whatever the limit), so it could change nothing.
     */
    private static final List<String> NOT_USED = List.of("--train-limit", "--steps", "--epochs", "--batch-size",
            "--lr", "--optimizer",
            "--momentum", "--lr-schedule", "--t-max", "--patience", "--min-delta", "--augment", "--weight-decay",
            "--log-every", "--device", "--kernels", "--tf32", "--deterministic", "--on-nan");

    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions options = new TrainOptions();

    @Option(names = "--examples", defaultValue = "4", description = "Examples in the batch (default: ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--coordinates", defaultValue = "40",
            description = "Coordinates sampled per parameter (default: ${DEFAULT-VALUE}).")
    int coordinates;

    @Option(names = "--h", defaultValue = "1e-2", description = "Finite-difference step (default: ${DEFAULT-VALUE}).")
    double h;

    @Option(names = "--tolerance", defaultValue = "1e-2",
            description = "Largest relative error that passes (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Override
    public Integer call() {
        TrainConfig cfg = validate();
        Device cpu = CpuDevice.get();
        TrainData data = Datasets.load(options.dataset, options.dataDir, true, options.normalize, options.limits()).data();
        int n = Math.min(examples, data.testCount());
        int f = data.features();
        Sequential model = Trainer.buildModel(cfg, cpu, data.shape(), data.classes());
        // Dropout would draw a new mask per evaluation; the check is of the deterministic function.
        model.train(!(cfg.dropout() > 0));
        Tensor x = Tensor.of(cpu, Arrays.copyOf(data.testX(), n * f), n, f);
        Tensor y = Tensor.of(cpu, Arrays.copyOf(data.testY(), n), n);
        List<GradCheck.ParamError> errors = GradCheck.run(model.parameters(),
                () -> NnOps.softmaxCrossEntropy(model.forward(x), y), coordinates, h, 1e-3, cfg.seed());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("gradcheck: %s %s, %d examples, h=%s, float32%n", cfg.model(),
                TrainCommand.describeNet(cfg, data), n, h);
        out.printf("%-14s %-10s %8s %6s %14s %14s  %s%n", "parameter", "shape", "checked", "kinks", "max rel err",
                "max abs err", "");
        boolean ok = true;
        for (GradCheck.ParamError e : errors) {
            // A parameter passes if its compared coordinates agree and most were comparable at all.
            boolean pass = e.maxRelError() <= tolerance && e.checked() >= e.skippedKinks();
            ok &= pass;
            int[] shape = model.parameters().stream().filter(p -> p.name().equals(e.name())).findFirst()
                    .orElseThrow().tensor().shape();
            out.printf("%-14s %-10s %8d %6d %14.3e %14.3e  %s%n", e.name(), Arrays.toString(shape).replace(" ", ""),
                    e.checked(), e.skippedKinks(), e.maxRelError(), e.maxAbsError(), pass ? "PASS" : "FAIL");
        }
        out.flush();
        return ok ? 0 : 1;
    }

    /** All checks of the options, before any data is read; the network they describe. */
    private TrainConfig validate() {
        Predicate<String> given = spec.commandLine().getParseResult()::hasMatchedOption;
        for (String option : NOT_USED) {
            if (given.test(option)) {
                throw new IllegalArgumentException(option + " does not apply to gradcheck: it compares the gradients"
                        + " of one batch of --examples on the CPU and trains nothing");
            }
        }
        Checks.atLeast("--examples", examples, 1);
        Checks.atLeast("--coordinates", coordinates, 1);
        if (!(h > 0)) {
            throw new IllegalArgumentException("--h must be positive, got " + h);
        }
        if (!(tolerance > 0)) {
            throw new IllegalArgumentException("--tolerance must be positive, got " + tolerance);
        }
        TrainChecks.options(options, given, spec.commandLine());
        TrainConfig cfg = options.config(given);
        TrainChecks.config(cfg, given);
        if (!cfg.model().equals("mlp")) {
            // Measured: with h = 1e-2 or 1e-3, 2-60% of a conv layer's coordinates disagree by a few
            // percent although the gradients equal PyTorch's float64 ones to 1e-5.
            throw new IllegalArgumentException("gradcheck supports --model mlp only: float32 central differences "
                    + "cannot resolve " + cfg.model() + " gradients through thousands of ReLU and max-pool kinks; "
                    + (cfg.model().equals("deepconvnet") ? "the conv nets' gradients (SimpleConvNet's, the ResNets', "
                    + "of the same conv, ReLU, pool and affine layers) are checked" : "its gradients are checked")
                    + " against PyTorch float64 by GoldenConvGradsTest");
        }
        return cfg;
    }
}
