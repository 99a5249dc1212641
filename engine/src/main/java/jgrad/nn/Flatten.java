package jgrad.nn;

import jgrad.tensor.ConvOps;
import jgrad.tensor.Tensor;

/** [N, d1, d2, …] → [N, d1·d2·…] (a view). */
public record Flatten() implements Module {
    @Override
    public Tensor forward(Tensor x) {
        return ConvOps.flatten(x);
    }
}
