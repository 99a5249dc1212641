package jgrad.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jgrad.cli.DeviceReport.CudaGpu;
import jgrad.cli.DeviceReport.CudaSection;
import jgrad.cli.DeviceReport.NvmlSection;
import jgrad.cpu.CpuDevice;
import jgrad.cuda.CudaDevice;
import jgrad.cuda.CudaProbe;
import jgrad.device.KernelChoice;

/**
 * The devices a bench run covers ({@code --device cpu}, {@code cuda[:N]}, {@code auto} or a
 * comma list) and, per suite, the targets on them: the CPU, and on each GPU every choice of
 * kernels worth comparing (own PTX, cuBLAS/cuDNN in FP32 and TF32). A GPU or library that cannot
 * be used still appears, as a target with the reason, so the tables say why a column is empty.
 * CUDA devices are opened once per kernel choice and closed with this object.
 */
final class BenchDevices implements AutoCloseable {
    /** What a suite measures, which decides the kernel variants it compares on a GPU. */
    enum Need { GEMM, CONV, OPS, MEMORY, TRAIN }

    /** A GPU column: the own kernels only, or the automatic choice where the named library must be in use. */
    private enum Kernels { OWN, AUTO, CUBLAS, CUDNN }

    private final boolean cpu;
    /** Requested GPU ordinals, each with the reason it cannot be used (null when it can). */
    private final Map<Integer, String> gpus = new LinkedHashMap<>();
    private final Map<String, CudaDevice> opened = new LinkedHashMap<>();
    private final Map<String, String> openFailures = new LinkedHashMap<>();
    private NvmlSection nvml;
    private CudaSection cuda;

    private BenchDevices(boolean cpu) {
        this.cpu = cpu;
    }

    /**
     * @param specs cpu, cuda, cuda:N or auto (cpu plus cuda:0, which reports why when CUDA does not work)
     * @throws IllegalArgumentException for an unknown device
     */
    static BenchDevices open(List<String> specs) {
        boolean wantCpu = false;
        boolean autoOnly = true; // cuda:0 came from auto alone: as with --device auto elsewhere, not the simulator
        List<Integer> ordinals = new ArrayList<>();
        for (String raw : specs) {
            String s = raw.trim().toLowerCase(Locale.ROOT);
            if (s.equals("cpu")) {
                wantCpu = true;
            } else if (s.equals("auto")) {
                wantCpu = true;
                ordinals.add(0);
            } else if (s.equals("cuda")) {
                ordinals.add(0);
                autoOnly = false;
            } else if (s.matches("cuda:\\d{1,4}")) {
                ordinals.add(Integer.parseInt(s.substring(5)));
                autoOnly &= Integer.parseInt(s.substring(5)) != 0;
            } else {
                throw new IllegalArgumentException("unknown --device '" + raw + "' (expected cpu, cuda, cuda:N or auto)");
            }
        }
        BenchDevices d = new BenchDevices(wantCpu);
        if (!ordinals.isEmpty()) {
            CudaProbe.Result probe = CudaProbe.probe();
            for (int n : ordinals) {
                d.gpus.putIfAbsent(n, !probe.usable() ? probe.driver().reason()
                        : n >= probe.deviceCount() ? "cuda:" + n + " is out of range: " + probe.deviceCount()
                                + " CUDA device(s) visible"
                        : n == 0 && autoOnly && probe.simulated() ? "the only CUDA device is the jgrad CUDA "
                                + "simulator, which checks the CUDA path but times nothing (name --device cuda to "
                                + "run the bench paths on it once, untimed)" : null);
            }
            d.nvml = NvmlReader.read();
            d.cuda = CudaInfo.read();
        }
        return d;
    }

    /** The targets for one suite, in column order: CPU first, then each GPU's variants. */
    List<BenchTarget> targets(Need need) {
        List<BenchTarget> out = new ArrayList<>();
        if (cpu && need != Need.MEMORY) {
            out.add(BenchTarget.of("cpu", "cpu", CpuDevice.get(), Peak.NONE, false, false));
        }
        if (need == Need.MEMORY && gpus.isEmpty()) {
            out.add(BenchTarget.missing("cpu", "-", "host/device transfers need a CUDA device (--device cuda)"));
        }
        for (Map.Entry<Integer, String> g : gpus.entrySet()) {
            String name = "cuda:" + g.getKey();
            if (g.getValue() != null) {
                out.add(BenchTarget.missing(name, "all", g.getValue()));
                continue;
            }
            int n = g.getKey();
            switch (need) {
                case GEMM -> {
                    out.add(target(n, "own PTX", Kernels.OWN, false));
                    out.add(target(n, "cuBLAS FP32", Kernels.CUBLAS, false));
                    out.add(target(n, "cuBLAS TF32", Kernels.CUBLAS, true));
                }
                case CONV -> {
                    out.add(target(n, "own PTX", Kernels.OWN, false));
                    out.add(target(n, "cuDNN FP32", Kernels.CUDNN, false));
                    out.add(target(n, "cuDNN TF32", Kernels.CUDNN, true));
                }
                case OPS -> out.add(target(n, "own PTX", Kernels.OWN, false));
                case MEMORY -> out.add(BenchTarget.of(name, "driver API", null, peak(n), false, simulated(n)));
                case TRAIN -> {
                    out.add(target(n, "auto kernels", Kernels.AUTO, false));
                    out.add(target(n, "own PTX", Kernels.OWN, false));
                }
                default -> throw new IllegalStateException(need.toString());
            }
        }
        return out;
    }

    /** A GPU target, opening (once) the CudaDevice it needs; a library it needs but cannot use makes it a reason. */
    private BenchTarget target(int ordinal, String provider, Kernels kernels, boolean tf32) {
        String name = "cuda:" + ordinal;
        KernelChoice choice = kernels == Kernels.OWN ? KernelChoice.OWN : KernelChoice.AUTO;
        String key = ordinal + "/" + choice + "/" + tf32;
        CudaDevice dev = opened.get(key);
        if (dev == null && !openFailures.containsKey(key)) {
            try {
                dev = CudaDevice.open(ordinal, choice, tf32);
                opened.put(key, dev);
            } catch (RuntimeException e) {
                openFailures.put(key, name + " did not open (--kernels " + choice + (tf32 ? ", --tf32" : "") + "): "
                        + e.getMessage());
            }
        }
        if (dev == null) {
            return BenchTarget.missing(name, provider, openFailures.get(key));
        }
        CudaProbe.Result probe = CudaProbe.probe();
        if (kernels == Kernels.CUBLAS && !dev.usesCublas()) {
            return BenchTarget.missing(name, provider, "cuBLAS not in use: " + probe.cublas().reason());
        }
        if (kernels == Kernels.CUDNN && !dev.usesCudnn()) {
            return BenchTarget.missing(name, provider, "cuDNN not in use: " + probe.cudnn().reason());
        }
        return BenchTarget.of(name, provider, dev, peak(ordinal), tf32, simulated(ordinal));
    }

    /** Whether CUDA device {@code ordinal} is the jgrad CUDA simulator (by the name it reports). */
    boolean simulated(int ordinal) {
        CudaGpu c = cudaGpu(ordinal);
        return c != null && CudaProbe.isSimulator(c.name());
    }

    /** Whether a simulated GPU is in this run (one left out, e.g. by --device auto, is not). */
    boolean anySimulated() {
        return gpus.entrySet().stream().anyMatch(g -> g.getValue() == null && simulated(g.getKey()));
    }

    /** Whether the CPU or a real GPU is in this run: something whose cases are timed. */
    boolean anyTimed() {
        return cpu || gpus.entrySet().stream().anyMatch(g -> g.getValue() == null && !simulated(g.getKey()));
    }

    private CudaGpu cudaGpu(int ordinal) {
        return cuda == null ? null : cuda.gpus().stream().filter(c -> c.index() == ordinal).findFirst().orElse(null);
    }

    /** The GPU's peaks (see {@link Peak#of}), or none when JCuda does not describe it. */
    Peak peak(int ordinal) {
        CudaGpu c = cudaGpu(ordinal);
        return c == null ? Peak.NONE : Peak.of(c, nvml);
    }

    /** One line per device (and its peaks) for the report header. */
    List<String> header() {
        List<String> out = new ArrayList<>();
        if (cpu) {
            DeviceReport.Cpu c = CpuReader.read();
            out.add(String.format(Locale.ROOT, "cpu: %s, %d logical cores, jgrad threads %d, %d-bit SIMD (%d floats),"
                    + " GEMM tile %s; no peak figures (measured numbers only)", c.model(), c.logicalCores(),
                    c.jgradThreads(), c.simdBits(), c.floatsPerVector(), jgrad.cpu.SgemmBench.gemmTile()));
        }
        for (Map.Entry<Integer, String> g : gpus.entrySet()) {
            String name = "cuda:" + g.getKey();
            CudaGpu c = cudaGpu(g.getKey());
            if (g.getValue() != null || c == null) {
                out.add(name + ": unavailable: " + (g.getValue() != null ? g.getValue() : cuda.reason()));
                continue;
            }
            Peak p = peak(g.getKey());
            out.add(String.format(Locale.ROOT, "%s: %s, compute capability %s, %d SMs, %s; driver %s (CUDA %s), "
                            + "cuBLAS %s, cuDNN %s", name, c.name(), c.computeCapability(), c.multiprocessors(),
                    DevicesText.gib(c.totalMemoryBytes()), nvml != null && nvml.available() ? nvml.driverVersion() : "N/A",
                    cuda.driverVersion(), cuda.cublas(), cuda.cudnn()));
            out.add(String.format(Locale.ROOT, "%s peaks: FP32 %s GFLOP/s, TF32 tensor %s GFLOP/s, DRAM %s GB/s, "
                    + "PCIe %s GB/s per direction (%s)", name, fmt(p.fp32Gflops()), fmt(p.tf32Gflops()),
                    fmt(p.memoryGBs()), fmt(p.pcieGBs()), p.basis()) + (simulated(g.getKey())
                    ? "; the attributes of a simulated device: nothing is measured against them" : ""));
            if (simulated(g.getKey())) {
                out.add(name + " is SIMULATED (jgrad CUDA simulator, kernels/sim): every case runs once at small sizes "
                        + "to check its bench path; no figure is measured on it (none would be a GPU figure)");
            }
        }
        return out;
    }

    private static String fmt(Double v) {
        return v == null ? "unknown" : Charts.formatValue(v);
    }

    @Override
    public void close() {
        for (CudaDevice d : opened.values()) {
            d.close();
        }
        opened.clear();
    }
}
