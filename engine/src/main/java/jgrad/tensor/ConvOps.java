package jgrad.tensor;

import java.util.Arrays;
import jgrad.device.Conv2dGeometry;
import jgrad.device.Device;
import jgrad.device.DeviceOps;
import jgrad.device.Pool2dGeometry;

/**
 * Differentiable convolution and pooling over NCHW tensors, each backward beside its forward.
 * Shapes are checked here; the geometry records reject impossible kernels, strides and paddings.
 */
public final class ConvOps {
    private ConvOps() {}

    private static void requireNchw(String op, Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be NCHW [batch, channels, height, width], got "
                    + Arrays.toString(x.shape()));
        }
    }

    private static Device sameDevice(String op, Tensor a, Tensor b) {
        if (b != null && b.device() != a.device()) {
            throw new IllegalArgumentException(op + ": tensors on different devices (" + a.device().name() + ", "
                    + b.device().name() + ")");
        }
        return a.device();
    }

    private static boolean recording(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && Ops.needsGrad(t)) {
                return true;
            }
        }
        return false;
    }

    /** Square kernel, equal stride and padding in both directions. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int pad) {
        return conv2d(x, w, bias, stride, stride, pad, pad);
    }

    /**
     * y[N, O, outH, outW] = x[N, C, H, W] ⋆ w[O, C, kh, kw] (+ bias[O]); bias may be null. No
     * dilation or groups (PyTorch's Conv2d with those at their defaults).
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int strideH, int strideW, int padH, int padW) {
        requireNchw("conv2d", x);
        if (w.rank() != 4 || w.dim(1) != x.dim(1)) {
            throw new IllegalArgumentException("conv2d: weight must be [out, " + x.dim(1) + ", kh, kw] for input "
                    + Arrays.toString(x.shape()) + ", got " + Arrays.toString(w.shape()));
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0))) {
            throw new IllegalArgumentException("conv2d: bias must be [" + w.dim(0) + "], got "
                    + Arrays.toString(bias.shape()));
        }
        Device d = sameDevice("conv2d", x, w);
        sameDevice("conv2d", x, bias);
        Conv2dGeometry g = new Conv2dGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3),
                strideH, strideW, padH, padW);
        DeviceOps ops = d.ops();
        Tensor out = Tensor.tracked(d, g.batch(), g.outChannels(), g.outH(), g.outW());
        ops.conv2dForward(g, x.storage(), w.storage(), bias == null ? null : bias.storage(), out.storage());
        if (recording(x, w, bias)) {
            Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
            out.node = new Tensor.Node("conv2d", inputs, dy -> {
                if (Ops.needsGrad(x)) {
                    boolean acc = x.prepareGrad();
                    ops.conv2dBackwardData(g, dy.storage(), w.storage(), x.gradBuffer().storage(), acc);
                }
                filterGradients(g, ops, x, w, bias, dy);
            });
        }
        return out;
    }

    /**
     * dw and dbias come from one kernel call with one accumulate flag; when the two gradients are
     * in different states (only possible if they were reached through different paths) each gets
     * its own call.
     */
    private static void filterGradients(Conv2dGeometry g, DeviceOps ops, Tensor x, Tensor w, Tensor bias, Tensor dy) {
        boolean wNeeds = Ops.needsGrad(w);
        boolean bNeeds = bias != null && Ops.needsGrad(bias);
        if (!wNeeds && !bNeeds) {
            return;
        }
        if (!bNeeds) {
            boolean acc = w.prepareGrad();
            ops.conv2dBackwardFilter(g, x.storage(), dy.storage(), w.gradBuffer().storage(), null, acc);
            return;
        }
        boolean accB = bias.prepareGrad();
        if (wNeeds) {
            boolean accW = w.prepareGrad();
            if (accW == accB) {
                ops.conv2dBackwardFilter(g, x.storage(), dy.storage(), w.gradBuffer().storage(),
                        bias.gradBuffer().storage(), accW);
                return;
            }
            ops.conv2dBackwardFilter(g, x.storage(), dy.storage(), w.gradBuffer().storage(), null, accW);
        }
        Tensor scratch = Tensor.tracked(w.device(), w.shape());
        ops.conv2dBackwardFilter(g, x.storage(), dy.storage(), scratch.storage(), bias.gradBuffer().storage(), accB);
    }

    /** Max over each kernel×kernel window (padding never wins); the gradient goes to the first maximum. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int pad) {
        requireNchw("maxPool2d", x);
        Pool2dGeometry g = Pool2dGeometry.of(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kernel, stride, pad);
        Device d = x.device();
        DeviceOps ops = d.ops();
        Tensor out = Tensor.tracked(d, g.batch(), g.channels(), g.outH(), g.outW());
        ops.maxPool2dForward(g, x.storage(), out.storage());
        if (recording(x)) {
            out.node = new Tensor.Node("maxPool2d", new Tensor[] {x}, dy -> {
                boolean acc = x.prepareGrad();
                ops.maxPool2dBackward(g, x.storage(), out.storage(), dy.storage(), x.gradBuffer().storage(), acc);
            });
        }
        return out;
    }

    /** Mean over each kernel×kernel window, padding counted as zeros (divides by kernel²). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int pad) {
        requireNchw("avgPool2d", x);
        return avgPool(x, Pool2dGeometry.of(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kernel, stride, pad));
    }

    /** Mean of each whole plane: [N, C, H, W] → [N, C, 1, 1]. */
    public static Tensor globalAvgPool2d(Tensor x) {
        requireNchw("globalAvgPool2d", x);
        return avgPool(x, Pool2dGeometry.global(x.dim(0), x.dim(1), x.dim(2), x.dim(3)));
    }

    private static Tensor avgPool(Tensor x, Pool2dGeometry g) {
        Device d = x.device();
        DeviceOps ops = d.ops();
        Tensor out = Tensor.tracked(d, g.batch(), g.channels(), g.outH(), g.outW());
        ops.avgPool2dForward(g, x.storage(), out.storage());
        if (recording(x)) {
            out.node = new Tensor.Node("avgPool2d", new Tensor[] {x}, dy -> {
                boolean acc = x.prepareGrad();
                ops.avgPool2dBackward(g, dy.storage(), x.gradBuffer().storage(), acc);
            });
        }
        return out;
    }

    /** [N, d1, d2, …] → [N, d1·d2·…], a view. */
    public static Tensor flatten(Tensor x) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("flatten: needs [batch, ...], got " + Arrays.toString(x.shape()));
        }
        if (x.rank() == 2) {
            return x;
        }
        int features = 1;
        for (int i = 1; i < x.rank(); i++) {
            features *= x.dim(i);
        }
        return Ops.reshape(x, x.dim(0), features);
    }
}
