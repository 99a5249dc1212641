package jgrad.tensor;

import java.util.Arrays;
import jgrad.device.Device;
import jgrad.device.DeviceOps;

/** Differentiable neural-net ops: softmax cross-entropy, dropout, batch normalisation. */
public final class NnOps {
    private NnOps() {}

    /**
     * Mean softmax cross-entropy of logits [m×c] against class indices [m] (stored as floats).
     * Uses log-sum-exp, so it is exact where the book's log(y + 1e-7) is an approximation.
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("cross-entropy: logits must be [batch, classes], got "
                    + Arrays.toString(logits.shape()));
        }
        int m = logits.dim(0);
        int c = logits.dim(1);
        if (labels.numel() != m) {
            throw new IllegalArgumentException("cross-entropy: " + labels.numel() + " labels for a batch of " + m);
        }
        Device d = logits.device();
        if (labels.device() != d) {
            throw new IllegalArgumentException("cross-entropy: labels on " + labels.device().name() + ", logits on "
                    + d.name());
        }
        DeviceOps ops = d.ops();
        Tensor probs = Tensor.tracked(d, m, c);
        Tensor loss = Tensor.tracked(d, 1);
        ops.softmaxCrossEntropy(logits.storage(), labels.storage(), probs.storage(), loss.storage(), m, c);
        if (GradMode.isEnabled() && Ops.needsGrad(logits)) {
            loss.node = new Tensor.Node("softmaxCrossEntropy", new Tensor[] {logits}, g -> {
                boolean acc = logits.prepareGrad();
                ops.softmaxCrossEntropyBackward(probs.storage(), labels.storage(), g.storage(),
                        logits.gradBuffer().storage(), m, c, acc);
            });
        }
        return loss;
    }

    /**
     * Inverted dropout with drop probability p: in training, zeroes each element with probability p
     * and scales the rest by 1/(1−p), so evaluation is the identity (equivalent to the book's
     * "scale at test time"). The mask is a hash of (seed, index): reproducible on every device.
     */
    public static Tensor dropout(Tensor x, float p, long seed, boolean training) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        if (!training || p == 0f) {
            return x;
        }
        Device d = x.device();
        int n = x.numel();
        Tensor mask = Tensor.tracked(d, x.shape());
        Tensor out = Tensor.tracked(d, x.shape());
        d.ops().dropout(x.storage(), mask.storage(), out.storage(), n, p, seed);
        if (GradMode.isEnabled() && Ops.needsGrad(x)) {
            out.node = new Tensor.Node("dropout", new Tensor[] {x}, g -> {
                boolean acc = x.prepareGrad();
                if (!acc) {
                    d.ops().binary(jgrad.device.BinaryOp.MUL, g.storage(), mask.storage(), x.gradBuffer().storage(), n);
                } else {
                    Tensor t = Tensor.tracked(d, x.shape());
                    d.ops().binary(jgrad.device.BinaryOp.MUL, g.storage(), mask.storage(), t.storage(), n);
                    d.ops().axpby(1f, t.storage(), 1f, x.gradBuffer().storage(), n);
                }
            });
        }
        return out;
    }

    /**
     * Batch normalisation of x [m, c, spatial...] per channel c (rank 2 for BatchNorm1d, rank 4 NCHW
     * for BatchNorm2d). In training, uses and updates running statistics in place (not part of the
     * graph); in eval, normalises with them.
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batch norm needs [batch, channels, ...], got " + Arrays.toString(x.shape()));
        }
        int m = x.dim(0);
        int c = x.dim(1);
        int spatial = x.numel() / Math.max(1, m * c);
        for (Tensor t : new Tensor[] {gamma, beta, runningMean, runningVar}) {
            if (t.numel() != c) {
                throw new IllegalArgumentException("batch norm: per-channel tensor of " + t.numel() + " for " + c
                        + " channels");
            }
        }
        Device d = x.device();
        DeviceOps ops = d.ops();
        Tensor out = Tensor.tracked(d, x.shape());
        Tensor saveMean = Tensor.tracked(d, c);
        Tensor saveInvStd = Tensor.tracked(d, c);
        ops.batchNormForward(x.storage(), gamma.storage(), beta.storage(), out.storage(), saveMean.storage(),
                saveInvStd.storage(), runningMean.storage(), runningVar.storage(), m, c, spatial, momentum, eps,
                training);
        if (GradMode.isEnabled() && (Ops.needsGrad(x) || Ops.needsGrad(gamma) || Ops.needsGrad(beta))) {
            if (!training) {
                throw new UnsupportedOperationException("backward through eval-mode batch norm is not supported");
            }
            out.node = new Tensor.Node("batchNorm", new Tensor[] {x, gamma, beta}, g -> {
                // The kernel writes dx, dgamma and dbeta together; gamma/beta share one accumulate flag.
                boolean accParams = gamma.prepareGrad();
                beta.prepareGrad();
                Tensor dx;
                boolean accDx;
                if (Ops.needsGrad(x)) {
                    accDx = x.prepareGrad();
                    dx = x.gradBuffer();
                } else {
                    accDx = false;
                    dx = Tensor.tracked(d, x.shape());
                }
                ops.batchNormBackward(x.storage(), g.storage(), gamma.storage(), saveMean.storage(),
                        saveInvStd.storage(), dx.storage(), gamma.gradBuffer().storage(), beta.gradBuffer().storage(),
                        m, c, spatial, accDx, accParams);
            });
        }
        return out;
    }
}
