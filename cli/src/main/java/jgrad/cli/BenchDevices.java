package jgrad.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.cpu.CpuDevice;
import jgrad.device.Devices;

/**
 * The devices a bench run covers ({@code --device cpu}, {@code cuda[:N]}, {@code auto} or a
 * comma list) and, per suite, the targets on them: the CPU, and on a GPU each choice of kernels
 * worth comparing. A GPU that cannot be used still appears, as a target with the reason, so the
 * tables say why a column is empty.
 */
final class BenchDevices implements AutoCloseable {
    /** What a suite measures, which decides the kernel variants it compares on a GPU. */
    enum Need { GEMM, CONV, OPS, MEMORY, TRAIN }

    private final boolean cpu;
    /** Requested CUDA devices, e.g. "cuda:0", each with the reason it cannot be used (null when it can). */
    private final Map<String, String> cuda = new LinkedHashMap<>();

    private BenchDevices(boolean cpu) {
        this.cpu = cpu;
    }

    /**
     * @param specs cpu, cuda, cuda:N or auto (cpu plus cuda:0 when CUDA works, else the reason)
     * @throws IllegalArgumentException for an unknown device
     */
    static BenchDevices open(List<String> specs) {
        boolean wantCpu = false;
        List<String> gpus = new ArrayList<>();
        for (String raw : specs) {
            String s = raw.trim().toLowerCase(Locale.ROOT);
            if (s.equals("cpu")) {
                wantCpu = true;
            } else if (s.equals("auto")) {
                wantCpu = true;
                gpus.add("cuda:0");
            } else if (s.equals("cuda") || s.matches("cuda:\\d+")) {
                gpus.add(s.equals("cuda") ? "cuda:0" : s);
            } else {
                throw new IllegalArgumentException("unknown device '" + raw + "' (expected cpu, cuda, cuda:N or auto)");
            }
        }
        BenchDevices d = new BenchDevices(wantCpu);
        for (String g : gpus) {
            d.cuda.putIfAbsent(g, cudaReason(g));
        }
        return d;
    }

    /** Why {@code spec} cannot be opened, or null. */
    private static String cudaReason(String spec) {
        try {
            Devices.select(spec);
            return null;
        } catch (Devices.DeviceUnavailableException e) {
            return e.getMessage();
        }
    }

    boolean hasCpu() {
        return cpu;
    }

    /** The targets for one suite, in column order: CPU first, then each GPU's variants. */
    List<BenchTarget> targets(Need need) {
        List<BenchTarget> out = new ArrayList<>();
        if (cpu && need != Need.MEMORY) {
            out.add(BenchTarget.of("cpu", "cpu", CpuDevice.get(), Peak.NONE, false));
        }
        for (Map.Entry<String, String> g : cuda.entrySet()) {
            out.add(BenchTarget.missing(g.getKey(), "all", g.getValue()));
        }
        if (need == Need.MEMORY && cuda.isEmpty()) {
            out.add(BenchTarget.missing("cpu", "-", "host/device transfers need a CUDA device (--device cuda)"));
        }
        return out;
    }

    /** One line per device for the report header. */
    List<String> header() {
        List<String> out = new ArrayList<>();
        if (cpu) {
            DeviceReport.Cpu c = CpuReader.read();
            out.add(String.format(Locale.ROOT, "cpu: %s, %d logical cores, jgrad threads %d, %d-bit SIMD (%d floats)",
                    c.model(), c.logicalCores(), c.jgradThreads(), c.simdBits(), c.floatsPerVector()));
        }
        for (Map.Entry<String, String> g : cuda.entrySet()) {
            out.add(g.getKey() + ": unavailable: " + g.getValue());
        }
        return out;
    }

    @Override
    public void close() {
    }
}
