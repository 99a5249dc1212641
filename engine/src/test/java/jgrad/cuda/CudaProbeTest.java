package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe never throws and names a specific reason; runs on any machine. */
class CudaProbeTest {
    /** Where the dynamic loader would find libcuda.so.1 on the Linux hosts jgrad targets. */
    static boolean driverLibraryPresent() {
        List<String> dirs = new ArrayList<>(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/lib/x86_64-linux-gnu", "/usr/local/cuda/lib64", "/usr/local/cuda/compat", "/usr/lib/wsl/lib"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(List.of(ld.split(File.pathSeparator)));
        }
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.exists(Path.of(d, "libcuda.so.1")));
    }

    @Test
    void probeAnswersOnceWithASpecificReasonAndNeverThrows() {
        CudaProbe.Result r = CudaProbe.probe();
        assertSame(r, CudaProbe.probe(), "probed once per process");
        assertFalse(r.summary().isBlank());
        assumeFalse(r.usable(), "this machine has a usable CUDA device: " + r.summary());
        assertEquals(0, r.deviceCount());
        String reason = r.driver().reason();
        assertTrue(reason.startsWith("no NVIDIA driver") || reason.startsWith("no CUDA device")
                || reason.startsWith("NVIDIA driver too old") || reason.startsWith("JCuda driver natives failed")
                || reason.startsWith("CUDA driver unusable: "), reason);
        if (!driverLibraryPresent()) {
            assertEquals("no NVIDIA driver (libcuda.so.1 not found)", reason);
        }
        // Each vendor library is probed on its own: its reason names the library, not the driver.
        assertTrue(r.cublas().reason().contains("cuBLAS") || r.cublas().reason().contains("libcublas"),
                r.cublas().reason());
        assertTrue(r.cudnn().reason().contains("cuDNN") || r.cudnn().reason().contains("libcudnn"),
                r.cudnn().reason());
    }

    @Test
    void driverErrorsBecomeSpecificReasons() {
        assertEquals("no NVIDIA driver (libcuda.so.1 not found)", CudaProbe.driverReason(new UnsatisfiedLinkError(
                "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                        + "/tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file: No such file or directory")));
        assertEquals("no CUDA device", CudaProbe.driverReason(new jcuda.CudaException("CUDA_ERROR_NO_DEVICE")));
        assertTrue(CudaProbe.driverReason(new jcuda.CudaException("CUDA_ERROR_INSUFFICIENT_DRIVER"))
                .startsWith("NVIDIA driver too old for CUDA 12"));
        assertEquals("JCuda driver natives failed to load: libfoo.so.3: cannot open shared object file: No such file",
                CudaProbe.driverReason(new UnsatisfiedLinkError("x: libfoo.so.3: cannot open shared object file: No such file")));
        assertTrue(CudaProbe.driverReason(new jcuda.CudaException("CUDA_ERROR_UNKNOWN"))
                .startsWith("CUDA driver unusable: CUDA_ERROR_UNKNOWN"));
    }

    @Test
    void describeFollowsTheCauseChainOnOneLine() {
        Throwable e = new IllegalStateException("outer", new UnsatisfiedLinkError("inner\nsecond line"));
        assertEquals("outer <- inner second line", CudaProbe.describe(e));
    }
}
