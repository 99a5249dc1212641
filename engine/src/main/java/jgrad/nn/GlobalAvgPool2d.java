package jgrad.nn;

import jgrad.tensor.ConvOps;
import jgrad.tensor.Tensor;

/** Mean of each channel plane, [N, C, H, W] → [N, C, 1, 1] (PyTorch's AdaptiveAvgPool2d(1)). */
public record GlobalAvgPool2d() implements Module {
    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.globalAvgPool2d(x);
    }
}
