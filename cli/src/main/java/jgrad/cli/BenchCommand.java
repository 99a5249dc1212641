package jgrad.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import jgrad.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jgrad bench}: the benchmark suites (gemm, conv, memory, ops, train) on the CPU and the
 * GPUs, one table per suite on stdout, progress on stderr, and the same results as JSON and
 * Markdown. Exits 1 when a case failed (a SKIP, something unavailable here, is not a failure).
 * A simulated GPU's cases run once and carry no figure ({@link BenchSimulated}); {@code --device
 * auto} leaves the simulator out, as it does for train.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark suites: gemm and conv (GFLOP/s), memory and ops (GB/s), train (images/s, ms per step).",
            "Each figure: warm-up, then --repeats samples; median, min and max per call, and the fraction of the "
                    + "device's theoretical peak where known (GPUs; the CPU gets measured numbers only).",
            "On the jgrad CUDA simulator (kernels/sim) every case runs once at small sizes, untimed: rows SIMULATED, "
                    + "no figures."})
final class BenchCommand implements Callable<Integer> {
    static final List<String> SUITES = List.of("gemm", "conv", "memory", "ops", "train");
    static final int MAX_REPEATS = 1000;
    private static final Map<String, Function<BenchRun, List<BenchResult>>> RUNNERS = Map.of(
            "gemm", BenchGemm::run, "conv", BenchConv::run, "memory", BenchMemory::run, "ops", BenchOps::run,
            "train", BenchTrain::run);

    @Spec
    CommandSpec spec;

    @Option(names = "--suite", defaultValue = "all", split = ",",
            description = "Suites, comma-separated: gemm, conv, memory, ops, train or all (default: ${DEFAULT-VALUE}).")
    List<String> suites;

    @Option(names = "--device", defaultValue = "auto", split = ",",
            description = "cpu, cuda, cuda:N, or auto = cpu and cuda:0 when CUDA works; comma-separated for several "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> devices;

    @Option(names = "--repeats", description = "Measured samples per case (default: 5, 3 with --quick).")
    Integer repeats;

    @Option(names = "--quick", description = "Smaller sizes and shorter samples (a smoke run, e.g. in CI).")
    boolean quick;

    @Option(names = "--json", description = "Also write the results as JSON to this file.")
    Path json;

    @Option(names = "--markdown", description = "Also write the results as Markdown (docs/benchmarks) to this file.")
    Path markdown;

    @Override
    public Integer call() throws Exception {
        List<String> chosen = suites(suites);
        Measure.Budget budget = Measure.Budget.of(quick, repeats != null ? repeats : quick ? 3 : 5);
        if (budget.repeats() > MAX_REPEATS) {
            throw new IllegalArgumentException("--repeats must be at most " + MAX_REPEATS + " (each sample takes "
                    + ">= " + (int) budget.minSampleMs() + " ms per case), got " + budget.repeats());
        }
        Checks.outputFile("--json", json);
        Checks.outputFile("--markdown", markdown);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        List<BenchResult> results = new ArrayList<>();
        List<String> header;
        boolean simulated;
        try (BenchDevices devs = BenchDevices.open(devices);
             BenchProgress progress = new BenchProgress(err, Progress.isTerminal())) {
            header = new ArrayList<>();
            header.add("jgrad bench (jgrad " + Version.get() + "), " + date + ", Java " + System.getProperty("java.version")
                    + " (" + System.getProperty("java.vm.vendor") + ", " + System.getProperty("java.home") + ")");
            header.addAll(devs.header());
            if (devs.anyTimed()) {
                header.add(String.format("timing: warm-up >= %.0f ms until calls settle, %d samples of >= %.0f ms each, per-call median (min, max)%s%s",
                        budget.warmupMs(), budget.repeats(), budget.minSampleMs(), quick ? ", --quick sizes" : "",
                        devs.anySimulated() ? "; simulated devices: not timed" : ""));
            } else {
                header.add("timing: none: the only device is simulated; every case runs once and no figure is measured");
            }
            simulated = devs.anySimulated();
            header.forEach(out::println);
            out.flush();
            BenchRun run = new BenchRun(budget, quick, devs, progress);
            for (String suite : chosen) {
                progress.suite(suite);
                List<BenchResult> rows = RUNNERS.get(suite).apply(run);
                progress.close();
                results.addAll(rows);
                out.printf("%n%s%n%s", title(suite, rows), table(rows).text());
                out.flush();
            }
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("jgrad", Version.get());
            doc.put("date", date);
            doc.put("suites", chosen);
            doc.put("header", header);
            doc.put("budget", budget);
            doc.put("simulated", simulated); // rows of a simulated GPU: status SIMULATED, null figures
            doc.put("results", results);
            Json.write(json, doc);
        }
        if (markdown != null) {
            writeMarkdown(markdown, header, chosen, results);
        }
        long failed = results.stream().filter(r -> "FAIL".equals(r.status())).count();
        if (failed > 0) {
            err.println("bench: " + failed + " case(s) failed (rows marked FAIL)");
            return Errors.FAILED;
        }
        return 0;
    }

    static List<String> suites(List<String> requested) {
        List<String> out = new ArrayList<>();
        for (String s : requested) {
            String name = s.trim().toLowerCase(java.util.Locale.ROOT);
            if (name.equals("all")) {
                SUITES.stream().filter(x -> !out.contains(x)).forEach(out::add);
            } else if (SUITES.contains(name)) {
                if (!out.contains(name)) {
                    out.add(name);
                }
            } else {
                throw new IllegalArgumentException("unknown --suite '" + s + "' (expected " + String.join(", ", SUITES)
                        + " or all)");
            }
        }
        return out;
    }

    static String title(String suite, List<BenchResult> rows) {
        String unit = rows.stream().map(BenchResult::unit).filter(u -> u != null).findFirst().orElse("");
        String per = suite.equals("train") ? "ms per training step" : "ms per call";
        return suite + " (" + unit + "; " + per + ")";
    }

    /** The suite's rows as a table: device, kernels, case, throughput, times, fraction of peak, note. */
    static Table table(List<BenchResult> rows) {
        String unit = rows.stream().map(BenchResult::unit).filter(u -> u != null).findFirst().orElse("value");
        Table t = new Table("device", "kernels", "case", unit, "median ms", "min ms", "max ms", "of peak", "note");
        for (BenchResult r : rows) {
            t.add(r.device(), r.provider(), r.item(), r.ok() ? num(r.value()) : r.status(), num(r.medianMs()),
                    num(r.minMs()), num(r.maxMs()),
                    r.peakFraction() == null ? "-" : String.format("%.0f%%", 100 * r.peakFraction()),
                    r.note() == null ? "" : r.note());
        }
        return t;
    }

    private static String num(Double v) {
        return v == null ? "-" : Charts.formatValue(v);
    }

    private static void writeMarkdown(Path file, List<String> header, List<String> suites, List<BenchResult> results)
            throws java.io.IOException {
        StringBuilder sb = new StringBuilder("# jgrad bench\n\n");
        for (String h : header) {
            sb.append("- ").append(h).append('\n');
        }
        for (String suite : suites) {
            List<BenchResult> rows = results.stream().filter(r -> r.suite().equals(suite)).toList();
            sb.append("\n## ").append(title(suite, rows)).append("\n\n").append(table(rows).markdown());
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
