package jgrad.device;

import java.util.Locale;
import jgrad.cpu.CpuDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code --device} value into a device. {@code auto} takes CUDA when it works and
 * otherwise the CPU, logging once why CUDA was not used; {@code cuda} fails with that reason.
 */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    /** The chosen device and, when auto fell back, why. */
    public record Selection(Device device, String fallbackReason) {}

    /** Raised when the requested device cannot be used; the message is the reason. */
    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }

    private Devices() {}

    public static Selection select(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "cpu":
                return new Selection(CpuDevice.get(), null);
            case "auto": {
                String reason = cudaUnavailableReason();
                LOG.info("CUDA not used: {}; training on cpu", reason);
                return new Selection(CpuDevice.get(), reason);
            }
            default:
                if (s.equals("cuda") || s.startsWith("cuda:")) {
                    throw new DeviceUnavailableException("--device " + spec + ": " + cudaUnavailableReason());
                }
                throw new IllegalArgumentException("unknown device '" + spec + "' (expected cpu, cuda, cuda:N or auto)");
        }
    }

    /** Why no CUDA device can be used in this process. */
    static String cudaUnavailableReason() {
        return "this build of jgrad has no CUDA backend yet";
    }
}
