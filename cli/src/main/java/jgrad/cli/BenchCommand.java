package jgrad.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jgrad.cpu.Parallel;
import jgrad.cpu.SgemmBench;
import jgrad.device.Device;
import jgrad.device.Devices;
import jgrad.train.StepBench;
import jgrad.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jgrad bench}: throughput of SGEMM and of whole training steps, with the machine printed. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark suites: gemm (GFLOP/s), train (ms per training step).")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--suite", defaultValue = "gemm,train", split = ",",
            description = "Suites to run: gemm, train (default: ${DEFAULT-VALUE}).")
    List<String> suites;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--repeats", defaultValue = "5", description = "Measured repeats per case (median reported).")
    int repeats;

    @Option(names = "--json", description = "Also write the results as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1");
        }
        for (String s : suites) {
            if (!s.equals("gemm") && !s.equals("train")) {
                throw new IllegalArgumentException("unknown suite '" + s + "' (expected gemm or train)");
            }
        }
        Device dev = Devices.select(device).device();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("jgrad bench on %s, %d threads, Java %s%n", SgemmBench.machineLine(), Parallel.threads(),
                System.getProperty("java.version"));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", SgemmBench.machineLine());
        results.put("threads", Parallel.threads());
        if (suites.contains("gemm")) {
            out.printf("%n%-28s %12s %12s%n", "sgemm (cpu)", "GFLOP/s", "median ms");
            List<SgemmBench.Result> gemm = SgemmBench.run(SgemmBench.DEFAULT_SHAPES, repeats, 50);
            for (SgemmBench.Result r : gemm) {
                out.printf("%-28s %12.1f %12.3f%n", r.shape(), r.gflops(), r.medianMs());
                out.flush();
            }
            results.put("gemm", gemm);
        }
        if (suites.contains("train")) {
            out.printf("%n%-28s %10s %10s %10s %10s%n", "train step (" + dev.name() + ")", "batch", "median ms",
                    "min ms", "max ms");
            List<StepBench.Timing> timings = new ArrayList<>();
            TrainConfig seed = TrainConfig.seedDefaults();
            for (int batch : new int[] {100, 1000}) {
                TrainConfig cfg = new TrainConfig("mlp", 1, 0, batch, seed.lr(), "sgd", "sigmoid", "std",
                        seed.hidden(), 0f, 0f, false, seed.seed(), 1);
                StepBench.Timing t = StepBench.measure("mlp 784-100-10 sgd", cfg, dev, batch == 100 ? 1000 : 200,
                        repeats);
                out.printf("%-28s %10d %10.4f %10.4f %10.4f%n", t.job(), t.batch(), t.medianMs(), t.minMs(), t.maxMs());
                out.flush();
                timings.add(t);
            }
            results.put("train", timings);
        }
        out.flush();
        if (json != null) {
            TrainCommand.writeJson(json, results);
        }
        return 0;
    }
}
