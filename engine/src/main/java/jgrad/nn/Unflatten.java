package jgrad.nn;

import java.util.Arrays;
import jgrad.data.ImageShape;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;

/**
 * The first layer of an image model: rows of flat features [N, C·H·W] (as the trainer feeds them)
 * viewed as NCHW images [N, C, H, W]. NCHW input of that shape passes through.
 */
public record Unflatten(ImageShape shape) implements Module {
    @Override
    public Tensor forward(Tensor x) {
        int c = shape.channels();
        int h = shape.height();
        int w = shape.width();
        if (x.rank() == 4 && x.dim(1) == c && x.dim(2) == h && x.dim(3) == w) {
            return x;
        }
        if (x.rank() != 2 || x.dim(1) != shape.pixels()) {
            throw new IllegalArgumentException("model expects " + shape + " images as [batch, " + shape.pixels()
                    + "] or [batch, " + c + ", " + h + ", " + w + "], got " + Arrays.toString(x.shape()));
        }
        return Ops.reshape(x, x.dim(0), c, h, w);
    }
}
