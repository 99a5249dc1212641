package jgrad.nn;

import jgrad.tensor.ConvOps;
import jgrad.tensor.Tensor;

/** Max pooling over kernel×kernel windows (the book's Pooling layer). */
public record MaxPool2d(int kernel, int stride, int pad) implements Module {
    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.maxPool2d(x, kernel, stride, pad);
    }
}
