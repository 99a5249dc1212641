package jgrad.device;

import java.util.Locale;
import jgrad.cpu.CpuDevice;
import jgrad.cuda.CudaDevice;
import jgrad.cuda.CudaProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code --device} value into a device. {@code auto} probes CUDA (an explicit call, never
 * at class load) and takes GPU 0 when it works, otherwise the CPU, logging one line saying why
 * CUDA was not used; {@code cuda} / {@code cuda:N} fail with that reason instead.
 */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    /** The chosen device and, when auto fell back to the CPU, why. */
    public record Selection(Device device, String fallbackReason) {}

    /** Raised when the requested device cannot be used; the message is the reason. */
    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }

    private Devices() {}

    /** {@link #select(String, KernelChoice, boolean)} with automatic kernels and no TF32. */
    public static Selection select(String spec) {
        return select(spec, KernelChoice.AUTO, false);
    }

    /** {@link #select(String, KernelChoice, boolean, boolean)} without --deterministic. */
    public static Selection select(String spec, KernelChoice kernels, boolean tf32) {
        return select(spec, kernels, tf32, false);
    }

    /**
     * @param kernels which CUDA kernels to use; on the CPU only {@code auto} is accepted
     * @param tf32    allow TF32 tensor-core math in cuBLAS/cuDNN (ignored on the CPU)
     * @param deterministic CUDA: only algorithms that give the same bits on every run (cuDNN
     *                      convolutions; fails where none fits). The CPU always does: no effect there.
     *                      Combines with tf32, which changes precision, not reproducibility.
     * @throws IllegalArgumentException    for an unknown spec, or own/vendor kernels with --device cpu
     * @throws DeviceUnavailableException  when CUDA was asked for (or own/vendor kernels were) and
     *                                     cannot be used; the message says why
     */
    public static Selection select(String spec, KernelChoice kernels, boolean tf32, boolean deterministic) {
        check(spec, kernels);
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return new Selection(CpuDevice.get(), null);
        }
        if (s.equals("auto")) {
            String reason = cudaUnavailableReason();
            if (reason == null && CudaProbe.probe().simulated()) {
                reason = "the only CUDA device is the jgrad CUDA simulator, which checks the CUDA path but is "
                        + "slow (name --device cuda to run on it)";
            }
            if (reason == null) {
                try {
                    return new Selection(CudaDevice.open(0, kernels, tf32, deterministic), null);
                } catch (DeviceUnavailableException e) {
                    reason = e.getMessage();
                    if (kernels != KernelChoice.AUTO) {
                        throw new DeviceUnavailableException("--kernels " + kernels + ": " + reason);
                    }
                }
            } else if (kernels != KernelChoice.AUTO) {
                throw new DeviceUnavailableException("--kernels " + kernels + " needs CUDA: " + reason);
            }
            LOG.info("CUDA not used: {}; running on cpu", reason);
            return new Selection(CpuDevice.get(), reason);
        }
        int ordinal = ordinal(spec, s);  // check accepted nothing but cuda and cuda:N here
        String reason = cudaUnavailableReason();
        if (reason != null) {
            throw new DeviceUnavailableException("--device " + spec.trim() + ": " + reason);
        }
        try {
            return new Selection(CudaDevice.open(ordinal, kernels, tf32, deterministic), null);
        } catch (DeviceUnavailableException e) {
            throw new DeviceUnavailableException("--device " + spec.trim() + ": " + e.getMessage());
        }
    }

    /**
     * Checks a {@code --device} value and the kernel choice without probing or opening anything, so
     * that a command can reject them before it loads data.
     *
     * @throws IllegalArgumentException for an unknown spec, or own/vendor kernels with --device cpu
     */
    public static void check(String spec, KernelChoice kernels) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            if (kernels != KernelChoice.AUTO) {
                throw new IllegalArgumentException("--kernels " + kernels + " applies to CUDA devices only; the CPU "
                        + "has one set of kernels (use --kernels auto, or --device cuda)");
            }
        } else if (s.equals("cuda") || s.startsWith("cuda:")) {
            ordinal(spec, s);
        } else if (!s.equals("auto")) {
            throw new IllegalArgumentException("unknown --device '" + spec + "' (expected cpu, cuda, cuda:N or auto)");
        }
    }

    private static int ordinal(String spec, String s) {
        if (s.equals("cuda")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(s.substring("cuda:".length()));
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad --device '" + spec + "': expected cuda:N with N a GPU index >= 0");
    }

    /** Why no CUDA device can be used in this process, or null when one can (probes once). */
    public static String cudaUnavailableReason() {
        CudaProbe.Result probe = CudaProbe.probe();
        return probe.usable() ? null : probe.driver().reason();
    }
}
