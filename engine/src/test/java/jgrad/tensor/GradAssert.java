package jgrad.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import jgrad.cpu.CpuDevice;
import jgrad.nn.Parameter;
import jgrad.train.GradCheck;

/** tinygrad's helper_test_op for backward: every input's gradient against central differences. */
final class GradAssert {
    static final CpuDevice CPU = CpuDevice.get();

    private GradAssert() {}

    static Tensor randn(long seed, float scale, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * r.nextGaussian());
        }
        return Tensor.of(CPU, v, shape);
    }

    /** Values in ±[lo, hi] with random sign: keeps ReLU/abs-like kinks out of the ±h window. */
    static Tensor awayFromZero(long seed, float lo, float hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            float mag = lo + (hi - lo) * (float) r.nextDouble();
            v[i] = r.nextBoolean() ? mag : -mag;
        }
        return Tensor.of(CPU, v, shape);
    }

    /**
     * Checks d/d(inputs) of Σ f(inputs)·R for a fixed random R (so every output element has its
     * own weight and errors cannot cancel).
     */
    static void check(String name, Function<Tensor[], Tensor> f, double tolerance, Tensor... inputs) {
        for (Tensor t : inputs) {
            t.requiresGrad(true);
        }
        int[] outShape;
        try (GradMode g = GradMode.noGrad(); Arena a = Arena.open()) {
            outShape = f.apply(inputs).shape();
        }
        Tensor weights = randn(99, 1f, outShape);
        List<Parameter> params = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            params.add(new Parameter(name + ".in" + i, inputs[i], false));
        }
        List<GradCheck.ParamError> errors = GradCheck.run(params,
                () -> Ops.sum(Ops.mul(f.apply(inputs), weights)), 64, 1e-2, 1e-3, 7);
        for (GradCheck.ParamError e : errors) {
            assertTrue(e.maxRelError() < tolerance, name + ": " + e);
        }
    }
}
