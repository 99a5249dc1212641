package jgrad.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jdk.incubator.vector.FloatVector;
import jgrad.cpu.Parallel;

/** The CPU section of {@code jgrad devices}: /proc/cpuinfo and /proc/meminfo on Linux, the JVM elsewhere. */
final class CpuReader {
    /** The SIMD extensions that matter to the Vector API's choice of species, in the order printed. */
    private static final List<String> SIMD_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "asimd", "sve");

    private CpuReader() {}

    static DeviceReport.Cpu read() {
        String cpuinfo = readOrEmpty(Path.of("/proc/cpuinfo"));
        String meminfo = readOrEmpty(Path.of("/proc/meminfo"));
        String model = model(cpuinfo);
        return new DeviceReport.Cpu(model != null ? model : System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), Parallel.threads(),
                // The species every jgrad CPU kernel is written against (SgemmKernels, VecMath).
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), FloatVector.SPECIES_PREFERRED.length(),
                simdFlags(cpuinfo), meminfoBytes(meminfo, "MemTotal"), meminfoBytes(meminfo, "MemAvailable"),
                Runtime.getRuntime().maxMemory(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
    }

    /** The first "model name" (x86) or "Model"/"CPU part" line's value, or null. */
    static String model(String cpuinfo) {
        for (String key : new String[] {"model name", "Model", "Hardware"}) {
            String v = value(cpuinfo, key);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    /** Which of {@link #SIMD_FLAGS} the first "flags" (x86) or "Features" (ARM) line lists. */
    static List<String> simdFlags(String cpuinfo) {
        String line = value(cpuinfo, "flags");
        if (line == null) {
            line = value(cpuinfo, "Features");
        }
        List<String> out = new ArrayList<>();
        if (line == null) {
            return out;
        }
        Set<String> present = Set.of(line.trim().split("\\s+"));
        for (String f : SIMD_FLAGS) {
            if (present.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** A /proc/meminfo entry ("MemTotal:  24512345 kB") in bytes, or null when absent. */
    static Long meminfoBytes(String meminfo, String key) {
        String v = value(meminfo, key);
        if (v == null) {
            return null;
        }
        String[] parts = v.trim().split("\\s+");
        try {
            long n = Long.parseLong(parts[0]);
            return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? n * 1024 : n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The value after "key<spaces>:" on the first line whose key matches exactly. */
    private static String value(String text, String key) {
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return ""; // not Linux: the JVM's own answers stand in, and the fields that need /proc stay null
        }
    }
}
