package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jgrad.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JGRAD_KERNELS_DIR / -Djgrad.kernels.dir: the PTX of a folder replaces the jar's, and a gap is named. */
class KernelsDirOverrideTest {
    @TempDir
    Path dir;

    @BeforeEach
    void noEnvironmentOverride() {
        assumeTrue(System.getenv(CudaKernels.KERNELS_DIR_ENV) == null,
                "JGRAD_KERNELS_DIR is set for this run; the property cannot be tested under it");
    }

    @AfterEach
    void clear() {
        System.clearProperty(CudaKernels.KERNELS_DIR_PROPERTY);
    }

    @Test
    void folderPtxReplacesTheJarsPtx() throws Exception {
        byte[] mutated = ".version 8.0\n// mutated for a test\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("optim.ptx"), mutated);
        System.setProperty(CudaKernels.KERNELS_DIR_PROPERTY, dir.toString());
        try (CapturedLog log = CapturedLog.of(CudaKernels.class, Level.WARN)) {
            assertArrayEquals(mutated, CudaKernels.ptx("optim"));
            // Said once per process: the only test that loads from a folder says it here.
            assertEquals(List.of("own kernels loaded from " + dir + " (-Djgrad.kernels.dir), not from the jgrad-kernels"
                    + " jar"), log.messages(Level.WARN));
        }
    }

    @Test
    void missingModuleIsNamed() {
        System.setProperty(CudaKernels.KERNELS_DIR_PROPERTY, dir.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CudaKernels.ptx("conv"));
        assertTrue(e.getMessage().contains("has no conv.ptx"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void withoutOverrideTheJarsPtxIsUsed() {
        assertArrayEquals(CudaKernels.shippedPtx("reduce"), CudaKernels.ptx("reduce"));
    }
}
