package jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.tensor.Arena;
import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * llm.c's golden check: loss and every parameter gradient of small conv nets against PyTorch in
 * float64 (scripts/golden_conv_grads.py wrote the file: its weights, batch, loss and gradients).
 * Unlike a finite-difference check this is exact to float32 round-off, ReLU and max-pool kinks or
 * not, so it pins down the composition of conv, pool, batch norm and residual adds.
 */
class GoldenConvGradsTest {
    private static final CpuDevice CPU = CpuDevice.get();
    private static final Map<String, NamedTensor> GOLDEN = new HashMap<>();

    @BeforeAll
    static void load() throws Exception {
        Path file = Path.of(GoldenConvGradsTest.class.getResource("/jgrad/golden/conv_grads.safetensors").toURI());
        for (NamedTensor t : Safetensors.read(file).tensors()) {
            GOLDEN.put(t.name(), t);
        }
    }

    private static NamedTensor golden(String name) {
        NamedTensor t = GOLDEN.get(name);
        if (t == null) {
            fail("golden file has no tensor " + name);
        }
        return t;
    }

    private static void check(String name, Sequential net) {
        int checked = 0;
        for (Parameter p : net.parameters()) {
            NamedTensor w = golden(name + "/p/" + p.name());
            assertArrayEquals(w.shape(), p.tensor().shape(), p.name());
            p.tensor().copyFrom(w.data());
            p.tensor().zeroGrad();
        }
        NamedTensor input = golden(name + "/input");
        NamedTensor labels = golden(name + "/labels");
        try (Arena a = Arena.open(); Tensor x = Tensor.of(CPU, input.data(), input.shape());
             Tensor y = Tensor.of(CPU, labels.data(), labels.shape())) {
            Tensor loss = NnOps.softmaxCrossEntropy(net.forward(x), y);
            loss.backward();
            assertEquals(golden(name + "/loss").data()[0], loss.item(), 1e-5, name + " loss");
            for (Parameter p : net.parameters()) {
                float[] want = golden(name + "/g/" + p.name()).data();
                float[] got = p.tensor().grad().toArray();
                float scale = 0;
                for (float v : want) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < want.length; i++) {
                    double tol = 1e-4 * scale + 1e-7;
                    if (!(Math.abs(got[i] - want[i]) <= tol)) {
                        fail(name + " " + p.name() + "[" + i + "]: " + got[i] + ", PyTorch float64 " + want[i]
                                + " (tolerance " + tol + ")");
                    }
                }
                checked++;
            }
        }
        assertTrue(checked > 0);
    }

    @Test
    void simpleConvNetMatchesPyTorch() {
        check("convnet", ConvNet.simple(CPU, new ImageShape(1, 8, 8), new int[] {4}, 3, "relu", Init.HE,
                new SplittableRandom(1)));
    }

    @Test
    void resNetWithTheSeedStemMatchesPyTorch() {
        // 8x8 → 4x4 → 2x2 → 1x1 in the second stage: exercises the convolutions with dead taps.
        check("resnet_seed", ResNet.build(CPU, new ImageShape(1, 8, 8), 3, ResNet.Stem.SEED, 4, new int[] {1, 1},
                new int[] {4, 8}, Init.HE, new SplittableRandom(2)));
    }

    @Test
    void resNetWithTheCifarStemMatchesPyTorch() {
        check("resnet_cifar", ResNet.build(CPU, new ImageShape(1, 6, 6), 3, ResNet.Stem.CIFAR, 4, new int[] {1, 1},
                new int[] {4, 8}, Init.HE, new SplittableRandom(3)));
    }
}
