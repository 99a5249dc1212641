package jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;
import jgrad.train.GradCheck;
import org.junit.jupiter.api.Test;

/** The conv layers and models: gradients, shapes and parameter layouts. */
class ConvModulesTest {
    private static final CpuDevice CPU = CpuDevice.get();

    private static Tensor randn(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(java.util.Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(CPU, v, shape);
    }

    @Test
    void basicBlockWithProjectionPassesGradCheck() {
        BasicBlock block = new BasicBlock(CPU, 2, 4, 2, Init.HE, new SplittableRandom(1));
        assertTrue(block.hasProjection());
        Tensor x = randn(2, 3, 2, 6, 6).requiresGrad(true);
        Tensor weights = randn(3, 3, 4, 3, 3);
        List<Parameter> params = new ArrayList<>(block.parameters());
        params.add(new Parameter("x", x, false));
        List<GradCheck.ParamError> errors = GradCheck.run(params,
                () -> Ops.sum(Ops.mul(block.forward(x), weights)), 24, 1e-2, 1e-3, 5);
        assertEquals(10, errors.size(), "3 conv weights, 3 BNs with weight and bias, the input: " + errors);
        for (GradCheck.ParamError e : errors) {
            assertTrue(e.maxRelError() < 3e-2, e.toString());
            assertTrue(e.checked() >= e.skippedKinks(), "most coordinates comparable: " + e);
        }
    }

    @Test
    void basicBlockKeepingShapeUsesTheIdentity() {
        BasicBlock block = new BasicBlock(CPU, 3, 3, 1, Init.HE, new SplittableRandom(4));
        assertFalse(block.hasProjection());
        try (Arena a = Arena.open()) {
            assertArrayEquals(new int[] {2, 3, 5, 5}, block.forward(randn(5, 2, 3, 5, 5)).shape());
        }
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"),
                block.parameters().stream().map(Parameter::name).toList());
    }

    private static long count(List<Parameter> ps) {
        return ps.stream().mapToLong(p -> p.tensor().numel()).sum();
    }

    @Test
    void resnet18HasTorchvisionsParameterCountAndNames() {
        Sequential net = ResNet.resnet18(CPU, new ImageShape(1, 28, 28), 10, ResNet.Stem.SEED, Init.HE,
                new SplittableRandom(6));
        // torchvision resnet18: 11 689 512 with a 3-channel stem and 1000 classes; the seed's model has a
        // 1-channel stem (−6 272) and 10 classes (−507 870).
        assertEquals(11_175_370, count(net.parameters()));
        List<String> names = net.parameters().stream().map(Parameter::name).toList();
        assertTrue(names.contains("conv1.weight") && names.contains("layer2.0.downsample.0.weight")
                && names.contains("layer4.1.bn2.bias") && names.contains("fc.weight"), names.toString());
        // Running mean and variance per BN channel: stem 64, then 4 BNs per stage plus one per projection.
        int bnChannels = 64 + 4 * 64 + (4 * 128 + 128) + (4 * 256 + 256) + (4 * 512 + 512);
        assertEquals(2L * bnChannels, count(net.buffers()));
        try (Arena a = Arena.open(); GradMode g = GradMode.noGrad()) {
            net.train(false);
            assertArrayEquals(new int[] {2, 10}, net.forward(randn(7, 2, 784)).shape());
        }
    }

    @Test
    void resnet8WithTheCifarStemRunsOnColourImages() {
        Sequential net = ResNet.resnet8(CPU, new ImageShape(3, 8, 8), 4, ResNet.Stem.CIFAR, Init.HE,
                new SplittableRandom(8));
        try (Arena a = Arena.open()) {
            Tensor logits = net.forward(randn(9, 2, 3 * 64));
            assertArrayEquals(new int[] {2, 4}, logits.shape());
        }
        // stem 3·16·9; stage widths 16, 32, 64 with projections into 32 and 64; fc 64→4.
        long convs = 3 * 16 * 9 + 2 * 16 * 16 * 9 + (16 * 32 * 9 + 32 * 32 * 9 + 16 * 32)
                + (32 * 64 * 9 + 64 * 64 * 9 + 32 * 64);
        long bns = 2 * (16 + 2 * 16 + 3 * 32 + 3 * 64);
        assertEquals(convs + bns + 64 * 4 + 4, count(net.parameters()));
    }

    @Test
    void simpleConvNetHasTheBooksShapes() {
        Sequential net = ConvNet.simple(CPU, new ImageShape(1, 28, 28), new int[] {100}, 10, "relu", Init.HE,
                new SplittableRandom(10));
        List<int[]> shapes = net.parameters().stream().map(p -> p.tensor().shape()).toList();
        assertArrayEquals(new int[] {30, 1, 5, 5}, shapes.get(0));
        assertArrayEquals(new int[] {30}, shapes.get(1));
        assertArrayEquals(new int[] {4320, 100}, shapes.get(2)); // 30·12·12 after the 2x2 pool
        assertArrayEquals(new int[] {100, 10}, shapes.get(4));
    }
}
