package jgrad.cli;

import jgrad.cli.DeviceReport.NvmlGpu;
import jgrad.cli.DeviceReport.NvmlSection;

/**
 * jgrad's own NVML reader (cli/src/main/java/jgrad/cli/NvmlReader.java, compiled next to this by
 * run-vendor-test.sh) against the simulated libnvidia-ml.so.1: the fields `jgrad devices` shows.
 */
public final class NvmlReaderCheck {
    public static void main(String[] args) {
        NvmlSection s = NvmlReader.read();
        NvmlGpu g = s.available() && s.gpus().size() == 1 ? s.gpus().get(0) : null;
        boolean ok = g != null && s.driverVersion().endsWith("(simulated)") && s.cudaDriverVersion().startsWith("12.")
                && g.name().equals("jgrad CUDA simulator (sm_90)") && g.uuid().startsWith("GPU-00000000-jgsim")
                && g.busId().equals("00000000:00:00.0") && "9.0".equals(g.computeCapability())
                && g.memoryTotalBytes() != null && g.memoryTotalBytes() > 0 && g.temperatureC() == null
                && g.powerDrawW() == null && "Default".equals(g.computeMode()) && s.processes().isEmpty();
        System.out.println((ok ? "ok   " : "FAIL ") + "jgrad NvmlReader: " + s);
        System.exit(ok ? 0 : 1);
    }
}
