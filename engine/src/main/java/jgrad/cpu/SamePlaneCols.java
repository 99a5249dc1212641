package jgrad.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import jgrad.device.Conv2dGeometry;

/**
 * {@link Im2col}'s copies for stride-1 convolutions whose output plane is the input plane
 * ("same" padding, all of ResNet's 3×3 stride-1 convolutions), in vectors. There, output pixel
 * p of tap (i, j) reads input pixel p + shift with shift = (i − ph)·W + (j − pw), so a whole
 * plane is one shifted copy in which the pixels whose row or column ran off the edge read zero.
 * Those are fixed per tap by a 0/1 mask over the plane; a vector lane whose mask is 0 takes 0,
 * whatever the load brought in from the neighbouring plane. Planes of 7×7 and smaller made the
 * row-by-row loops of {@link Im2col} a string of calls a few floats long.
 *
 * <p>Same results as {@link Im2col}: copies are exact, and col2im adds each input pixel's taps in
 * ascending tap order onto 0 (or the old value), as it does.
 */
final class SamePlaneCols {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    /** A mask entry for a pixel that is read: all 32 bits set (a quiet NaN, stored bit for bit). */
    private static final float LIVE = Float.intBitsToFloat(-1);

    private SamePlaneCols() {}

    /** Whether this geometry takes the vector path. */
    static boolean applies(Conv2dGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.outH() == g.height() && g.outW() == g.width();
    }

    /** Floats of mask per tap: the plane rounded up to whole vectors (im2col's last vector may run past it). */
    static int maskStride(Conv2dGeometry g) {
        int plane = g.height() * g.width();
        return (plane + VL - 1) / VL * VL;
    }

    /**
     * Floats of the masks both copies need: one output mask and one input mask per live tap, then
     * the shifts, then a vector of zeros.
     */
    static int masksLength(Conv2dGeometry g, int[] taps) {
        return 2 * taps.length * maskStride(g) + taps.length + VL;
    }

    /**
     * Fills masks[t·ms + p] = 1 where output pixel p of tap t reads a real pixel (im2col), and
     * masks[(T + t)·ms + e] = 1 where input pixel e is read by tap t (col2im); 0 elsewhere. Tap
     * t's shift follows at masks[2T·ms + t] (small integers, exact as floats): the copies' inner
     * loops read it there instead of dividing by the kernel width.
     */
    static void fillMasks(Conv2dGeometry g, int[] taps, float[] masks) {
        int h = g.height();
        int w = g.width();
        int ms = maskStride(g);
        java.util.Arrays.fill(masks, 0, masksLength(g, taps), 0f);
        for (int t = 0; t < taps.length; t++) {
            int di = taps[t] / g.kernelW() - g.padH();
            int dj = taps[t] % g.kernelW() - g.padW();
            for (int y = 0; y < h; y++) {
                for (int q = 0; q < w; q++) {
                    if (y + di >= 0 && y + di < h && q + dj >= 0 && q + dj < w) {
                        masks[t * ms + y * w + q] = LIVE;
                        masks[(taps.length + t) * ms + (y + di) * w + q + dj] = LIVE;
                    }
                }
            }
            masks[2 * taps.length * ms + t] = di * w + dj;
        }
    }

    private static int shift(float[] masks, int shifts, int t) {
        return (int) masks[shifts + t];
    }

    /** {@link Im2col#im2col} for a geometry that {@link #applies}, with masks from {@link #fillMasks}. */
    static void im2col(Conv2dGeometry g, int[] taps, float[] masks, float[] x, int b0, int gn, float[] cols) {
        int tapCount = taps.length;
        int plane = g.height() * g.width();
        int n = gn * plane;
        int ms = maskStride(g);
        int channels = g.inChannels();
        int shifts = 2 * tapCount * ms;
        Im2col.forTasks(channels * tapCount, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int c = r / tapCount;
                int t = r % tapCount;
                int m0 = t * ms;
                int shift = shift(masks, shifts, t);
                int rowEnd = (r + 1) * n;
                for (int bl = 0; bl < gn; bl++) {
                    int src = ((b0 + bl) * channels + c) * plane + shift;
                    int dst = r * n + bl * plane;
                    for (int e = 0; e < plane; e += VL) {
                        // A vector may run past this image's plane into the next ones of the row,
                        // which are written after it; never past the row (another task's).
                        if (dst + e > rowEnd - VL || src + e < 0 || src + e > x.length - VL) {
                            copyMasked(masks, m0, x, src, cols, dst, e, Math.min(e + VL, plane));
                        } else {
                            and(FloatVector.fromArray(S, x, src + e), FloatVector.fromArray(S, masks, m0 + e))
                                    .intoArray(cols, dst + e);
                        }
                    }
                }
            }
        });
    }

    private static void copyMasked(float[] masks, int m0, float[] x, int src, float[] cols, int dst, int from, int to) {
        for (int e = from; e < to; e++) {
            cols[dst + e] = live(masks[m0 + e]) ? x[src + e] : 0f;
        }
    }

    /** {@link Im2col#col2im} for a geometry that {@link #applies}; does not touch dcols' padding entries. */
    static void col2im(Conv2dGeometry g, int[] taps, float[] masks, float[] dcols, int b0, int gn, float[] dx,
                       boolean accumulate) {
        int tapCount = taps.length;
        int channels = g.inChannels();
        int plane = g.height() * g.width();
        int n = gn * plane;
        int ms = maskStride(g);
        int inMasks = tapCount * ms;
        int shifts = 2 * tapCount * ms;
        int zeros = shifts + tapCount;
        Im2col.forTasks(gn * channels, tapCount * plane, (from, to) -> {
            for (int task = from; task < to; task++) {
                int bl = task / channels;
                int c = task % channels;
                int dst = ((b0 + bl) * channels + c) * plane;
                // Input pixel e gets dcols[c·T + t][bl·plane + e − shift_t] from every tap t that reads it.
                int rows = c * tapCount * n + bl * plane;
                int e = 0;
                for (; e <= plane - VL; e += VL) {
                    if (!inBounds(tapCount, masks, shifts, rows, n, e, dcols.length)) {
                        addScalar(tapCount, masks, inMasks, ms, shifts, dcols, rows, n, dx, dst, e, e + VL, accumulate);
                        continue;
                    }
                    // The start is loaded from dx or from zeros: choosing between two arrays, not two
                    // vectors (a ?: of vectors makes C2 box them). Every call in this loop is tiny, so
                    // C2 inlines it: a vector passed to a method it does not inline is boxed too.
                    FloatVector acc = FloatVector.fromArray(S, accumulate ? dx : masks, accumulate ? dst + e : zeros);
                    for (int t = 0; t < tapCount; t++) {
                        FloatVector v = FloatVector.fromArray(S, dcols, rows + e + t * n - shift(masks, shifts, t));
                        acc = acc.add(and(v, FloatVector.fromArray(S, masks, inMasks + e + t * ms)));
                    }
                    acc.intoArray(dx, dst + e);
                }
                addScalar(tapCount, masks, inMasks, ms, shifts, dcols, rows, n, dx, dst, e, plane, accumulate);
            }
        });
    }

    /**
     * v where the mask's bits are all ones, +0 where they are 0: exact, and NaN-safe unlike a
     * multiplication. (JDK 17's C2 does not intrinsify compare() or masked lanewise ops here; its
     * fallback allocated and ran ten times slower.)
     */
    private static FloatVector and(FloatVector v, FloatVector mask) {
        return v.reinterpretAsInts().lanewise(VectorOperators.AND, mask.reinterpretAsInts()).reinterpretAsFloats();
    }

    private static boolean live(float mask) {
        return Float.floatToRawIntBits(mask) != 0;
    }

    private static boolean inBounds(int tapCount, float[] masks, int shifts, int rows, int n, int e, int length) {
        for (int t = 0; t < tapCount; t++) {
            int s = rows + t * n + e - shift(masks, shifts, t);
            if (s < 0 || s > length - VL) {
                return false;
            }
        }
        return true;
    }

    private static void addScalar(int tapCount, float[] masks, int inMasks, int ms, int shifts, float[] dcols,
                                  int rows, int n, float[] dx, int dst, int from, int to, boolean accumulate) {
        for (int e = from; e < to; e++) {
            float acc = accumulate ? dx[dst + e] : 0f;
            // As the vector path: a tap that does not read this pixel adds +0.
            for (int t = 0; t < tapCount; t++) {
                acc += live(masks[inMasks + t * ms + e]) ? dcols[rows + t * n + e - shift(masks, shifts, t)] : 0f;
            }
            dx[dst + e] = acc;
        }
    }
}
