package jgrad.cpu;

/**
 * CPU reference kernels for the neural-net specific primitives: softmax cross-entropy, gather,
 * argmax, dropout ({@link CpuBatchNorm} has batch norm). Reductions accumulate in double so the
 * reference is the most accurate version of each op, not just one more float32 ordering.
 */
final class CpuNnKernels {
    private CpuNnKernels() {}

    private static void need(float[] a, long n, String what) {
        if (n < 0 || a.length < n) {
            throw new IllegalArgumentException(what + " has " + a.length + " elements, op needs " + n);
        }
    }

    static int label(float value, int row, int classes) {
        int k = (int) value;
        if (k != value || k < 0 || k >= classes) {
            throw new IllegalArgumentException("label " + value + " in row " + row + " is not a class index in [0, "
                    + classes + ")");
        }
        return k;
    }

    static void softmaxCrossEntropy(float[] logits, float[] labels, float[] probs, float[] loss, int m, int c) {
        need(logits, (long) m * c, "logits");
        need(labels, m, "labels");
        need(probs, (long) m * c, "probs");
        need(loss, 1, "loss");
        if (m == 0) {
            throw new IllegalArgumentException("cross-entropy of an empty batch");
        }
        // Shift each row by its max, then one vectorized exp over the whole m x c block: with
        // c = 10 classes a per-row loop of Math.exp cost 9 us per MNIST batch, more than the rest.
        // loss_i = log(sum_j e^(x_ij - max_i)) + max_i - x_it: the last two terms summed here.
        double total = 0;
        for (int i = 0; i < m; i++) {
            int row = i * c;
            int t = label(labels[i], i, c);
            float mx = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                mx = Math.max(mx, logits[row + j]);
            }
            total += (double) mx - logits[row + t];
            for (int j = 0; j < c; j++) {
                probs[row + j] = logits[row + j] - mx;
            }
        }
        VecMath.expInPlace(probs, m * c);
        for (int i = 0; i < m; i++) {
            int row = i * c;
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += probs[row + j];
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < c; j++) {
                probs[row + j] *= inv;
            }
            total += Math.log(sum);
        }
        loss[0] = (float) (total / m);
    }

    static void softmaxCrossEntropyBackward(float[] probs, float[] labels, float dloss, float[] dlogits,
                                            int m, int c, boolean accumulate) {
        need(probs, (long) m * c, "probs");
        need(labels, m, "labels");
        need(dlogits, (long) m * c, "dlogits");
        float scale = dloss / m;
        for (int i = 0; i < m; i++) {
            int row = i * c;
            int t = label(labels[i], i, c);
            for (int j = 0; j < c; j++) {
                float g = scale * (probs[row + j] - (j == t ? 1f : 0f));
                dlogits[row + j] = accumulate ? dlogits[row + j] + g : g;
            }
        }
    }

    /** Below this many floats a gather runs on the calling thread. */
    private static final int GATHER_PARALLEL_MIN = 1 << 15;

    static void gatherRows(float[] table, float[] index, float[] out, int count, int rowLength) {
        need(index, count, "index");
        need(out, (long) count * rowLength, "out");
        int rows = rowLength == 0 ? 0 : table.length / rowLength;
        for (int i = 0; i < count; i++) {
            int r = (int) index[i];
            if (r != index[i] || r < 0 || r >= rows) {
                throw new IllegalArgumentException("gather index " + index[i] + " outside [0, " + rows + ")");
            }
        }
        // A batch of MNIST rows is 100 random 3 KB reads from a 188 MB table: bound by memory
        // latency, so two threads keep twice the misses in flight (69 -> ~40 us per step).
        if ((long) count * rowLength < GATHER_PARALLEL_MIN) {
            copyRows(table, index, out, 0, count, rowLength);
        } else {
            Parallel.forRange(count, Math.max(1, GATHER_PARALLEL_MIN / 2 / rowLength),
                    (from, to) -> copyRows(table, index, out, from, to, rowLength));
        }
    }

    private static void copyRows(float[] table, float[] index, float[] out, int from, int to, int rowLength) {
        for (int i = from; i < to; i++) {
            System.arraycopy(table, (int) index[i] * rowLength, out, i * rowLength, rowLength);
        }
    }

    static void argmaxRows(float[] x, float[] out, int m, int n) {
        need(x, (long) m * n, "x");
        need(out, m, "out");
        for (int i = 0; i < m; i++) {
            int best = 0;
            for (int j = 1; j < n; j++) {
                if (x[i * n + j] > x[i * n + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
    }

    /** splitmix64 of (seed, i): a counter-based generator, so any device or thread split gives the same mask. */
    static float uniform(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }

    static void dropout(float[] x, float[] mask, float[] y, int n, float p, long seed) {
        need(x, n, "x");
        need(mask, n, "mask");
        need(y, n, "y");
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = uniform(seed, i) >= p ? keep : 0f;
            y[i] = x[i] * mask[i];
        }
    }
}
