package jgrad.cpu;

/**
 * CPU reference optimizer updates; plain counted loops that C2 auto-vectorises. Large tensors are
 * split over threads (elementwise, so the same bits on any thread count): the update streams
 * three to four arrays through memory, and ResNet-18's 11 M parameters made it a 15 ms serial
 * stretch of every step.
 */
final class CpuOptimKernels {
    /** Elements per thread chunk at least (and below twice this a tensor is updated on the caller). */
    private static final int CHUNK = 1 << 15;

    private CpuOptimKernels() {}

    private static void forRange(int n, Parallel.Body body) {
        if (n < 2 * CHUNK) {
            body.run(0, n);
        } else {
            Parallel.forRange(n, CHUNK, body);
        }
    }

    private static void need(int n, float[]... arrays) {
        for (float[] a : arrays) {
            if (n < 0 || a.length < n) {
                throw new IllegalArgumentException("optimizer buffer has " + a.length + " elements, update needs " + n);
            }
        }
    }

    static void sgd(float[] w, float[] g, int n, float lr, float wd) {
        need(n, w, g);
        forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                w[i] -= lr * (g[i] + wd * w[i]);
            }
        });
    }

    static void momentum(float[] w, float[] g, float[] v, int n, float lr, float mu, float wd) {
        need(n, w, g, v);
        forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                v[i] = mu * v[i] - lr * (g[i] + wd * w[i]);
                w[i] += v[i];
            }
        });
    }

    static void adagrad(float[] w, float[] g, float[] h, int n, float lr, float eps, float wd) {
        need(n, w, g, h);
        forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[i] + wd * w[i];
                h[i] += gi * gi;
                w[i] -= lr * gi / ((float) Math.sqrt(h[i]) + eps);
            }
        });
    }

    static void adam(float[] w, float[] g, float[] m, float[] v, int n, float lr,
                     float beta1, float beta2, float eps, int t, float wd) {
        need(n, w, g, m, v);
        if (t < 1) {
            throw new IllegalArgumentException("Adam step must be >= 1, got " + t);
        }
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        float stepSize = lr / c1;
        float invSqrtC2 = (float) (1 / Math.sqrt(c2));
        forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[i] + wd * w[i];
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) * invSqrtC2 + eps);
            }
        });
    }
}
