package jgrad.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java launch signatures against the shipped PTX, without a GPU: a kernel whose parameter
 * list changed in the .cu but not in CudaKernels would pass garbage to the GPU, so every
 * {@code .entry} is parsed and compared (pointer and long: .u64, int: .u32, float: .f32).
 */
class CudaKernelsPtxTest {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)", Pattern.DOTALL);
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)\\s+\\w+");

    static String ptxTypes(String module, String function) {
        String ptx = new String(CudaKernels.shippedPtx(module), StandardCharsets.US_ASCII);
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            if (m.group(1).equals(function)) {
                StringBuilder types = new StringBuilder();
                Matcher p = PARAM.matcher(m.group(2));
                while (p.find()) {
                    types.append(switch (p.group(1)) {
                        case "u64", "b64", "s64" -> 'q';
                        case "u32", "b32", "s32" -> 'i';
                        case "f32" -> 'f';
                        default -> '?';
                    });
                }
                return types.toString();
            }
        }
        return null;
    }

    @Test
    void everyKernelSignatureMatchesItsPtxEntry() {
        List<String> problems = new ArrayList<>();
        for (CudaKernels.Spec spec : CudaKernels.SPECS) {
            String ptx = ptxTypes(spec.module(), spec.function());
            String expected = spec.signature().replace('p', 'q').replace('l', 'q');
            if (ptx == null) {
                problems.add(spec.function() + ": no .entry in " + spec.module() + ".ptx");
            } else if (!ptx.equals(expected)) {
                problems.add(spec.function() + ": Java " + spec.signature() + " (" + expected + "), PTX " + ptx);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyModuleIsShippedAndEveryEntryIsLaunchedFromJava() {
        Set<String> launched = new HashSet<>();
        CudaKernels.SPECS.forEach(s -> launched.add(s.function()));
        List<String> unused = new ArrayList<>();
        for (String module : CudaKernels.MODULES) {
            Matcher m = ENTRY.matcher(new String(CudaKernels.shippedPtx(module), StandardCharsets.US_ASCII));
            int entries = 0;
            while (m.find()) {
                entries++;
                if (!launched.contains(m.group(1))) {
                    unused.add(module + "." + m.group(1));
                }
            }
            assertTrue(entries > 0, module + ".ptx has no kernels");
        }
        assertEquals(List.of(), unused, "kernels shipped but never launched");
    }

    @Test
    void gridCoversEveryElementAndIsEmptyForNothing() {
        assertEquals(0, CudaKernels.gridFor(0));
        assertEquals(1, CudaKernels.gridFor(1));
        assertEquals(1, CudaKernels.gridFor(CudaKernels.BLOCK));
        assertEquals(2, CudaKernels.gridFor(CudaKernels.BLOCK + 1));
        assertEquals(65_536, CudaKernels.gridFor(1L << 40), "grid-stride loops cover the rest");
    }
}
