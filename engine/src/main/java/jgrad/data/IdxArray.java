package jgrad.data;

import java.util.Arrays;

/**
 * The content of one unsigned-byte IDX file: its dimensions (outermost first, as in the header)
 * and the raw bytes in row-major order. {@code dims[0]} is the item count (images, labels).
 *
 * <p>{@code data} is shared, not copied: MNIST's training images are 47 MB and a defensive copy
 * on every access would double load time for nothing. Treat it as read-only.
 */
public record IdxArray(int[] dims, byte[] data) {

    public IdxArray {
        if (dims.length < 1 || dims.length > Idx.MAX_DIMS) {
            throw new IllegalArgumentException("IDX needs 1.." + Idx.MAX_DIMS + " dimensions, got " + dims.length);
        }
        long product = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("IDX dimensions must be > 0: " + Arrays.toString(dims));
            }
            product *= d; // cannot overflow: at most 4 factors below 2^31 would, so check as we go
            if (product > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("IDX too large: " + Arrays.toString(dims));
            }
        }
        if (product != data.length) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " need " + product
                    + " bytes, data has " + data.length);
        }
        dims = dims.clone();
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of items along the first dimension. */
    public int count() {
        return dims[0];
    }

    /** Size of one dimension without copying the array. */
    public int dim(int i) {
        return dims[i];
    }

    public int rank() {
        return dims.length;
    }

    /** Bytes per item: the product of all dimensions but the first. */
    public int itemSize() {
        return data.length / dims[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdxArray other && Arrays.equals(dims, other.dims) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(dims);
    }
}
