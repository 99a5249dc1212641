package jgrad.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import jgrad.cpu.CpuDevice;
import jgrad.cuda.CudaProbe;
import jgrad.device.Device;
import jgrad.device.Devices;
import jgrad.device.KernelChoice;
import jgrad.io.AtomicFiles;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jgrad compare}: the same training job (same seed, same configuration) on the CPU and on
 * a GPU, side by side. {@code --cpu-steps} shortens the CPU run; its time per step then stands for
 * the whole job (total time and speed-up are scaled and marked as estimates). Without a usable GPU
 * the CPU column is printed with one line saying why, and the exit code is 0. On the jgrad CUDA
 * simulator ({@code --device cuda} there; auto leaves it out) the GPU side runs and its loss and
 * accuracy are shown, but no time, throughput or speed-up: none would be a GPU figure (issue 12).
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = CompareCommand.GpuDeviceHelp.class,
        description = "Run one training job on the CPU and on a GPU and compare time, throughput, loss and accuracy.")
final class CompareCommand implements Callable<Integer> {
    /**
     * --device is the shared training option, whose help offers cpu and a fallback to it; here it
     * names the GPU side only (cpu is refused), so its help says that.
     */
    static final class GpuDeviceHelp implements picocli.CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            HelpOptions.restate(spec, "--device", o -> o.description("The GPU side: cuda, cuda:N or auto (cuda:0); "
                    + "the CPU side always runs (default: ${DEFAULT-VALUE})."));
            return spec;
        }
    }

    /** The GPU cells of a simulated run that would hold a time. */
    static final String NOT_TIMED = "simulated: not timed";
    static final String SIMULATED_NOTE = "GPU: simulated (the jgrad CUDA simulator): its run checks the CUDA path "
            + "(loss and accuracy above); its time is no GPU figure, so no time, throughput or speed-up is given";
    static final String SIMULATOR_NOT_AUTO = "the only CUDA device is the jgrad CUDA simulator, which checks the CUDA "
            + "path but is slow (name --device cuda to run the GPU side on it, untimed)";

    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions options = new TrainOptions();

    @Option(names = "--cpu-steps", description = "Run only this many steps on the CPU and scale its time per step "
            + "to the whole job (default: the same steps as the GPU).")
    Integer cpuSteps;

    @Option(names = "--no-warmup", description = TrainCommand.NO_WARMUP_HELP)
    boolean noWarmup;

    @Option(names = "--json", description = "Write the comparison as JSON to this file.")
    Path json;

    @Option(names = "--markdown", description = "Write the comparison table as Markdown to this file.")
    Path markdown;

    @Option(names = "--out", description = "Directory for compare.png (throughput bar chart), compare.json and "
            + "compare.md.")
    Path outDir;

    /**
     * One side of the comparison: what its run measured, or why there is none. {@code scale} is the
     * job's steps over the steps run (1 unless --cpu-steps shortened it). {@code simulated}: it ran
     * on the jgrad CUDA simulator, so its time is no GPU figure and is never reported.
     */
    record Side(String device, int stepsRun, double trainSeconds, float finalLoss, double testAccuracy, double scale,
                boolean simulated, String unavailable) {
        static Side of(TrainResult r, double scale, boolean simulated) {
            return new Side(r.device(), r.steps(), r.trainSeconds(), r.finalLoss(), r.testAccuracy(), scale, simulated,
                    null);
        }

        static Side unavailable(String device, String reason) {
            return new Side(device, 0, 0, Float.NaN, Double.NaN, 1, false, reason);
        }

        boolean ran() {
            return unavailable == null;
        }

        /** Ran on a real device: its time, throughput and the speed-up against it are figures. */
        boolean timed() {
            return ran() && !simulated;
        }

        double msPerStep() {
            return stepsRun == 0 ? 0 : trainSeconds * 1000 / stepsRun;
        }

        double totalSeconds() {
            return trainSeconds * scale;
        }

        double imagesPerSecond(int batch) {
            return batch / (msPerStep() / 1000);
        }
    }

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = validate();
        String gpuSpec = gpuSpec(options.device);
        KernelChoice kernels = KernelChoice.parse(options.kernels);
        PrintWriter out = spec.commandLine().getOut();
        Datasets.Loaded loaded;
        // As train does: the CPU side's kernels compile while the data loads, not in its timed loop.
        jgrad.data.DatasetSpec ds = jgrad.data.DatasetSpec.byName(options.dataset);
        try (jgrad.train.JitWarmup warm = noWarmup ? null
                : jgrad.train.JitWarmup.start(cfg, CpuDevice.get(), ds.shape(), ds.classes(), 300, 4.0)) {
            loaded = Datasets.load(options.dataset, options.dataDir, true, options.normalize, options.limits());
        }
        TrainData data = loaded.data();
        int steps = cfg.totalSteps(data.trainCount());
        int cpuRun = cpuSteps == null ? steps : Math.min(cpuSteps, steps);
        out.printf("jgrad compare: %s %s on %s (%s), %s lr %s, batch %d, %s (cpu: %d)%n", cfg.model(),
                TrainCommand.describeNet(cfg, data), loaded.spec().name(), data.shape(), cfg.optimizer(), Words.number(cfg.lr()),
                cfg.batchSize(), Words.count(steps, "step"), cpuRun);
        out.flush();

        Side gpu = null;
        Device gpuDevice = null;
        if (options.device.trim().equalsIgnoreCase("auto") && CudaProbe.probe().simulated()) {
            gpu = Side.unavailable(gpuSpec, SIMULATOR_NOT_AUTO);
        } else {
            try {
                gpuDevice = Devices.select(gpuSpec, kernels, options.tf32, options.deterministic).device();
            } catch (Devices.DeviceUnavailableException e) {
                gpu = Side.unavailable(gpuSpec, e.getMessage().replaceFirst("^--device [^:]+(:\\d+)?: ", ""));
            }
        }
        try {
            Side cpu = run(out, cpuRun < steps ? withSteps(cfg, cpuRun) : cfg, CpuDevice.get(), data,
                    (double) steps / cpuRun, false);
            if (gpuDevice != null) {
                gpu = run(out, cfg, gpuDevice, data, 1, CudaProbe.isSimulator(gpuDevice.name()));
            }
            report(out, cfg, steps, cpu, gpu);
        } finally {
            if (gpuDevice instanceof AutoCloseable closeable) {
                closeable.close(); // handles, stream and context of the CUDA device
            }
        }
        return 0;
    }

    /** All checks of the options, before any data is read; the job they describe. */
    private TrainConfig validate() {
        java.util.function.Predicate<String> given = spec.commandLine().getParseResult()::hasMatchedOption;
        gpuSpec(options.device);
        TrainChecks.options(options, given, spec.commandLine());
        TrainConfig cfg = options.config(given);
        TrainChecks.config(cfg, given);
        TrainChecks.augment(cfg, options.dataset);
        if (cpuSteps != null) {
            Checks.atLeast("--cpu-steps", cpuSteps, 1);
        }
        Checks.outputFile("--json", json);
        Checks.outputFile("--markdown", markdown);
        Checks.outputDir("--out", outDir);
        return cfg;
    }

    private void report(PrintWriter out, TrainConfig cfg, int steps, Side cpu, Side gpu) throws Exception {
        out.println();
        Table table = table(cfg, steps, cpu, gpu);
        out.print(table.text());
        if (!gpu.ran()) {
            out.println("GPU: unavailable (" + gpu.device() + "): " + gpu.unavailable());
        }
        if (gpu.simulated()) {
            out.println(SIMULATED_NOTE);
        }
        out.flush();
        Map<String, Object> doc = json(cfg, steps, cpu, gpu);
        String md = "# jgrad compare: " + cfg.model() + "\n\n" + table.markdown()
                + (gpu.ran() ? "" : "\nGPU unavailable (" + gpu.device() + "): " + gpu.unavailable() + "\n")
                + (gpu.simulated() ? "\n" + SIMULATED_NOTE + "\n" : "");
        if (json != null) {
            Json.write(json, doc);
        }
        if (markdown != null) {
            writeText(markdown, md);
        }
        if (outDir != null) {
            Files.createDirectories(outDir);
            Json.write(outDir.resolve("compare.json"), doc);
            writeText(outDir.resolve("compare.md"), md);
            chart(outDir.resolve("compare.png"), cfg, cpu, gpu);
            out.printf("saved          %s (compare.png, compare.json, compare.md)%n", outDir);
        }
    }

    /** --device names the GPU side: auto means cuda:0; the CPU side always runs. */
    static String gpuSpec(String device) {
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (d.equals("auto")) {
            return "cuda";
        }
        if (d.equals("cpu")) {
            throw new IllegalArgumentException("compare always runs the CPU side; --device names the GPU to compare "
                    + "with (cuda, cuda:N or auto)");
        }
        return d;
    }

    /** Trains on one device; the model is released at once (only the figures are kept). */
    private static Side run(PrintWriter out, TrainConfig cfg, Device device, TrainData data, double scale,
                            boolean simulated) {
        out.printf("%s: %s%s%n", device.name(), Words.count(cfg.totalSteps(data.trainCount()), "step"),
                simulated ? " (simulated: its progress rates are host time, no GPU figure)" : "");
        out.flush();
        TrainResult r;
        // The task name starts every progress line, so a simulated run's images/s is never read as a GPU's.
        String task = device.name().split(" ")[0] + (simulated ? " (simulated)" : "");
        try (Progress progress = new Progress(out, Progress.isTerminal(), task, cfg.batchSize())) {
            r = Trainer.train(cfg, device, data, progress);
        }
        r.close();
        return Side.of(r, scale, simulated);
    }

    /**
     * The job's first {@code steps} steps as a steps-mode job: every other option kept, so the CPU
     * does the same work per step. (An --epochs job's CPU side samples with replacement here; the
     * time per step is the same.)
     */
    static TrainConfig withSteps(TrainConfig c, int steps) {
        return c.inStepsMode(steps, c.batchSize(), Math.min(c.logEvery(), steps));
    }

    static Table table(TrainConfig cfg, int steps, Side cpu, Side gpu) {
        Table t = new Table("", "cpu", gpu.ran() ? gpu.device() + (gpu.simulated() ? " (SIMULATED)" : "")
                : gpu.device() + " (unavailable)");
        int batch = cfg.batchSize();
        boolean estimated = cpu.scale() != 1;
        String untimed = gpu.simulated() ? NOT_TIMED : "-";
        t.add("device", cpu.device(), gpu.ran() ? gpu.device() : "-");
        t.add("steps run", cpu.stepsRun() + (estimated ? " of " + steps : ""), gpu.ran() ? gpu.stepsRun() : "-");
        t.add("time per step", fmt("%.3f ms", cpu.msPerStep()), gpu.timed() ? fmt("%.3f ms", gpu.msPerStep()) : untimed);
        t.add("total time", fmt("%.2f s", cpu.totalSeconds()) + (estimated ? " (est.)" : ""),
                gpu.timed() ? fmt("%.2f s", gpu.totalSeconds()) : untimed);
        t.add("throughput", fmt("%.0f images/s", cpu.imagesPerSecond(batch)),
                gpu.timed() ? fmt("%.0f images/s", gpu.imagesPerSecond(batch)) : untimed);
        String at = estimated ? " (at step " + cpu.stepsRun() + ")" : "";
        t.add("final loss", fmt("%.4f", cpu.finalLoss()) + at, gpu.ran() ? fmt("%.4f", gpu.finalLoss()) : "-");
        t.add("test accuracy", fmt("%.4f", cpu.testAccuracy()) + at, gpu.ran() ? fmt("%.4f", gpu.testAccuracy()) : "-");
        t.add("speed-up", "1x", gpu.timed() ? fmt("%.1fx", cpu.msPerStep() / gpu.msPerStep()) : untimed);
        return t;
    }

    static Map<String, Object> json(TrainConfig cfg, int steps, Side cpu, Side gpu) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", cfg.model());
        doc.put("steps", steps);
        doc.put("config", cfg);
        doc.put("cpu", side(cpu, cfg.batchSize()));
        doc.put("gpu", side(gpu, cfg.batchSize()));
        doc.put("speedup", gpu.timed() ? cpu.msPerStep() / gpu.msPerStep() : null);
        if (gpu.simulated()) {
            doc.put("note", SIMULATED_NOTE);
        }
        return doc;
    }

    private static Map<String, Object> side(Side s, int batch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", s.device());
        m.put("available", s.ran());
        if (!s.ran()) {
            m.put("reason", s.unavailable());
            return m;
        }
        m.put("simulated", s.simulated());
        m.put("steps_run", s.stepsRun());
        m.put("ms_per_step", s.timed() ? s.msPerStep() : null);
        m.put("total_seconds", s.timed() ? s.totalSeconds() : null);
        m.put("total_seconds_estimated", s.scale() != 1);
        m.put("images_per_second", s.timed() ? s.imagesPerSecond(batch) : null);
        m.put("final_loss", s.finalLoss());
        m.put("test_accuracy", s.testAccuracy());
        return m;
    }

    static void chart(Path png, TrainConfig cfg, Side cpu, Side gpu) throws java.io.IOException {
        int batch = cfg.batchSize();
        String title = "jgrad " + cfg.model() + " training throughput, batch " + batch
                + (gpu.timed() ? fmt(": GPU %.1fx the CPU", cpu.msPerStep() / gpu.msPerStep())
                        : gpu.simulated() ? " (GPU simulated: not timed, no bar)" : " (GPU unavailable)");
        List<String> devices = gpu.timed() ? List.of(barLabel(cpu), barLabel(gpu)) : List.of(barLabel(cpu));
        double[] values = gpu.timed() ? new double[] {cpu.imagesPerSecond(batch), gpu.imagesPerSecond(batch)}
                : new double[] {cpu.imagesPerSecond(batch)};
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("training images per second (higher is better)", values);
        Charts.barChart(png, title, "images / s", devices, series);
    }

    private static String barLabel(Side s) {
        return s.device() + fmt(" (%.3f ms per step)", s.msPerStep());
    }

    private static void writeText(Path file, String text) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
