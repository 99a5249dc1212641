package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jgrad.cli.DeviceReport.CudaGpu;
import jgrad.cli.DeviceReport.CudaSection;
import jgrad.cli.DeviceReport.GpuProcess;
import jgrad.cli.DeviceReport.NvmlGpu;
import jgrad.cli.DeviceReport.NvmlSection;
import jgrad.cli.DeviceReport.SelfTest;

/**
 * {@code jgrad devices} as text: versions, an nvidia-smi-style GPU box (two lines per GPU), the
 * processes, JCuda's device properties, the CPU and the self-test. Unknown values print as N/A,
 * as nvidia-smi does; a machine without a GPU gets one line saying why.
 */
final class DevicesText {
    /** Inner widths of the three box columns. */
    private static final int W1 = 45;
    private static final int W2 = 24;
    private static final int W3 = 24;
    private static final int PROCESS_WIDTH = W1 + W2 + W3 + 8; // the GPU box's inner width
    static final String NA = "N/A";

    private DevicesText() {}

    static String format(DeviceReport r) {
        StringBuilder sb = new StringBuilder();
        NvmlSection nvml = r.nvml();
        CudaSection cuda = r.cuda();
        sb.append("jgrad devices (jgrad ").append(r.jgradVersion()).append(")\n");
        if (!nvml.available() && !cuda.available()) {
            sb.append("GPU: none usable. NVML: ").append(nvml.reason()).append("; CUDA: ").append(cuda.reason())
                    .append('\n');
        } else {
            sb.append(versions(nvml, cuda)).append('\n');
            if (nvml.available()) {
                gpuBox(sb, nvml);
                processes(sb, nvml.processes());
            } else {
                sb.append("NVML: ").append(nvml.reason()).append('\n');
            }
            if (cuda.available()) {
                sb.append("\nCUDA devices (JCuda)\n");
                for (CudaGpu g : cuda.gpus()) {
                    sb.append("  ").append(cudaLine(g)).append('\n');
                }
            } else {
                sb.append("CUDA: ").append(cuda.reason()).append('\n');
            }
            List<String> notes = notes(nvml);
            if (!notes.isEmpty()) {
                sb.append("NVML notes (fields shown as N/A): ").append(String.join("; ", notes)).append('\n');
            }
        }
        sb.append('\n').append(cpu(r.cpu()));
        if (r.selftest() != null && !r.selftest().isEmpty()) {
            sb.append('\n').append(selftest(r.selftest()));
        }
        return sb.toString();
    }

    static String versions(NvmlSection nvml, CudaSection cuda) {
        return "Driver Version: " + or(nvml.driverVersion()) + "   CUDA Version (driver): "
                + or(nvml.cudaDriverVersion() != null ? nvml.cudaDriverVersion() : cuda.driverVersion())
                + "   JCuda bindings built with CUDA runtime: " + or(cuda.runtimeVersion())
                + "\ncuBLAS: " + or(cuda.cublas()) + "   cuDNN: " + or(cuda.cudnn());
    }

    private static void gpuBox(StringBuilder sb, NvmlSection nvml) {
        String rule = "+" + "-".repeat(W1 + 2) + "+" + "-".repeat(W2 + 2) + "+" + "-".repeat(W3 + 2) + "+\n";
        sb.append(rule);
        row(sb, String.format("%-3s  %-26s %13s", "GPU", "Name", "Persistence-M"),
                String.format("%-16s %7s", "Bus-Id", "CC"), String.format("%-10s %13s", "GPU-Util", "Compute M."));
        row(sb, String.format("%-4s  %-6s %32s", "Temp", "Perf", "Pwr:Usage/Cap"),
                String.format("%" + W2 + "s", "Memory-Usage"), String.format("%-10s %13s", "Mem-Util", "Max clocks"));
        sb.append("|").append("=".repeat(W1 + 2)).append("+").append("=".repeat(W2 + 2)).append("+")
                .append("=".repeat(W3 + 2)).append("|\n");
        if (nvml.gpus().isEmpty()) {
            sb.append(pad("| No GPU found by NVML", W1 + W2 + W3 + 8)).append("|\n");
        }
        for (NvmlGpu g : nvml.gpus()) {
            row(sb, String.format("%3d  %-26s %13s", g.index(), fit(or(g.name()), 26),
                            g.persistenceMode() == null ? NA : g.persistenceMode() ? "On" : "Off"),
                    String.format("%-16s %7s", fit(or(g.busId()), 16), or(g.computeCapability())),
                    String.format("%-10s %13s", g.gpuUtilPercent() == null ? NA : g.gpuUtilPercent() + "%",
                            or(g.computeMode())));
            row(sb, String.format("%-4s  %-6s %32s", g.temperatureC() == null ? NA : g.temperatureC() + "C",
                            or(g.perfState()), watts(g.powerDrawW()) + " / " + watts(g.powerCapW())),
                    String.format("%" + W2 + "s", mib(g.memoryUsedBytes()) + " / " + mib(g.memoryTotalBytes())),
                    String.format("%-10s %13s", g.memoryUtilPercent() == null ? NA : g.memoryUtilPercent() + "%",
                            clocks(g)));
            sb.append(rule);
        }
    }

    private static void processes(StringBuilder sb, List<GpuProcess> processes) {
        String rule = "+" + "-".repeat(PROCESS_WIDTH) + "+\n";
        sb.append('\n').append(rule);
        sb.append(pad("| Processes:", PROCESS_WIDTH + 1)).append("|\n");
        sb.append(pad(String.format("|  %3s  %8s  %-4s  %-40s  %12s", "GPU", "PID", "Type", "Process name",
                "GPU Memory"), PROCESS_WIDTH + 1)).append("|\n");
        sb.append("|").append("=".repeat(PROCESS_WIDTH)).append("|\n");
        if (processes.isEmpty()) {
            sb.append(pad("|  No running processes found", PROCESS_WIDTH + 1)).append("|\n");
        }
        for (GpuProcess p : processes) {
            String name = p.name() == null ? NA : fit(p.name(), 40);
            sb.append(pad(String.format("|  %3d  %8d  %-4s  %-40s  %12s", p.gpu(), p.pid(), p.type(), name,
                    mib(p.usedBytes())), PROCESS_WIDTH + 1)).append("|\n");
        }
        sb.append(rule);
    }

    static String cudaLine(CudaGpu g) {
        return String.format(Locale.ROOT, "cuda:%d  %s  compute capability %s  %d SMs  SM clock %d MHz  memory %s"
                        + " (%d-bit bus, %d MHz)  bus %s", g.index(), g.name(), g.computeCapability(), g.multiprocessors(),
                g.smClockMHz(), gib(g.totalMemoryBytes()), g.memoryBusWidthBits(), g.memoryClockMHz(), g.busId());
    }

    static String cpu(DeviceReport.Cpu c) {
        StringBuilder sb = new StringBuilder("CPU\n");
        sb.append(String.format("  %-12s %s%n", "model", c.model()));
        sb.append(String.format("  %-12s %d logical (jgrad uses %s)%n", "cores", c.logicalCores(),
                Words.count(c.jgradThreads(), "thread")));
        sb.append(String.format("  %-12s %d-bit vectors, %d floats (Vector API preferred species)%s%n", "SIMD",
                c.simdBits(), c.floatsPerVector(),
                c.simdFlags().isEmpty() ? "" : "; cpu flags: " + String.join(" ", c.simdFlags())));
        sb.append(String.format("  %-12s %s total, %s available; JVM heap max %s%n", "memory",
                c.memoryTotalBytes() == null ? NA : gib(c.memoryTotalBytes()),
                c.memoryAvailableBytes() == null ? NA : gib(c.memoryAvailableBytes()), gib(c.jvmMaxHeapBytes())));
        sb.append(String.format("  %-12s %s on %s%n", "java", c.java(), c.os()));
        return sb.toString();
    }

    static String selftest(List<SelfTest> tests) {
        StringBuilder sb = new StringBuilder("Self-test (a tiny op on each provider, checked against the CPU)\n");
        for (SelfTest t : tests) {
            sb.append(String.format("  %-12s %-4s  %s%n", t.provider(), t.status(), t.detail()));
        }
        return sb.toString();
    }

    private static List<String> notes(NvmlSection nvml) {
        List<String> out = new ArrayList<>(nvml.notes());
        for (NvmlGpu g : nvml.gpus()) {
            for (String n : g.notes()) {
                out.add("GPU " + g.index() + " " + n);
            }
        }
        return out;
    }

    private static void row(StringBuilder sb, String a, String b, String c) {
        sb.append("| ").append(pad(a, W1)).append(" | ").append(pad(b, W2)).append(" | ").append(pad(c, W3))
                .append(" |\n");
    }

    private static String clocks(NvmlGpu g) {
        if (g.maxSmClockMHz() == null && g.maxMemoryClockMHz() == null) {
            return NA;
        }
        return (g.maxSmClockMHz() == null ? NA : g.maxSmClockMHz()) + "/"
                + (g.maxMemoryClockMHz() == null ? NA : g.maxMemoryClockMHz()) + "MHz";
    }

    static String watts(Double w) {
        return w == null ? NA : (long) Math.floor(w) + "W"; // whole watts, cut as nvidia-smi does
    }

    static String mib(Long bytes) {
        return bytes == null ? NA : (bytes / (1024 * 1024)) + "MiB";
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String or(String s) {
        return s == null ? NA : s;
    }

    /** Pads to exactly {@code width} characters, cutting with an ellipsis when longer. */
    static String pad(String s, int width) {
        return s.length() > width ? s.substring(0, width - 1) + "…" : s + " ".repeat(width - s.length());
    }

    private static String fit(String s, int width) {
        return s.length() > width ? s.substring(0, width - 1) + "…" : s;
    }
}
