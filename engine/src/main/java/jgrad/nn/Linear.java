package jgrad.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import jgrad.device.Device;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;

/** The book's Affine layer: y = x·W + b with W stored [in × out]. */
public final class Linear implements Module {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(Device device, int in, int out, Init init, RandomGenerator rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear sizes must be positive, got " + in + "→" + out);
        }
        float[] w = new float[jgrad.tensor.Sizes.elements(in, out)];
        double std = init.std(in);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (std * rng.nextGaussian());
        }
        this.weight = Tensor.of(device, w, in, out).requiresGrad(true);
        this.bias = Tensor.zeros(device, out).requiresGrad(true);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter("weight", weight, true), new Parameter("bias", bias, false));
    }
}
