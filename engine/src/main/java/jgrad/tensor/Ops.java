package jgrad.tensor;

import java.util.Arrays;
import jgrad.device.BinaryOp;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.device.UnaryOp;

/**
 * Differentiable ops. Each op checks its arguments, runs its forward through the device's
 * primitive kernels, and, next to it, records the backward that pushes the output gradient to its
 * inputs. Gradients are only computed for inputs that need them (an input batch gets none).
 */
public final class Ops {
    private Ops() {}

    static boolean needsGrad(Tensor t) {
        return t.node != null || t.requiresGrad();
    }

    private static boolean recording(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && needsGrad(t)) {
                return true;
            }
        }
        return false;
    }

    private static Device sameDevice(String op, Tensor... ts) {
        Device d = ts[0].device();
        for (Tensor t : ts) {
            if (t.device() != d) {
                throw new IllegalArgumentException(op + ": tensors on different devices (" + d.name() + ", "
                        + t.device().name() + ")");
            }
        }
        return d;
    }

    private static void requireRank(String op, Tensor t, int rank) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": expected a rank-" + rank + " tensor, got shape "
                    + Arrays.toString(t.shape()));
        }
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " differ");
        }
    }

    private static void record(Tensor out, String op, Tensor[] inputs, Tensor.Backward backward) {
        out.node = new Tensor.Node(op, inputs, backward);
    }

    /** C[m×n] = A[m×k]·B[k×n]. */
    public static Tensor matmul(Tensor a, Tensor b) {
        requireRank("matmul", a, 2);
        requireRank("matmul", b, 2);
        int m = a.dim(0);
        int k = a.dim(1);
        int n = b.dim(1);
        if (b.dim(0) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Arrays.toString(a.shape())
                    + " · " + Arrays.toString(b.shape()));
        }
        Device d = sameDevice("matmul", a, b);
        Tensor out = Tensor.tracked(d, m, n);
        d.ops().gemm(false, false, m, n, k, 1f, a.storage(), b.storage(), 0f, out.storage());
        if (recording(a, b)) {
            record(out, "matmul", new Tensor[] {a, b}, g -> {
                if (needsGrad(a)) { // dA = dC·Bᵀ
                    float beta = a.prepareGrad() ? 1f : 0f;
                    d.ops().gemm(false, true, m, k, n, 1f, g.storage(), b.storage(), beta, a.gradBuffer().storage());
                }
                if (needsGrad(b)) { // dB = Aᵀ·dC
                    float beta = b.prepareGrad() ? 1f : 0f;
                    d.ops().gemm(true, false, k, n, m, 1f, a.storage(), g.storage(), beta, b.gradBuffer().storage());
                }
            });
        }
        return out;
    }

    /** y[m×out] = x[m×in]·W[in×out] + b[out] (the book's Affine layer; W is stored in×out). */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        requireRank("linear", x, 2);
        requireRank("linear", w, 2);
        int m = x.dim(0);
        int in = x.dim(1);
        int outF = w.dim(1);
        if (w.dim(0) != in) {
            throw new IllegalArgumentException("linear: input has " + in + " features but weight is "
                    + Arrays.toString(w.shape()));
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != outF)) {
            throw new IllegalArgumentException("linear: bias shape " + Arrays.toString(bias.shape())
                    + " does not match " + outF + " outputs");
        }
        Device d = bias == null ? sameDevice("linear", x, w) : sameDevice("linear", x, w, bias);
        DeviceOps ops = d.ops();
        Tensor out = Tensor.tracked(d, m, outF);
        ops.gemm(false, false, m, outF, in, 1f, x.storage(), w.storage(), 0f, out.storage());
        if (bias != null) {
            ops.addRowVector(out.storage(), bias.storage(), out.storage(), m, outF);
        }
        if (recording(x, w, bias)) {
            record(out, "linear", new Tensor[] {x, w, bias}, g -> {
                if (needsGrad(w)) { // dW = xᵀ·dy
                    float beta = w.prepareGrad() ? 1f : 0f;
                    ops.gemm(true, false, in, outF, m, 1f, x.storage(), g.storage(), beta, w.gradBuffer().storage());
                }
                if (bias != null && needsGrad(bias)) { // db = Σ rows of dy
                    boolean acc = bias.prepareGrad();
                    ops.sumRows(g.storage(), bias.gradBuffer().storage(), m, outF, acc);
                }
                if (needsGrad(x)) { // dx = dy·Wᵀ
                    float beta = x.prepareGrad() ? 1f : 0f;
                    ops.gemm(false, true, m, in, outF, 1f, g.storage(), w.storage(), beta, x.gradBuffer().storage());
                }
            });
        }
        return out;
    }

    /** out[i][j] = x[i][j] + b[j]. */
    public static Tensor addRowVector(Tensor x, Tensor b) {
        requireRank("addRowVector", x, 2);
        int m = x.dim(0);
        int n = x.dim(1);
        if (b.rank() != 1 || b.dim(0) != n) {
            throw new IllegalArgumentException("addRowVector: vector shape " + Arrays.toString(b.shape())
                    + " does not match " + n + " columns");
        }
        Device d = sameDevice("addRowVector", x, b);
        Tensor out = Tensor.tracked(d, m, n);
        d.ops().addRowVector(x.storage(), b.storage(), out.storage(), m, n);
        if (recording(x, b)) {
            record(out, "addRowVector", new Tensor[] {x, b}, g -> {
                if (needsGrad(x)) {
                    accumulateInto(x, g);
                }
                if (needsGrad(b)) {
                    boolean acc = b.prepareGrad();
                    d.ops().sumRows(g.storage(), b.gradBuffer().storage(), m, n, acc);
                }
            });
        }
        return out;
    }

    /** target.grad (= or +=) g, same number of elements. */
    private static void accumulateInto(Tensor target, Tensor g) {
        boolean acc = target.prepareGrad();
        target.device().ops().axpby(1f, g.storage(), acc ? 1f : 0f, target.gradBuffer().storage(), target.numel());
    }

    public static Tensor relu(Tensor x) {
        return unary(UnaryOp.RELU, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return unary(UnaryOp.SIGMOID, x);
    }

    public static Tensor tanh(Tensor x) {
        return unary(UnaryOp.TANH, x);
    }

    /** y = f(x) elementwise; backward dx = f'·dy from the saved input or output. */
    public static Tensor unary(UnaryOp op, Tensor x) {
        Device d = x.device();
        Tensor out = Tensor.tracked(d, x.shape());
        int n = x.numel();
        d.ops().unary(op, x.storage(), out.storage(), n);
        if (recording(x)) {
            Tensor saved = op.backwardUsesOutput() ? out : x;
            record(out, op.name().toLowerCase(), new Tensor[] {x}, g -> {
                boolean acc = x.prepareGrad();
                d.ops().unaryBackward(op, saved.storage(), g.storage(), x.gradBuffer().storage(), n, acc);
            });
        }
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary(BinaryOp.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary(BinaryOp.MUL, a, b);
    }

    /** Elementwise a (op) b over equal shapes. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        requireSameShape(op.name().toLowerCase(), a, b);
        Device d = sameDevice(op.name().toLowerCase(), a, b);
        DeviceOps ops = d.ops();
        int n = a.numel();
        Tensor out = Tensor.tracked(d, a.shape());
        ops.binary(op, a.storage(), b.storage(), out.storage(), n);
        if (recording(a, b)) {
            record(out, op.name().toLowerCase(), new Tensor[] {a, b}, g -> {
                switch (op) {
                    case ADD, SUB -> {
                        if (needsGrad(a)) {
                            accumulateInto(a, g);
                        }
                        if (needsGrad(b)) {
                            boolean acc = b.prepareGrad();
                            ops.axpby(op == BinaryOp.ADD ? 1f : -1f, g.storage(), acc ? 1f : 0f,
                                    b.gradBuffer().storage(), n);
                        }
                    }
                    case MUL -> {
                        if (needsGrad(a)) {
                            productGrad(a, g, b);
                        }
                        if (needsGrad(b)) {
                            productGrad(b, g, a);
                        }
                    }
                    case DIV -> {
                        // d(a/b)/da = 1/b ; d(a/b)/db = −out/b
                        Tensor gOverB = Tensor.tracked(d, a.shape());
                        ops.binary(BinaryOp.DIV, g.storage(), b.storage(), gOverB.storage(), n);
                        if (needsGrad(a)) {
                            accumulateInto(a, gOverB);
                        }
                        if (needsGrad(b)) {
                            Tensor t = Tensor.tracked(d, a.shape());
                            ops.binary(BinaryOp.MUL, gOverB.storage(), out.storage(), t.storage(), n);
                            boolean acc = b.prepareGrad();
                            ops.axpby(-1f, t.storage(), acc ? 1f : 0f, b.gradBuffer().storage(), n);
                        }
                    }
                    default -> throw new AssertionError(op);
                }
            });
        }
        return out;
    }

    /** target.grad (= or +=) g·other. */
    private static void productGrad(Tensor target, Tensor g, Tensor other) {
        DeviceOps ops = target.device().ops();
        int n = target.numel();
        if (!target.prepareGrad()) {
            ops.binary(BinaryOp.MUL, g.storage(), other.storage(), target.gradBuffer().storage(), n);
            return;
        }
        Tensor t = Tensor.tracked(target.device(), target.shape());
        ops.binary(BinaryOp.MUL, g.storage(), other.storage(), t.storage(), n);
        ops.axpby(1f, t.storage(), 1f, target.gradBuffer().storage(), n);
    }

    /** alpha·x. */
    public static Tensor scale(Tensor x, float alpha) {
        Device d = x.device();
        int n = x.numel();
        Tensor out = Tensor.tracked(d, x.shape());
        d.ops().axpby(alpha, x.storage(), 0f, out.storage(), n);
        if (recording(x)) {
            record(out, "scale", new Tensor[] {x}, g -> {
                boolean acc = x.prepareGrad();
                d.ops().axpby(alpha, g.storage(), acc ? 1f : 0f, x.gradBuffer().storage(), n);
            });
        }
        return out;
    }

    /** Σ x as a one-element tensor. */
    public static Tensor sum(Tensor x) {
        Device d = x.device();
        int n = x.numel();
        Tensor out = Tensor.tracked(d, 1);
        d.ops().sumAll(x.storage(), out.storage(), n);
        if (recording(x)) {
            record(out, "sum", new Tensor[] {x}, g -> {
                // dx = g·1: a 1×1 by 1×n product broadcasts the device-resident scalar without a host sync.
                Tensor ones = Tensor.tracked(d, 1, n);
                d.ops().fill(ones.storage(), 1f, n);
                Tensor gx = Tensor.tracked(d, x.shape());
                d.ops().gemm(false, false, 1, n, 1, 1f, g.storage(), ones.storage(), 0f, gx.storage());
                accumulateInto(x, gx);
            });
        }
        return out;
    }

    /** Mean of all elements. */
    public static Tensor mean(Tensor x) {
        return scale(sum(x), 1f / x.numel());
    }

    /** A view with another shape of the same number of elements (shares storage). */
    public static Tensor reshape(Tensor x, int... shape) {
        if (Tensor.numel(shape) != x.numel()) {
            throw new IllegalArgumentException("reshape: " + Arrays.toString(x.shape()) + " has " + x.numel()
                    + " elements, " + Arrays.toString(shape) + " needs " + Tensor.numel(shape));
        }
        Tensor out = new Tensor(x.device(), shape, x.storage(), false);
        Arena.track(out);
        if (recording(x)) {
            record(out, "reshape", new Tensor[] {x}, g -> accumulateInto(x, g));
        }
        return out;
    }
}
