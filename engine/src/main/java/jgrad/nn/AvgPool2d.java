package jgrad.nn;

import jgrad.tensor.ConvOps;
import jgrad.tensor.Tensor;

/** Average pooling over kernel×kernel windows; padding counts as zeros. */
public record AvgPool2d(int kernel, int stride, int pad) implements Module {
    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.avgPool2d(x, kernel, stride, pad);
    }
}
