package jgrad.nn;

import java.util.List;
import jgrad.device.Device;
import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;

/**
 * Batch normalisation over the channel axis 1: BatchNorm1d for [batch, features], BatchNorm2d for
 * NCHW. PyTorch's conventions: momentum 0.1, eps 1e-5, unbiased running variance.
 */
public final class BatchNorm implements Module {
    private final Tensor gamma;
    private final Tensor beta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final float momentum;
    private final float eps;
    private boolean training = true;

    public BatchNorm(Device device, int channels) {
        this(device, channels, 0.1f, 1e-5f);
    }

    public BatchNorm(Device device, int channels, float momentum, float eps) {
        if (channels <= 0) {
            throw new IllegalArgumentException("BatchNorm needs a positive channel count, got " + channels);
        }
        this.gamma = Tensor.full(device, 1f, channels).requiresGrad(true);
        this.beta = Tensor.zeros(device, channels).requiresGrad(true);
        this.runningMean = Tensor.zeros(device, channels);
        this.runningVar = Tensor.full(device, 1f, channels);
        this.momentum = momentum;
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return NnOps.batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps);
    }

    /** Added to the variance before the square root. */
    public float eps() {
        return eps;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter("weight", gamma, false), new Parameter("bias", beta, false));
    }

    @Override
    public List<Parameter> buffers() {
        return List.of(new Parameter("running_mean", runningMean, false),
                new Parameter("running_var", runningVar, false));
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }
}
