package jgrad.cuda;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

/**
 * Finds out, by an explicit call, whether this process can use CUDA and which vendor libraries
 * work. Never throws and never runs at class-load time: a machine without a GPU or driver gets
 * a {@link Result} with a specific reason per provider, which {@code Devices} logs once and the
 * gpu-tagged tests use as their skip message.
 *
 * <p>Each step is a separate native load, so a missing libcublas.so.12 does not hide a working
 * driver. JCuda's exceptions are switched on only after its driver natives have loaded; before
 * that there is no JCuda to configure.
 */
public final class CudaProbe {
    /** A broken driver can block in cuInit; past this the probe reports a hang instead of waiting. */
    private static final long TIMEOUT_SECONDS = 60;

    /** Whether one provider can be used and, if not, why. */
    public record Availability(boolean available, String reason) {
        static Availability ok(String what) {
            return new Availability(true, what);
        }

        static Availability no(String why) {
            return new Availability(false, why);
        }
    }

    /**
     * What the probe found.
     *
     * @param driver      JCuda driver natives + libcuda + cuInit + at least one device
     * @param deviceCount CUDA devices visible (0 when the driver is unavailable)
     * @param deviceName  name of device 0, or null
     * @param cublas      JCublas2 natives and libcublas.so.12 (handle creation is left to the device)
     * @param cudnn       JCudnn natives and libcudnn.so.9
     */
    public record Result(Availability driver, int deviceCount, String deviceName, Availability cublas,
                         Availability cudnn) {
        /** True when a CUDA device can be opened (own kernels work; cuBLAS/cuDNN may still be absent). */
        public boolean usable() {
            return driver.available();
        }

        /**
         * True when device 0 is the jgrad CUDA simulator (kernels/sim) standing in for a GPU: it
         * proves the CUDA path correct, never fast, so {@code --device auto} does not pick it.
         */
        public boolean simulated() {
            return isSimulator(deviceName);
        }

        /** One line for logs and skip messages. */
        public String summary() {
            return usable()
                    ? deviceCount + " CUDA device(s), " + deviceName + "; cuBLAS: " + cublas.reason() + "; cuDNN: "
                            + cudnn.reason()
                    : driver.reason();
        }
    }

    /** The start of the simulated device's name (kernels/sim/src/driver). */
    public static final String SIMULATOR_NAME = "jgrad CUDA simulator";

    /**
     * Whether a device name is the simulator's: the driver's name ("jgrad CUDA simulator (sm_90)")
     * or jgrad's device name built from it ("cuda:0 jgrad CUDA simulator (sm_90)").
     */
    public static boolean isSimulator(String deviceName) {
        return deviceName != null && (deviceName.startsWith(SIMULATOR_NAME)
                || deviceName.matches("cuda:\\d+ " + java.util.regex.Pattern.quote(SIMULATOR_NAME) + ".*"));
    }

    private static Result cached;

    private CudaProbe() {}

    /**
     * Probes once per process and remembers the answer: a failed native load leaves JCuda's class
     * unusable, so a second attempt could only report a worse reason.
     */
    public static synchronized Result probe() {
        if (cached == null) {
            cached = probeWithTimeout();
        }
        return cached;
    }

    private static Result probeWithTimeout() {
        FutureTask<Result> task = new FutureTask<>(CudaProbe::probeNow);
        Thread t = new Thread(task, "jgrad-cuda-probe");
        t.setDaemon(true);  // a hung driver call must not keep the JVM alive
        t.start();
        try {
            return task.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            Availability hung = Availability.no("CUDA probe did not finish within " + TIMEOUT_SECONDS
                    + " s (driver hung in cuInit?)");
            return new Result(hung, 0, null, hung, hung);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Availability no = Availability.no("CUDA probe interrupted");
            return new Result(no, 0, null, no, no);
        } catch (ExecutionException e) {
            // probeNow catches everything; this is a bug in the probe itself, reported, not thrown.
            Availability no = Availability.no("CUDA probe failed: " + describe(e.getCause()));
            return new Result(no, 0, null, no, no);
        }
    }

    private static Result probeNow() {
        Availability driver;
        int count = 0;
        String name = null;
        try {
            JCudaDriver.setExceptionsEnabled(false);  // first touch loads the natives (may throw)
            JCudaDriver.setExceptionsEnabled(true);   // from here on every CUDA error is an exception
            JCudaDriver.cuInit(0);
            int[] n = new int[1];
            JCudaDriver.cuDeviceGetCount(n);
            count = n[0];
            if (count == 0) {
                driver = Availability.no("no CUDA device");
            } else {
                CUdevice dev = new CUdevice();
                JCudaDriver.cuDeviceGet(dev, 0);
                byte[] buf = new byte[256];
                JCudaDriver.cuDeviceGetName(buf, buf.length, dev);
                name = cString(buf);
                int[] version = new int[1];
                JCudaDriver.cuDriverGetVersion(version);
                driver = Availability.ok("driver " + version[0] / 1000 + "." + version[0] % 1000 / 10);
            }
        } catch (Throwable e) {
            driver = Availability.no(driverReason(e));
            count = 0;
        }
        Availability cublas = library("cuBLAS", "libcublas.so.12", () -> JCublas2.initialize());
        Availability cudnn = library("cuDNN", "libcudnn.so.9", () -> JCudnn.initialize());
        return new Result(driver, count, name, cublas, cudnn);
    }

    private static Availability library(String what, String soname, Runnable load) {
        try {
            load.run();
            return Availability.ok(soname + " loaded");
        } catch (Throwable e) {
            String msg = describe(e);
            return Availability.no(msg.contains(soname) ? soname + " not found: " + dlopenError(msg)
                    : what + " natives failed to load: " + dlopenError(msg));
        }
    }

    static String driverReason(Throwable e) {
        String msg = describe(e);
        if (msg.contains("libcuda.so")) {
            return "no NVIDIA driver (libcuda.so.1 not found)";
        }
        if (msg.contains("CUDA_ERROR_NO_DEVICE")) {
            return "no CUDA device";
        }
        if (msg.contains("CUDA_ERROR_INSUFFICIENT_DRIVER") || msg.contains("CUDA_ERROR_COMPAT_NOT_SUPPORTED")) {
            return "NVIDIA driver too old for CUDA 12 (JCuda 12.6 needs a CUDA 12 driver): " + msg;
        }
        if (e instanceof LinkageError) {
            return "JCuda driver natives failed to load: " + dlopenError(msg);
        }
        return "CUDA driver unusable: " + msg;
    }

    private static final Pattern DLOPEN = Pattern.compile("[^\\s/:]+: cannot open shared object file: [^\\t<]*");

    /**
     * JCuda's load error embeds two full stack traces; the line that matters is dlopen's
     * "libX.so.N: cannot open shared object file". Falls back to the start of the message.
     */
    static String dlopenError(String msg) {
        Matcher m = DLOPEN.matcher(msg);
        if (m.find()) {
            return m.group().trim();
        }
        return msg.length() > 300 ? msg.substring(0, 300) + "…" : msg;
    }

    /** The whole cause chain in one line: JCuda wraps the dlopen message that names the missing library. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 600; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getMessage() != null ? t.getMessage().replace('\n', ' ') : t.getClass().getSimpleName());
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    private static String cString(byte[] b) {
        int len = 0;
        while (len < b.length && b[len] != 0) {
            len++;
        }
        return new String(b, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
