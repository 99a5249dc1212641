package jgrad.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jgrad devices}: what hardware this machine has and what jgrad can use, nvidia-smi style:
 * NVML (driver, GPUs, processes), JCuda (runtime, device properties, cuBLAS and cuDNN) and the CPU.
 * Without a GPU it says why in one line and exits 0; {@code --selftest} runs a tiny op on every
 * provider and exits 1 only when one of them FAILs (SKIP is not a failure).
 */
@Command(name = "devices", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Report the CPU and the NVIDIA GPUs (NVML, JCuda, cuBLAS, cuDNN) jgrad can use.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the report as JSON instead of text.")
    boolean json;

    @Option(names = "--json-file", description = "Also write the report as JSON to this file.")
    Path jsonFile;

    @Option(names = "--selftest", description = "Run a tiny op on each provider (CPU, own kernels, cuBLAS, cuDNN) "
            + "and report PASS/FAIL/SKIP with the reason.")
    boolean selftest;

    @Override
    public Integer call() throws Exception {
        Checks.outputFile("--json-file", jsonFile);
        DeviceReport report = collect(selftest);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.string(report));
        } else {
            out.print(DevicesText.format(report));
        }
        out.flush();
        if (jsonFile != null) {
            Json.write(jsonFile, report);
        }
        boolean failed = report.selftest().stream().anyMatch(t -> t.status().equals("FAIL"));
        return failed ? Errors.FAILED : 0;
    }

    static DeviceReport collect(boolean selftest) {
        DeviceReport.CudaSection cuda = CudaInfo.read();
        return new DeviceReport(Version.get(), CpuReader.read(), NvmlReader.read(), cuda,
                selftest ? SelfTest.runAll() : List.of());
    }
}
