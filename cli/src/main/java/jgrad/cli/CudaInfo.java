package jgrad.cli;

import jgrad.cli.DeviceReport.CudaSection;
import jgrad.device.Devices;

/** The JCuda section of {@code jgrad devices}. */
final class CudaInfo {
    private CudaInfo() {}

    static CudaSection read() {
        try {
            Devices.select("cuda");
            return CudaSection.unavailable("CUDA properties are not read yet");
        } catch (Devices.DeviceUnavailableException e) {
            return CudaSection.unavailable(e.getMessage().replaceFirst("^--device cuda: ", ""));
        }
    }
}
