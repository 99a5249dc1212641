package jgrad.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import jgrad.device.Device;
import jgrad.tensor.ConvOps;
import jgrad.tensor.Tensor;

/**
 * A 2-D convolution layer with a square kernel: weight [out, in, k, k] (OIHW, PyTorch's layout),
 * optional bias [out]. Weights are drawn from N(0, std²) with the initialiser's std for a fan-in of
 * in·k·k (He by default for the conv models); the bias starts at zero.
 */
public final class Conv2d implements Module {
    private final Tensor weight;
    private final Tensor bias;
    private final int stride;
    private final int pad;

    public Conv2d(Device device, int in, int out, int kernel, int stride, int pad, boolean withBias, Init init,
                  RandomGenerator rng) {
        if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("Conv2d: channels, kernel and stride must be positive and padding >= 0, got "
                    + in + "→" + out + ", kernel " + kernel + ", stride " + stride + ", padding " + pad);
        }
        int fanIn = jgrad.tensor.Sizes.elements(in, kernel, kernel);
        float[] w = new float[jgrad.tensor.Sizes.elements(out, in, kernel, kernel)];
        double std = init.std(fanIn);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (std * rng.nextGaussian());
        }
        this.weight = Tensor.of(device, w, out, in, kernel, kernel).requiresGrad(true);
        this.bias = withBias ? Tensor.zeros(device, out).requiresGrad(true) : null;
        this.stride = stride;
        this.pad = pad;
    }

    public Tensor weight() {
        return weight;
    }

    public int stride() {
        return stride;
    }

    /** Zeros added on each side of both spatial axes. */
    public int padding() {
        return pad;
    }

    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.conv2d(x, weight, bias, stride, pad);
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        out.add(new Parameter("weight", weight, true));
        if (bias != null) {
            out.add(new Parameter("bias", bias, false));
        }
        return out;
    }
}
