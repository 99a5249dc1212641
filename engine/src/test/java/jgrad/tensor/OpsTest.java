package jgrad.tensor;

import static jgrad.tensor.GradAssert.CPU;
import static jgrad.tensor.GradAssert.awayFromZero;
import static jgrad.tensor.GradAssert.check;
import static jgrad.tensor.GradAssert.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jgrad.device.UnaryOp;
import org.junit.jupiter.api.Test;

class OpsTest {
    private static final double TOL = 1e-2;

    private static void assertClose(double[] ref, float[] got, double atol, double rtol) {
        assertEquals(ref.length, got.length);
        for (int i = 0; i < ref.length; i++) {
            double bound = atol + rtol * Math.abs(ref[i]);
            assertTrue(Math.abs(ref[i] - got[i]) <= bound, "element " + i + ": ref " + ref[i] + " got " + got[i]);
        }
    }

    @Test
    void matmulForwardMatchesDoubleReference() {
        Tensor a = randn(1, 1f, 7, 13);
        Tensor b = randn(2, 1f, 13, 5);
        float[] av = a.toArray();
        float[] bv = b.toArray();
        double[] ref = new double[7 * 5];
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 5; j++) {
                for (int k = 0; k < 13; k++) {
                    ref[i * 5 + j] += (double) av[i * 13 + k] * bv[k * 5 + j];
                }
            }
        }
        assertClose(ref, Ops.matmul(a, b).toArray(), 1e-5, 1e-5);
    }

    @Test
    void matmulBackward() {
        check("matmul", in -> Ops.matmul(in[0], in[1]), TOL, randn(3, 1f, 6, 9), randn(4, 1f, 9, 5));
    }

    @Test
    void linearBackward() {
        check("linear", in -> Ops.linear(in[0], in[1], in[2]), TOL, randn(5, 1f, 4, 7), randn(6, 1f, 7, 3),
                randn(7, 1f, 3));
    }

    @Test
    void linearForwardAddsBiasPerColumn() {
        Tensor x = Tensor.of(CPU, new float[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.of(CPU, new float[] {1, 0, 0, 1}, 2, 2);
        Tensor b = Tensor.of(CPU, new float[] {10, 20}, 2);
        assertArrayEquals(new float[] {11, 22, 13, 24}, Ops.linear(x, w, b).toArray());
    }

    @Test
    void unaryForwardMatchesJavaMath() {
        Tensor x = randn(8, 3f, 1000);
        float[] xv = x.toArray();
        for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.EXP, UnaryOp.NEG,
                UnaryOp.SQUARE}) {
            double[] ref = new double[xv.length];
            for (int i = 0; i < xv.length; i++) {
                double v = xv[i];
                ref[i] = switch (op) {
                    case RELU -> Math.max(0, v);
                    case SIGMOID -> 1 / (1 + Math.exp(-v));
                    case TANH -> Math.tanh(v);
                    case EXP -> Math.exp(v);
                    case NEG -> -v;
                    case SQUARE -> v * v;
                    default -> throw new AssertionError();
                };
            }
            assertClose(ref, Ops.unary(op, x).toArray(), 1e-6, 1e-6);
        }
    }

    @Test
    void expIsAccurateOverTheWholeFloatRange() {
        float[] v = new float[2001];
        for (int i = 0; i < v.length; i++) {
            v[i] = -87f + i * (175f / 2000);
        }
        float[] got = Ops.unary(UnaryOp.EXP, Tensor.of(CPU, v, v.length)).toArray();
        for (int i = 0; i < v.length; i++) {
            double ref = Math.exp(v[i]);
            assertTrue(Math.abs(got[i] - ref) <= 3 * Math.ulp((float) ref), "exp(" + v[i] + ") = " + got[i]);
        }
    }

    @Test
    void loopTailsGiveTheSameBitsAsTheVectorBody() {
        // 67 = several full vectors plus a tail for any vector width up to 64 lanes.
        float[] v = new float[67];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 3; i++) {
            v[i] = (float) (8 * r.nextGaussian());
        }
        for (int i = 3; i < v.length; i++) {
            v[i] = v[i % 3];
        }
        for (UnaryOp op : new UnaryOp[] {UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.EXP}) {
            float[] y = Ops.unary(op, Tensor.of(CPU, v, v.length)).toArray();
            for (int i = 3; i < v.length; i++) {
                assertEquals(Float.floatToIntBits(y[i % 3]), Float.floatToIntBits(y[i]), op + " element " + i);
            }
        }
    }

    @Test
    void sigmoidSaturatesWithoutNaN() {
        float[] got = Ops.sigmoid(Tensor.of(CPU, new float[] {-1000f, -100f, 0f, 100f, 1000f}, 5)).toArray();
        assertArrayEquals(new float[] {0f, 0f, 0.5f, 1f, 1f}, got, 1e-30f);
    }

    @Test
    void unaryBackward() {
        check("relu", in -> Ops.relu(in[0]), TOL, awayFromZero(9, 0.05f, 2f, 5, 7));
        check("sigmoid", in -> Ops.sigmoid(in[0]), TOL, randn(10, 2f, 5, 7));
        check("tanh", in -> Ops.tanh(in[0]), TOL, randn(11, 1f, 5, 7));
        check("exp", in -> Ops.unary(UnaryOp.EXP, in[0]), TOL, randn(12, 1f, 5, 7));
        check("square", in -> Ops.unary(UnaryOp.SQUARE, in[0]), TOL, randn(13, 1f, 5, 7));
        Tensor positive = Tensor.of(CPU, awayFromZero(14, 0.5f, 3f, 5, 7).toArray(), 5, 7);
        check("log", in -> Ops.unary(UnaryOp.LOG, Ops.unary(UnaryOp.SQUARE, in[0])), TOL, positive);
    }

    @Test
    void binaryBackward() {
        check("add", in -> Ops.add(in[0], in[1]), TOL, randn(15, 1f, 3, 4), randn(16, 1f, 3, 4));
        check("sub", in -> Ops.sub(in[0], in[1]), TOL, randn(17, 1f, 3, 4), randn(18, 1f, 3, 4));
        check("mul", in -> Ops.mul(in[0], in[1]), TOL, randn(19, 1f, 3, 4), randn(20, 1f, 3, 4));
        check("div", in -> Ops.binary(jgrad.device.BinaryOp.DIV, in[0], in[1]), TOL, randn(21, 1f, 3, 4),
                awayFromZero(22, 0.5f, 2f, 3, 4));
    }

    @Test
    void reductionsAndViewsBackward() {
        check("addRowVector", in -> Ops.addRowVector(in[0], in[1]), TOL, randn(23, 1f, 4, 6), randn(24, 1f, 6));
        check("scale", in -> Ops.scale(in[0], -2.5f), TOL, randn(25, 1f, 8));
        check("mean", in -> Ops.mean(in[0]), TOL, randn(26, 1f, 3, 5));
        check("reshape", in -> Ops.reshape(in[0], 5, 3), TOL, randn(27, 1f, 3, 5));
    }

    @Test
    void tensorUsedTwiceAccumulatesItsGradient() {
        Tensor x = Tensor.of(CPU, new float[] {3f}, 1).requiresGrad(true);
        try (Arena a = Arena.open()) {
            Ops.add(Ops.mul(x, x), x).backward(); // d(x²+x)/dx = 2x + 1
        }
        assertEquals(7f, x.grad().toArray()[0], 1e-6f);
        x.zeroGrad();
        assertNull(x.grad());
        try (Arena a = Arena.open()) {
            Ops.mul(x, x).backward(); // overwrites, not 7 + 6
        }
        assertEquals(6f, x.grad().toArray()[0], 1e-6f);
    }

    @Test
    void inputsThatNeedNoGradientGetNone() {
        Tensor x = randn(28, 1f, 4, 3);
        Tensor w = randn(29, 1f, 3, 2).requiresGrad(true);
        try (Arena a = Arena.open()) {
            Ops.sum(Ops.matmul(x, w)).backward();
        }
        assertNull(x.grad());
        assertTrue(w.grad() != null);
    }

    @Test
    void arenaReturnsIntermediateMemoryToThePool() {
        Tensor x = randn(30, 1f, 16, 8);
        Tensor w = randn(31, 1f, 8, 4).requiresGrad(true);
        // First step creates the leaf gradient; afterwards each step must end where it started.
        try (Arena a = Arena.open()) {
            Ops.sum(Ops.sigmoid(Ops.matmul(x, w))).backward();
        }
        long before = CPU.memoryStats().allocated();
        for (int i = 0; i < 3; i++) {
            w.zeroGrad();
            try (Arena a = Arena.open()) {
                Ops.sum(Ops.sigmoid(Ops.matmul(x, w))).backward();
                assertTrue(a.size() > 0);
            }
            assertEquals(before, CPU.memoryStats().allocated());
        }
    }

    @Test
    void badShapesGiveClearErrors() {
        Tensor a = randn(32, 1f, 2, 3);
        Tensor b = randn(33, 1f, 4, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.matmul(a, b));
        assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ops.add(a, b));
        assertThrows(IllegalArgumentException.class, () -> Ops.reshape(a, 7));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(CPU, new float[5], 2, 3));
        assertThrows(IllegalStateException.class, () -> a.backward());
    }
}
