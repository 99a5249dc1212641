package jgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jgrad.cpu.CpuDevice;
import jgrad.nn.Parameter;
import jgrad.tensor.Arena;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    private static final CpuDevice CPU = CpuDevice.get();

    /** Minimises Σ(w − target)² from w = 0 and returns the final w. */
    private static float[] minimise(String name, float lr, int steps) {
        Tensor w = Tensor.zeros(CPU, 3).requiresGrad(true);
        Tensor target = Tensor.of(CPU, new float[] {1f, -2f, 0.5f}, 3);
        Optimizer opt = Optimizer.create(name, List.of(new Parameter("w", w, true)), lr, 0f);
        for (int i = 0; i < steps; i++) {
            try (Arena a = Arena.open()) {
                Tensor d = Ops.sub(w, target);
                opt.zeroGrad();
                Ops.sum(Ops.mul(d, d)).backward();
                opt.step();
            }
        }
        return w.toArray();
    }

    @Test
    void everyOptimizerConvergesOnAQuadratic() {
        float[] target = {1f, -2f, 0.5f};
        assertArrayEquals(target, minimise("sgd", 0.1f, 200), 1e-4f);
        assertArrayEquals(target, minimise("momentum", 0.05f, 300), 1e-3f);
        assertArrayEquals(target, minimise("adagrad", 0.5f, 2000), 1e-3f);
        assertArrayEquals(target, minimise("adam", 0.05f, 1000), 1e-3f);
    }

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        // With bias correction, step 1 is lr·g/(|g| + eps) = lr·sign(g) per coordinate.
        Tensor w = Tensor.of(CPU, new float[] {1f, -1f}, 2).requiresGrad(true);
        Optimizer adam = Optimizer.create("adam", List.of(new Parameter("w", w, false)), 0.01f, 0f);
        try (Arena a = Arena.open()) {
            Ops.sum(Ops.mul(w, w)).backward();
        }
        adam.step();
        assertArrayEquals(new float[] {0.99f, -0.99f}, w.toArray(), 1e-6f);
    }

    @Test
    void weightDecaySkipsParametersNotMarkedForIt() {
        Tensor w = Tensor.of(CPU, new float[] {2f}, 1).requiresGrad(true);
        Tensor b = Tensor.of(CPU, new float[] {2f}, 1).requiresGrad(true);
        Optimizer sgd = Optimizer.create("sgd", List.of(new Parameter("w", w, true), new Parameter("b", b, false)),
                0.1f, 0.5f);
        try (Arena a = Arena.open()) {
            Ops.sum(Ops.add(Ops.scale(w, 0f), Ops.scale(b, 0f))).backward(); // zero gradients
        }
        sgd.step();
        assertEquals(2f - 0.1f * 0.5f * 2f, w.toArray()[0], 1e-6f);
        assertEquals(2f, b.toArray()[0], 0f);
    }

    @Test
    void badSettingsAreRejected() {
        List<Parameter> none = List.of();
        assertThrows(IllegalArgumentException.class, () -> Optimizer.create("rmsprop", none, 0.1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.create("sgd", none, -1f, 0f));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.create("sgd", none, Float.NaN, 0f));
        assertThrows(IllegalArgumentException.class, () -> Optimizer.create("sgd", none, 0.1f, -1f));
        assertTrue(Optimizer.defaultLearningRate("adam") < Optimizer.defaultLearningRate("sgd"));
    }
}
