package jgrad.sim;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import jgrad.cuda.CudaProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PTX kernel with an injected out-of-bounds store, loaded through JGRAD_KERNELS_DIR, fails the
 * run with the simulator's message naming that kernel, its PTX line and the address. A real GPU
 * would report only CUDA_ERROR_ILLEGAL_ADDRESS, at some later call; this is why the simulator runs
 * in CI.
 */
@Tag("gpu")
class InjectedFaultTest {
    private static final String[] MODULES = {"elementwise", "reduce", "nn", "optim", "gemm", "conv"};
    /** After fill_f32 turns its pointer argument into a global address: a store 1 TiB past it. */
    private static final String ANCHOR = "\tcvta.to.global.u64 \t%rd1, %rd24;\n";
    private static final String INJECTED = "\tadd.s64 \t%rd50, %rd1, 1099511627776;\n\tst.global.f32 \t[%rd50], %f1;\n";

    @Test
    void outOfBoundsStoreInAShippedKernelIsReportedWithTheKernelsName(@TempDir Path dir) throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeTrue(probe.simulated(), "needs the jgrad CUDA simulator: " + probe.summary());
        for (String m : MODULES) {
            String text = new String(InjectedFaultTest.class.getResourceAsStream("/jgrad/kernels/" + m + ".ptx")
                    .readAllBytes(), StandardCharsets.US_ASCII);
            if (m.equals("elementwise")) {
                int entry = text.indexOf(".visible .entry fill_f32(");
                int at = text.indexOf(ANCHOR, entry);
                assertTrue(entry >= 0 && at > entry, "fill_f32's cvta line moved; update the injection");
                text = text.substring(0, at + ANCHOR.length()) + INJECTED + text.substring(at + ANCHOR.length());
            }
            Files.writeString(dir.resolve(m + ".ptx"), text, StandardCharsets.US_ASCII);
        }
        ChildJvm r = ChildJvm.run(Map.of("JGRAD_KERNELS_DIR", dir.toString()), 120, "train", "--model", "mlp",
                "--device", "cuda", "--steps", "3");
        assertNotEquals(0, r.code(), "the run must fail; stdout:\n" + r.out());
        assertTrue(r.err().contains("jgrad CUDA simulator"), r.err());
        assertTrue(r.err().contains("fill_f32"), r.err());
        assertTrue(r.err().contains("st.global.f32"), r.err());
    }
}
