package jgrad.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named, dense, row-major F32 tensor as stored in a weights file.
 *
 * <p>The arrays are not copied (weights can be gigabytes), so the record is only as immutable as the
 * caller keeps them. {@code equals}/{@code hashCode} compare contents, since identity comparison of
 * arrays is never what a caller comparing two tensors means; {@code equals} uses
 * {@link Float#floatToIntBits} semantics, so NaN equals NaN and 0.0 differs from -0.0.
 *
 * @param name  tensor name, e.g. {@code "layers.0.weight"}
 * @param shape dimensions, outermost first; {@code []} is a scalar
 * @param data  {@code product(shape)} values in row-major order
 */
public record NamedTensor(String name, int[] shape, float[] data) {

    public NamedTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        checkCount(name, shape, data.length);
    }

    /**
     * Rejects data whose length is not {@code shape}'s element count, naming the tensor; the F32 and
     * the I64 ({@link LongTensor}) records both hold their data to it.
     */
    static void checkCount(String name, int[] shape, int length) {
        long count = elementCount(shape);
        if (count != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + count + " elements but data has " + length);
        }
    }

    /** Number of elements described by {@code shape}; rejects negative dims and overflow. */
    public static long elementCount(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                count = Math.multiplyExact(count, (long) dim);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("element count of shape " + Arrays.toString(shape)
                        + " overflows a long", e);
            }
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    /** Name and shape only: printing a million floats into a log helps nobody. */
    @Override
    public String toString() {
        return "NamedTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
