package jgrad.cli;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.cli.DeviceReport.GpuProcess;
import jgrad.cli.DeviceReport.NvmlGpu;
import jgrad.cli.DeviceReport.NvmlSection;
import jgrad.cli.Nvml.NvmlException;
import jgrad.cli.NvmlStructs.ProcessInfo;

/**
 * Fills a {@link NvmlSection} from NVML. A missing library or a failing nvmlInit makes the whole
 * section unavailable with that reason; any single call that fails (Not Supported, No Permission,
 * symbol missing) leaves its field null and adds a note, so one gap never hides the rest.
 */
final class NvmlReader {
    /** NVML_TEMPERATURE_GPU, NVML_CLOCK_SM, NVML_CLOCK_MEM. */
    private static final int TEMPERATURE_GPU = 0;
    private static final int CLOCK_SM = 1;
    private static final int CLOCK_MEM = 2;
    /** NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE, NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE. */
    private static final int NAME_SIZE = 96;
    private static final int UUID_SIZE = 96;
    private static final int DRIVER_VERSION_SIZE = 80;
    private static final int PROCESS_NAME_SIZE = 256;

    private interface Read<T> {
        T get() throws NvmlException;
    }

    private NvmlReader() {}

    static NvmlSection read() {
        return read(Nvml.LIBRARY);
    }

    /** Reads everything from {@code library}; never throws. */
    static NvmlSection read(String library) {
        try (Nvml nvml = Nvml.open(library)) {
            return read(nvml);
        } catch (NvmlException e) {
            return NvmlSection.unavailable(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            // JNA itself failing (no libjnidispatch for this platform, a crashing call) is reported, not thrown.
            return NvmlSection.unavailable("NVML could not be used: " + e);
        }
    }

    private static NvmlSection read(Nvml nvml) throws NvmlException {
        List<String> notes = new ArrayList<>();
        String driver = field(notes, "driver version", () -> nvml.string("nvmlSystemGetDriverVersion", DRIVER_VERSION_SIZE));
        String cuda = field(notes, "CUDA driver version",
                () -> NvmlStructs.cudaVersion(nvml.uint("nvmlSystemGetCudaDriverVersion_v2")));
        int count = (int) nvml.uint("nvmlDeviceGetCount_v2");
        List<NvmlGpu> gpus = new ArrayList<>();
        List<GpuProcess> processes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pointer h;
            try {
                h = nvml.handle(i);
            } catch (NvmlException e) {
                notes.add("GPU " + i + ": " + e.getMessage()); // e.g. "Insufficient Permissions" for one GPU
                continue;
            }
            gpus.add(gpu(nvml, i, h));
            processes.addAll(processes(nvml, i, h, notes));
        }
        return new NvmlSection(true, null, driver, cuda, gpus, processes, notes);
    }

    private static NvmlGpu gpu(Nvml nvml, int index, Pointer h) {
        List<String> notes = new ArrayList<>();
        String name = field(notes, "name", () -> nvml.string("nvmlDeviceGetName", NAME_SIZE, h));
        String uuid = field(notes, "uuid", () -> nvml.string("nvmlDeviceGetUUID", UUID_SIZE, h));
        String busId = field(notes, "bus id", () -> NvmlStructs.pciBusId(
                nvml.struct("nvmlDeviceGetPciInfo_v3", NvmlStructs.PCI_INFO_SIZE, h)));
        Boolean persistence = field(notes, "persistence mode", () -> nvml.uint("nvmlDeviceGetPersistenceMode", h) == 1);
        Long temperature = field(notes, "temperature", () -> nvml.uint("nvmlDeviceGetTemperature", h, TEMPERATURE_GPU));
        String perf = field(notes, "performance state",
                () -> NvmlStructs.perfState(nvml.uint("nvmlDeviceGetPerformanceState", h)));
        Double power = field(notes, "power usage", () -> nvml.uint("nvmlDeviceGetPowerUsage", h) / 1000.0);
        Double cap = field(notes, "power cap", () -> nvml.uint("nvmlDeviceGetEnforcedPowerLimit", h) / 1000.0);
        NvmlStructs.MemoryInfo mem = field(notes, "memory", () -> NvmlStructs.memory(
                nvml.struct("nvmlDeviceGetMemoryInfo", NvmlStructs.MEMORY_SIZE, h)));
        int[] util = field(notes, "utilisation", () -> NvmlStructs.utilization(
                nvml.struct("nvmlDeviceGetUtilizationRates", NvmlStructs.UTILIZATION_SIZE, h)));
        String mode = field(notes, "compute mode", () -> NvmlStructs.computeMode(nvml.uint("nvmlDeviceGetComputeMode", h)));
        String cc = field(notes, "compute capability", () -> computeCapability(nvml, h));
        Long smClock = field(notes, "max SM clock", () -> nvml.uint("nvmlDeviceGetMaxClockInfo", h, CLOCK_SM));
        Long memClock = field(notes, "max memory clock", () -> nvml.uint("nvmlDeviceGetMaxClockInfo", h, CLOCK_MEM));
        Long busWidth = field(notes, "memory bus width", () -> nvml.uint("nvmlDeviceGetMemoryBusWidth", h));
        Long pcieGen = field(notes, "max PCIe generation", () -> nvml.uint("nvmlDeviceGetMaxPcieLinkGeneration", h));
        Long pcieWidth = field(notes, "max PCIe width", () -> nvml.uint("nvmlDeviceGetMaxPcieLinkWidth", h));
        return new NvmlGpu(index, name, uuid, busId, persistence, temperature, perf, power, cap,
                mem == null ? null : mem.used(), mem == null ? null : mem.total(),
                util == null ? null : (long) util[0], util == null ? null : (long) util[1], mode, cc,
                smClock, memClock, busWidth, pcieGen, pcieWidth, notes);
    }

    private static String computeCapability(Nvml nvml, Pointer h) throws NvmlException {
        try (Memory major = new Memory(4); Memory minor = new Memory(4)) {
            nvml.check("nvmlDeviceGetCudaComputeCapability", h, major, minor);
            return major.getInt(0) + "." + minor.getInt(0);
        }
    }

    /** Compute and graphics processes on one GPU, merged by pid (a process in both is "C+G"). */
    private static List<GpuProcess> processes(Nvml nvml, int gpu, Pointer h, List<String> notes) {
        Map<Long, String> types = new LinkedHashMap<>();
        Map<Long, Long> memory = new LinkedHashMap<>();
        for (String[] query : new String[][] {{"C", "nvmlDeviceGetComputeRunningProcesses_v3"},
            {"G", "nvmlDeviceGetGraphicsRunningProcesses_v3"}}) {
            List<ProcessInfo> list = field(notes, "GPU " + gpu + " " + (query[0].equals("C") ? "compute" : "graphics")
                    + " processes", () -> runningProcesses(nvml, query[1], h));
            if (list == null) {
                continue;
            }
            for (ProcessInfo p : list) {
                types.merge(p.pid(), query[0], (a, b) -> a.equals(b) ? a : "C+G");
                if (p.usedBytes() != null) {
                    memory.merge(p.pid(), p.usedBytes(), Math::max);
                }
            }
        }
        List<GpuProcess> out = new ArrayList<>();
        for (Map.Entry<Long, String> e : types.entrySet()) {
            long pid = e.getKey();
            String name = field(notes, "name of pid " + pid,
                    () -> nvml.string("nvmlSystemGetProcessName", PROCESS_NAME_SIZE, (int) pid));
            out.add(new GpuProcess(gpu, pid, e.getValue(), name, memory.get(pid)));
        }
        return out;
    }

    /**
     * The two-call pattern: ask with room for none to learn the count (NVML answers Insufficient
     * Size), then with room for a few more in case processes started in between.
     */
    private static List<ProcessInfo> runningProcesses(Nvml nvml, String fn, Pointer h) throws NvmlException {
        try (Memory count = new Memory(4)) {
            count.setInt(0, 0);
            int status = nvml.call(fn, h, count, Pointer.NULL);
            if (status == Nvml.SUCCESS) {
                return List.of();
            }
            if (status != Nvml.ERROR_INSUFFICIENT_SIZE) {
                throw new NvmlException(fn + ": " + nvml.errorString(status), status);
            }
            int room = count.getInt(0) + 8;
            try (Memory infos = new Memory((long) room * NvmlStructs.PROCESS_INFO_SIZE)) {
                infos.clear();
                count.setInt(0, room);
                nvml.check(fn, h, count, infos);
                int n = Math.min(count.getInt(0), room);
                return NvmlStructs.processes(infos.getByteArray(0, room * NvmlStructs.PROCESS_INFO_SIZE), n);
            }
        }
    }

    private static <T> T field(List<String> notes, String what, Read<T> read) {
        try {
            return read.get();
        } catch (NvmlException e) {
            notes.add(what + ": " + e.reason());
            return null;
        }
    }
}
