package jgrad.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named, dense, row-major I64 tensor for a weights file: PyTorch keeps counters such as
 * BatchNorm's {@code num_batches_tracked} as 0-dimensional int64 tensors, and a strict
 * {@code load_state_dict} wants them with that dtype.
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar
 * @param data  {@code product(shape)} values in row-major order
 */
public record LongTensor(String name, int[] shape, long[] data) {
    public LongTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        NamedTensor.checkCount(name, shape, data.length);
    }

    /** A 0-dimensional tensor holding {@code value}, as PyTorch stores a counter. */
    public static LongTensor scalar(String name, long value) {
        return new LongTensor(name, new int[0], new long[] {value});
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LongTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "LongTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
