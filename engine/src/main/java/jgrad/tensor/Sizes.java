package jgrad.tensor;

import java.util.Arrays;

/**
 * Element counts of shapes that may come from outside (options, checkpoint configs and headers),
 * computed with overflow-checked arithmetic against one stated bound: a tensor is one Java array,
 * so it holds at most {@link #MAX_ELEMENTS} floats. A shape over it, or with a negative dimension,
 * is a {@link SizeLimitException} naming the shape, never a wrapped int or a NegativeArraySizeException.
 */
public final class Sizes {
    /** The longest array every JVM allocates (a few header words below 2^31). */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Sizes() {}

    /** The number of elements of {@code shape}; throws {@link SizeLimitException} past {@link #MAX_ELEMENTS}. */
    public static int elements(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new SizeLimitException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            // n <= MAX_ELEMENTS and d < 2^31 here, so the exact product stays below 2^62.
            n = Math.multiplyExact(n, (long) d);
            if (n > MAX_ELEMENTS) {
                throw new SizeLimitException("shape " + Arrays.toString(shape) + " exceeds 2^31 elements (at most "
                        + MAX_ELEMENTS + " fit one array)");
            }
        }
        return (int) n;
    }
}
