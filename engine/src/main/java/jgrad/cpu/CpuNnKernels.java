package jgrad.cpu;

/**
 * CPU reference kernels for the neural-net specific primitives: softmax cross-entropy, gather,
 * argmax, dropout, batch norm. Reductions accumulate in double so the reference is the most
 * accurate version of each op, not just one more float32 ordering.
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
        double total = 0;
        for (int i = 0; i < m; i++) {
            int row = i * c;
            int t = label(labels[i], i, c);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                float e = (float) Math.exp(logits[row + j] - max);
                probs[row + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < c; j++) {
                probs[row + j] *= inv;
            }
            total += Math.log(sum) + max - logits[row + t];
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

    static void gatherRows(float[] table, float[] index, float[] out, int count, int rowLength) {
        need(index, count, "index");
        need(out, (long) count * rowLength, "out");
        int rows = rowLength == 0 ? 0 : table.length / rowLength;
        for (int i = 0; i < count; i++) {
            int r = (int) index[i];
            if (r != index[i] || r < 0 || r >= rows) {
                throw new IllegalArgumentException("gather index " + index[i] + " outside [0, " + rows + ")");
            }
            System.arraycopy(table, r * rowLength, out, i * rowLength, rowLength);
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

    static void batchNormForward(float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean,
                                 float[] saveInvStd, float[] runningMean, float[] runningVar,
                                 int m, int c, int spatial, float momentum, float eps, boolean training) {
        long total = (long) m * c * spatial;
        need(x, total, "x");
        need(y, total, "y");
        for (float[] a : new float[][] {gamma, beta, saveMean, saveInvStd, runningMean, runningVar}) {
            need(a, c, "per-channel buffer");
        }
        long count = (long) m * spatial;
        if (training && count < 2) {
            throw new IllegalArgumentException("batch norm in training needs more than one value per channel, got "
                    + count);
        }
        // Channels are independent: split them over threads (same bits for any thread count).
        Parallel.forRange(c, channelChunk(count), (from, to) -> {
            int ch = from;
            if (training) {
                for (; ch + 4 <= to; ch += 4) {
                    forwardFourChannels(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, m, c,
                            spatial, momentum, eps, ch);
                }
            }
            for (; ch < to; ch++) {
                double mean;
                double var;
                if (training) {
                    double s = 0;
                    for (int i = 0; i < m; i++) {
                        int base = (i * c + ch) * spatial;
                        for (int k = 0; k < spatial; k++) {
                            s += x[base + k];
                        }
                    }
                    mean = s / count;
                    double ss = 0;
                    for (int i = 0; i < m; i++) {
                        int base = (i * c + ch) * spatial;
                        for (int k = 0; k < spatial; k++) {
                            double d = x[base + k] - mean;
                            ss += d * d;
                        }
                    }
                    var = ss / count;
                } else {
                    mean = runningMean[ch];
                    var = runningVar[ch];
                }
                normalize(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, m, c, spatial, momentum,
                        eps, training, ch, mean, var);
            }
        });
    }

    /**
     * The training statistics of channels ch..ch+3 with their four sums interleaved: each double sum
     * is a chain of dependent adds, and four independent chains run four times as fast as one.
     * Every channel's sum still adds the same values in the same order: the same bits as one at a time.
     */
    private static void forwardFourChannels(float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean,
                                            float[] saveInvStd, float[] runningMean, float[] runningVar, int m,
                                            int c, int spatial, float momentum, float eps, int ch) {
        long count = (long) m * spatial;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < m; i++) {
            int b0 = (i * c + ch) * spatial, b1 = b0 + spatial, b2 = b1 + spatial, b3 = b2 + spatial;
            for (int k = 0; k < spatial; k++) {
                s0 += x[b0 + k];
                s1 += x[b1 + k];
                s2 += x[b2 + k];
                s3 += x[b3 + k];
            }
        }
        double m0 = s0 / count, m1 = s1 / count, m2 = s2 / count, m3 = s3 / count;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        for (int i = 0; i < m; i++) {
            int b0 = (i * c + ch) * spatial, b1 = b0 + spatial, b2 = b1 + spatial, b3 = b2 + spatial;
            for (int k = 0; k < spatial; k++) {
                double d0 = x[b0 + k] - m0;
                double d1 = x[b1 + k] - m1;
                double d2 = x[b2 + k] - m2;
                double d3 = x[b3 + k] - m3;
                q0 += d0 * d0;
                q1 += d1 * d1;
                q2 += d2 * d2;
                q3 += d3 * d3;
            }
        }
        normalize(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, m, c, spatial, momentum, eps, true,
                ch, m0, q0 / count);
        normalize(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, m, c, spatial, momentum, eps, true,
                ch + 1, m1, q1 / count);
        normalize(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, m, c, spatial, momentum, eps, true,
                ch + 2, m2, q2 / count);
        normalize(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, m, c, spatial, momentum, eps, true,
                ch + 3, m3, q3 / count);
    }

    /** Given channel ch's statistics: the running averages (training), the saved ones, and y. */
    private static void normalize(float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean,
                                  float[] saveInvStd, float[] runningMean, float[] runningVar, int m, int c,
                                  int spatial, float momentum, float eps, boolean training, int ch, double mean,
                                  double var) {
        long count = (long) m * spatial;
        if (training) {
            runningMean[ch] = (float) ((1 - momentum) * runningMean[ch] + momentum * mean);
            runningVar[ch] = (float) ((1 - momentum) * runningVar[ch] + momentum * var * count / (count - 1));
        }
        double invStd = 1.0 / Math.sqrt(var + eps);
        saveMean[ch] = (float) mean;
        saveInvStd[ch] = (float) invStd;
        float scale = (float) (gamma[ch] * invStd);
        float shift = (float) (beta[ch] - mean * gamma[ch] * invStd);
        for (int i = 0; i < m; i++) {
            int base = (i * c + ch) * spatial;
            for (int k = 0; k < spatial; k++) {
                y[base + k] = x[base + k] * scale + shift;
            }
        }
    }

    /** Channels per thread chunk so that each chunk has some 16k values to work on. */
    private static int channelChunk(long perChannel) {
        return (int) Math.max(1, (1 << 14) / Math.max(1, perChannel));
    }

    static void batchNormBackward(float[] x, float[] dy, float[] gamma, float[] saveMean, float[] saveInvStd,
                                  float[] dx, float[] dgamma, float[] dbeta, int m, int c, int spatial,
                                  boolean accumulateDx, boolean accumulateParams) {
        long total = (long) m * c * spatial;
        need(x, total, "x");
        need(dy, total, "dy");
        need(dx, total, "dx");
        long count = (long) m * spatial;
        Parallel.forRange(c, channelChunk(count), (from, to) -> {
            int ch = from;
            for (; ch + 4 <= to; ch += 4) {
                // As in the forward pass: four channels' sums interleaved, each in its own order.
                double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
                double h0 = 0, h1 = 0, h2 = 0, h3 = 0;
                double m0 = saveMean[ch], m1 = saveMean[ch + 1], m2 = saveMean[ch + 2], m3 = saveMean[ch + 3];
                double r0 = saveInvStd[ch], r1 = saveInvStd[ch + 1], r2 = saveInvStd[ch + 2], r3 = saveInvStd[ch + 3];
                for (int i = 0; i < m; i++) {
                    int b0 = (i * c + ch) * spatial, b1 = b0 + spatial, b2 = b1 + spatial, b3 = b2 + spatial;
                    for (int k = 0; k < spatial; k++) {
                        double g0 = dy[b0 + k];
                        double g1 = dy[b1 + k];
                        double g2 = dy[b2 + k];
                        double g3 = dy[b3 + k];
                        d0 += g0;
                        d1 += g1;
                        d2 += g2;
                        d3 += g3;
                        h0 += g0 * (x[b0 + k] - m0) * r0;
                        h1 += g1 * (x[b1 + k] - m1) * r1;
                        h2 += g2 * (x[b2 + k] - m2) * r2;
                        h3 += g3 * (x[b3 + k] - m3) * r3;
                    }
                }
                backwardDx(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, m, c, spatial, accumulateDx,
                        accumulateParams, ch, d0, h0);
                backwardDx(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, m, c, spatial, accumulateDx,
                        accumulateParams, ch + 1, d1, h1);
                backwardDx(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, m, c, spatial, accumulateDx,
                        accumulateParams, ch + 2, d2, h2);
                backwardDx(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, m, c, spatial, accumulateDx,
                        accumulateParams, ch + 3, d3, h3);
            }
            for (; ch < to; ch++) {
                double mean = saveMean[ch];
                double invStd = saveInvStd[ch];
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int i = 0; i < m; i++) {
                    int base = (i * c + ch) * spatial;
                    for (int k = 0; k < spatial; k++) {
                        double g = dy[base + k];
                        sumDy += g;
                        sumDyXhat += g * (x[base + k] - mean) * invStd;
                    }
                }
                backwardDx(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, m, c, spatial, accumulateDx,
                        accumulateParams, ch, sumDy, sumDyXhat);
            }
        });
    }

    /** Given channel ch's sums of dy and dy·x̂: its parameter gradients and dx. */
    private static void backwardDx(float[] x, float[] dy, float[] gamma, float[] saveMean, float[] saveInvStd,
                                   float[] dx, float[] dgamma, float[] dbeta, int m, int c, int spatial,
                                   boolean accumulateDx, boolean accumulateParams, int ch, double sumDy,
                                   double sumDyXhat) {
        long count = (long) m * spatial;
        double mean = saveMean[ch];
        double invStd = saveInvStd[ch];
        dbeta[ch] = (float) (accumulateParams ? dbeta[ch] + sumDy : sumDy);
        dgamma[ch] = (float) (accumulateParams ? dgamma[ch] + sumDyXhat : sumDyXhat);
        double k1 = gamma[ch] * invStd / count;
        // count·dy is a float product (long × float promotes the long to float); converting the
        // long once here, not in the loop, made this loop four times faster (same bits).
        float countF = count;
        for (int i = 0; i < m; i++) {
            int base = (i * c + ch) * spatial;
            for (int k = 0; k < spatial; k++) {
                double xhat = (x[base + k] - mean) * invStd;
                float g = (float) (k1 * (countF * dy[base + k] - sumDy - xhat * sumDyXhat));
                dx[base + k] = accumulateDx ? dx[base + k] + g : g;
            }
        }
    }
}
