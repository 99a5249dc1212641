package jgrad.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes NVML's out-parameters from raw bytes (layouts from nvml.h, x86-64: natural alignment,
 * little-endian) and names its enums. Pure functions, so the parsing is tested without a GPU.
 */
final class NvmlStructs {
    /** sizeof(nvmlPciInfo_t): char busIdLegacy[16]; 5 × unsigned int; char busId[32]. */
    static final int PCI_INFO_SIZE = 68;
    private static final int PCI_BUS_ID_OFFSET = 36;
    private static final int PCI_BUS_ID_SIZE = 32;
    /** sizeof(nvmlMemory_t): total, free, used (unsigned long long each). */
    static final int MEMORY_SIZE = 24;
    /** sizeof(nvmlUtilization_t): gpu, memory (unsigned int each). */
    static final int UTILIZATION_SIZE = 8;
    /**
     * sizeof(nvmlProcessInfo_t) as the _v2/_v3 process queries fill it: unsigned int pid, 4 bytes of
     * padding, unsigned long long usedGpuMemory, unsigned int gpuInstanceId, unsigned int computeInstanceId.
     */
    static final int PROCESS_INFO_SIZE = 24;
    /** NVML_VALUE_NOT_AVAILABLE for unsigned long long fields (e.g. process memory under WDDM or MIG). */
    static final long VALUE_NOT_AVAILABLE = -1L;

    private NvmlStructs() {}

    /** Memory totals in bytes. */
    record MemoryInfo(long total, long free, long used) {}

    /** One row of a running-processes query; {@code usedBytes} null when NVML cannot say. */
    record ProcessInfo(long pid, Long usedBytes) {}

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A C string: the bytes up to the first NUL (or all of them), as UTF-8. */
    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).trim();
    }

    /** The "00000000:19:00.0" bus id of an nvmlPciInfo_t. */
    static String pciBusId(byte[] pciInfo) {
        check(pciInfo, PCI_INFO_SIZE, "nvmlPciInfo_t");
        byte[] id = new byte[PCI_BUS_ID_SIZE];
        System.arraycopy(pciInfo, PCI_BUS_ID_OFFSET, id, 0, PCI_BUS_ID_SIZE);
        return cString(id);
    }

    static MemoryInfo memory(byte[] memory) {
        check(memory, MEMORY_SIZE, "nvmlMemory_t");
        ByteBuffer b = le(memory);
        return new MemoryInfo(b.getLong(0), b.getLong(8), b.getLong(16));
    }

    /** {gpu %, memory %} of an nvmlUtilization_t. */
    static int[] utilization(byte[] util) {
        check(util, UTILIZATION_SIZE, "nvmlUtilization_t");
        ByteBuffer b = le(util);
        return new int[] {b.getInt(0), b.getInt(4)};
    }

    /** The first {@code count} entries of an nvmlProcessInfo_t array. */
    static List<ProcessInfo> processes(byte[] array, int count) {
        if (count < 0 || (long) count * PROCESS_INFO_SIZE > array.length) {
            throw new IllegalArgumentException("process count " + count + " does not fit " + array.length + " bytes");
        }
        ByteBuffer b = le(array);
        List<ProcessInfo> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * PROCESS_INFO_SIZE;
            long used = b.getLong(at + 8);
            out.add(new ProcessInfo(Integer.toUnsignedLong(b.getInt(at)), used == VALUE_NOT_AVAILABLE ? null : used));
        }
        return out;
    }

    /** nvmlPstates_t: 0..15 are P0..P15, 32 is "unknown". */
    static String perfState(long p) {
        return p >= 0 && p <= 15 ? "P" + p : "Unknown";
    }

    /** nvmlComputeMode_t as nvidia-smi prints it. */
    static String computeMode(long mode) {
        return switch ((int) mode) {
            case 0 -> "Default";
            case 1 -> "E. Thread";
            case 2 -> "Prohibited";
            case 3 -> "E. Process";
            default -> "Unknown(" + mode + ")";
        };
    }

    /** CUDA's integer versions: 12040 is "12.4", 12060 "12.6". */
    static String cudaVersion(long v) {
        return v / 1000 + "." + (v % 1000) / 10;
    }

    private static void check(byte[] bytes, int size, String what) {
        if (bytes == null || bytes.length < size) {
            throw new IllegalArgumentException(what + " needs " + size + " bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
    }
}
