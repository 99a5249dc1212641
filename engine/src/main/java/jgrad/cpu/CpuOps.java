package jgrad.cpu;

import static jgrad.cpu.VecMath.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jgrad.device.BinaryOp;
import jgrad.device.Conv2dGeometry;
import jgrad.device.Pool2dGeometry;
import jgrad.device.DeviceOps;
import jgrad.device.Storage;
import jgrad.device.UnaryOp;

/**
 * The CPU reference kernels: Vector API loops, split over threads only where a buffer is large
 * enough to repay the hand-off. Chunks start at multiples of the vector length and loop tails run
 * scalar twins of the vector code with the same rounding steps, so every element gets the same
 * bits whatever the thread count. Neural-net specific kernels live in
 * {@link CpuNnKernels}, convolution and pooling in {@link CpuConvKernels} and {@link CpuPoolKernels}.
 */
final class CpuOps implements DeviceOps {
    /** Below this many elements an elementwise op runs on the calling thread. */
    private static final int PARALLEL_MIN = 1 << 15;
    private static final int STEP = SPECIES.length();

    private final CpuConvKernels conv;

    CpuOps(CpuAllocator pool) {
        this.conv = new CpuConvKernels(pool);
    }

    static float[] data(Storage s) {
        if (!(s instanceof CpuStorage cpu)) {
            throw new IllegalArgumentException("not a CPU buffer: " + s.device().name());
        }
        return cpu.data();
    }

    private static void checkLength(Storage s, int n, String what) {
        if (n < 0 || s.numel() < n) {
            throw new IllegalArgumentException(what + " has " + s.numel() + " elements, op needs " + n);
        }
    }

    /** Runs body over [0,n) in chunks aligned to the vector length. */
    private static void elementwise(int n, Parallel.Body body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
            return;
        }
        int vectors = (n + STEP - 1) / STEP;
        Parallel.forRange(vectors, PARALLEL_MIN / STEP,
                (from, to) -> body.run(from * STEP, Math.min(n, to * STEP)));
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Storage a, Storage b, float beta, Storage c) {
        checkLength(a, m * k, "A");
        checkLength(b, k * n, "B");
        checkLength(c, m * n, "C");
        Sgemm.sgemm(transA, transB, m, n, k, alpha, data(a), 0, transA ? m : k,
                data(b), 0, transB ? k : n, beta, data(c), 0, n);
    }

    @Override
    public void fill(Storage x, float value, int n) {
        checkLength(x, n, "x");
        java.util.Arrays.fill(data(x), 0, n, value);
    }

    @Override
    public void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {
        System.arraycopy(data(src), srcOff, data(dst), dstOff, n);
    }

    @Override
    public void unary(UnaryOp op, Storage xs, Storage ys, int n) {
        checkLength(xs, n, "x");
        checkLength(ys, n, "y");
        float[] x = data(xs);
        float[] y = data(ys);
        elementwise(n, (from, to) -> {
            int i = from;
            for (; i <= to - STEP; i += STEP) {
                forward(op, FloatVector.fromArray(SPECIES, x, i)).intoArray(y, i);
            }
            for (; i < to; i++) {
                y[i] = forward(op, x[i]);
            }
        });
    }

    private static FloatVector forward(UnaryOp op, FloatVector v) {
        return switch (op) {
            case RELU -> v.max(0f);
            case SIGMOID -> VecMath.sigmoid(v);
            case TANH -> VecMath.sigmoid(v.mul(2f)).mul(2f).sub(1f);
            case EXP -> VecMath.exp(v);
            case LOG -> v.lanewise(VectorOperators.LOG);
            case NEG -> v.neg();
            case SQUARE -> v.mul(v);
            case SQRT -> v.sqrt();
        };
    }

    /** The scalar twin of {@link #forward(UnaryOp, FloatVector)} for loop tails: same bits per element. */
    private static float forward(UnaryOp op, float v) {
        return switch (op) {
            case RELU -> Math.max(v, 0f);
            case SIGMOID -> VecMath.sigmoid(v);
            case TANH -> VecMath.sigmoid(v * 2f) * 2f - 1f;
            case EXP -> VecMath.exp(v);
            case LOG -> FloatVector.broadcast(SPECIES, v).lanewise(VectorOperators.LOG).lane(0);
            case NEG -> -v;
            case SQUARE -> v * v;
            case SQRT -> (float) Math.sqrt(v);
        };
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage saved, Storage dys, Storage dxs, int n, boolean accumulate) {
        checkLength(saved, n, "saved");
        checkLength(dys, n, "dy");
        checkLength(dxs, n, "dx");
        float[] s = data(saved);
        float[] dy = data(dys);
        float[] dx = data(dxs);
        elementwise(n, (from, to) -> {
            int i = from;
            for (; i <= to - STEP; i += STEP) {
                FloatVector d = backward(op, FloatVector.fromArray(SPECIES, s, i), FloatVector.fromArray(SPECIES, dy, i));
                if (accumulate) {
                    d = d.add(FloatVector.fromArray(SPECIES, dx, i));
                }
                d.intoArray(dx, i);
            }
            for (; i < to; i++) {
                float d = backward(op, s[i], dy[i]);
                dx[i] = accumulate ? dx[i] + d : d;
            }
        });
    }

    private static FloatVector backward(UnaryOp op, FloatVector sv, FloatVector g) {
        return switch (op) {
            case RELU -> g.blend(0f, sv.compare(VectorOperators.LE, 0f));
            case SIGMOID -> g.mul(sv.mul(sv.neg().add(1f)));
            case TANH -> g.mul(sv.mul(sv).neg().add(1f));
            case EXP -> g.mul(sv);
            case LOG -> g.div(sv);
            case NEG -> g.neg();
            case SQUARE -> g.mul(sv.mul(2f));
            case SQRT -> g.div(sv.mul(2f));
        };
    }

    private static float backward(UnaryOp op, float sv, float g) {
        return switch (op) {
            case RELU -> sv <= 0f ? 0f : g;
            case SIGMOID -> g * (sv * (-sv + 1f));
            case TANH -> g * (-(sv * sv) + 1f);
            case EXP -> g * sv;
            case LOG -> g / sv;
            case NEG -> -g;
            case SQUARE -> g * (sv * 2f);
            case SQRT -> g / (sv * 2f);
        };
    }

    @Override
    public void binary(BinaryOp op, Storage as, Storage bs, Storage outs, int n) {
        checkLength(as, n, "a");
        checkLength(bs, n, "b");
        checkLength(outs, n, "out");
        float[] a = data(as);
        float[] b = data(bs);
        float[] out = data(outs);
        elementwise(n, (from, to) -> {
            int i = from;
            for (; i <= to - STEP; i += STEP) {
                FloatVector x = FloatVector.fromArray(SPECIES, a, i);
                FloatVector y = FloatVector.fromArray(SPECIES, b, i);
                FloatVector z = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                };
                z.intoArray(out, i);
            }
            for (; i < to; i++) {
                out[i] = switch (op) {
                    case ADD -> a[i] + b[i];
                    case SUB -> a[i] - b[i];
                    case MUL -> a[i] * b[i];
                    case DIV -> a[i] / b[i];
                };
            }
        });
    }

    @Override
    public void axpby(float alpha, Storage xs, float beta, Storage ys, int n) {
        checkLength(xs, n, "x");
        checkLength(ys, n, "y");
        float[] x = data(xs);
        float[] y = data(ys);
        FloatVector betaV = FloatVector.broadcast(SPECIES, beta);
        elementwise(n, (from, to) -> {
            int i = from;
            for (; i <= to - STEP; i += STEP) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, i).mul(alpha);
                if (beta != 0f) {
                    v = FloatVector.fromArray(SPECIES, y, i).fma(betaV, v);
                }
                v.intoArray(y, i);
            }
            for (; i < to; i++) {
                float v = x[i] * alpha;
                y[i] = beta != 0f ? Math.fma(y[i], beta, v) : v;
            }
        });
    }

    @Override
    public void addRowVector(Storage xs, Storage biasS, Storage outs, int m, int n) {
        checkLength(xs, m * n, "x");
        checkLength(biasS, n, "bias");
        checkLength(outs, m * n, "out");
        float[] x = data(xs);
        float[] bias = data(biasS);
        float[] out = data(outs);
        for (int r = 0; r < m; r++) {
            int row = r * n;
            int j = 0;
            for (; j <= n - STEP; j += STEP) {
                FloatVector.fromArray(SPECIES, x, row + j).add(FloatVector.fromArray(SPECIES, bias, j))
                        .intoArray(out, row + j);
            }
            for (; j < n; j++) {
                out[row + j] = x[row + j] + bias[j];
            }
        }
    }

    @Override
    public void sumRows(Storage xs, Storage outs, int m, int n, boolean accumulate) {
        checkLength(xs, m * n, "x");
        checkLength(outs, n, "out");
        float[] x = data(xs);
        float[] out = data(outs);
        // Each column's sum runs over the rows in order, in the vector body and the tail alike.
        int j = 0;
        for (; j <= n - STEP; j += STEP) {
            FloatVector acc = accumulate ? FloatVector.fromArray(SPECIES, out, j) : FloatVector.zero(SPECIES);
            for (int r = 0; r < m; r++) {
                acc = acc.add(FloatVector.fromArray(SPECIES, x, r * n + j));
            }
            acc.intoArray(out, j);
        }
        for (; j < n; j++) {
            float acc = accumulate ? out[j] : 0f;
            for (int r = 0; r < m; r++) {
                acc += x[r * n + j];
            }
            out[j] = acc;
        }
    }

    @Override
    public void sumAll(Storage xs, Storage outs, int n) {
        checkLength(xs, n, "x");
        checkLength(outs, 1, "out");
        float[] x = data(xs);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[i];
        }
        data(outs)[0] = (float) s;
    }

    @Override
    public void flagNonFinite(Storage xs, int n, Storage flagStorage, int slot, float code) {
        checkLength(xs, n, "x");
        if (slot < 0) {
            throw new IllegalArgumentException("flag slot must be >= 0, got " + slot);
        }
        checkLength(flagStorage, slot + 1, "flags");
        if (Float.isNaN(code)) {
            throw new IllegalArgumentException("flag code must not be NaN");
        }
        float[] x = data(xs);
        float[] flags = data(flagStorage);
        if (code < flags[slot] && anyNonFinite(x, n)) {
            flags[slot] = code;
        }
    }

    /**
     * x·0 is ±0 for a finite x and NaN for NaN or ±∞, so the sum of x·0 over a vector is NaN exactly
     * when some element is not finite: one FMA per vector, no compare or branch in the loop (this
     * runs over every gradient each training step).
     */
    private static boolean anyNonFinite(float[] x, int n) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector acc = zero;
        int i = 0;
        for (; i <= n - STEP; i += STEP) {
            acc = FloatVector.fromArray(SPECIES, x, i).fma(zero, acc);
        }
        float tail = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            tail += x[i] * 0f;
        }
        return Float.isNaN(tail);
    }

    @Override
    public void softmaxCrossEntropy(Storage logits, Storage labels, Storage probs, Storage loss, int m, int c) {
        CpuNnKernels.softmaxCrossEntropy(data(logits), data(labels), data(probs), data(loss), m, c);
    }

    @Override
    public void softmaxCrossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits,
                                            int m, int c, boolean accumulate) {
        CpuNnKernels.softmaxCrossEntropyBackward(data(probs), data(labels), data(dloss)[0], data(dlogits),
                m, c, accumulate);
    }

    @Override
    public void gatherRows(Storage table, Storage index, Storage out, int count, int rowLength) {
        CpuNnKernels.gatherRows(data(table), data(index), data(out), count, rowLength);
    }

    @Override
    public void argmaxRows(Storage x, Storage out, int m, int n) {
        CpuNnKernels.argmaxRows(data(x), data(out), m, n);
    }

    @Override
    public void dropout(Storage x, Storage mask, Storage y, int n, float p, long seed) {
        CpuNnKernels.dropout(data(x), data(mask), data(y), n, p, seed);
    }

    @Override
    public void batchNormForward(Storage x, Storage gamma, Storage beta, Storage y, Storage saveMean,
                                 Storage saveInvStd, Storage runningMean, Storage runningVar,
                                 int m, int c, int spatial, float momentum, float eps, boolean training) {
        CpuBatchNorm.forward(data(x), data(gamma), data(beta), data(y), data(saveMean),
                data(saveInvStd), data(runningMean), data(runningVar), m, c, spatial, momentum, eps, training);
    }

    @Override
    public void batchNormBackward(Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                                  Storage dx, Storage dgamma, Storage dbeta, int m, int c, int spatial,
                                  boolean accumulateDx, boolean accumulateParams) {
        CpuBatchNorm.backward(data(x), data(dy), data(gamma), data(saveMean), data(saveInvStd),
                data(dx), data(dgamma), data(dbeta), m, c, spatial, accumulateDx, accumulateParams);
    }

    @Override
    public void sgdUpdate(Storage w, Storage g, int n, float lr, float weightDecay) {
        CpuOptimKernels.sgd(data(w), data(g), n, lr, weightDecay);
    }

    @Override
    public void momentumUpdate(Storage w, Storage g, Storage v, int n, float lr, float momentum, float wd) {
        CpuOptimKernels.momentum(data(w), data(g), data(v), n, lr, momentum, wd);
    }

    @Override
    public void adagradUpdate(Storage w, Storage g, Storage h, int n, float lr, float eps, float wd) {
        CpuOptimKernels.adagrad(data(w), data(g), data(h), n, lr, eps, wd);
    }

    @Override
    public void adamUpdate(Storage w, Storage g, Storage m, Storage v, int n, float lr,
                           float beta1, float beta2, float eps, int t, float wd) {
        CpuOptimKernels.adam(data(w), data(g), data(m), data(v), n, lr, beta1, beta2, eps, t, wd);
    }

    // Convolution (im2col + SGEMM) and pooling: see CpuConvKernels and CpuPoolKernels.

    @Override
    public void conv2dForward(Conv2dGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        conv.forward(g, x, w, bias, y);
    }

    @Override
    public void conv2dBackwardData(Conv2dGeometry g, Storage dy, Storage w, Storage dx, boolean accumulate) {
        conv.backwardData(g, dy, w, dx, accumulate);
    }

    @Override
    public void conv2dBackwardFilter(Conv2dGeometry g, Storage x, Storage dy, Storage dw, Storage dbias, boolean accumulate) {
        conv.backwardFilter(g, x, dy, dw, dbias, accumulate);
    }

    @Override
    public void maxPool2dForward(Pool2dGeometry g, Storage x, Storage y) {
        CpuPoolKernels.maxForward(g, x, y);
    }

    @Override
    public void maxPool2dBackward(Pool2dGeometry g, Storage x, Storage y, Storage dy, Storage dx, boolean accumulate) {
        CpuPoolKernels.maxBackward(g, x, y, dy, dx, accumulate);
    }

    @Override
    public void avgPool2dForward(Pool2dGeometry g, Storage x, Storage y) {
        CpuPoolKernels.avgForward(g, x, y);
    }

    @Override
    public void avgPool2dBackward(Pool2dGeometry g, Storage dy, Storage dx, boolean accumulate) {
        CpuPoolKernels.avgBackward(g, dy, dx, accumulate);
    }
}
