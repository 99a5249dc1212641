// Neural-net primitives of jgrad.device.DeviceOps, mirroring jgrad.cpu.CpuNnKernels: same
// formulas, double accumulation where the CPU uses double. Reductions use a fixed tree
// (common.cuh), never atomics, so every run gives the same bits.
//
// Validation: the CPU throws on a label or gather index that is not an integer in range. A kernel
// cannot throw, and an out-of-range read must not crash the GPU, so a bad index turns that row's
// result into NaN (loss, gradient row, gathered row): the NaN loss shows up in the next log line.
#include "common.cuh"

// Pass 1 of softmax cross-entropy. One block per row (power-of-two blockDim ≤ 1024, dynamic
// shared memory blockDim·8 bytes). probs[i][·] = softmax(logits[i][·]); rowLoss[i] (double) =
// logsumexp − logit[label], NaN when the label is invalid. As the CPU: e = (float)exp(double),
// sum in double, probs scaled by (float)(1/sum).
extern "C" __global__ void softmax_xent_rows(const float* logits, const float* labels, float* probs,
                                             double* rowLoss, int m, int c) {
    extern __shared__ double sbuf[];
    int i = blockIdx.x;
    if (i >= m) return;
    const float* row = logits + (long long)i * c;
    float* prow = probs + (long long)i * c;
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < c; j += blockDim.x) mx = fmaxf(mx, row[j]);
    mx = jg_block_max(mx, (float*)sbuf);
    double s = 0.0;
    for (int j = threadIdx.x; j < c; j += blockDim.x) {
        float e = (float)exp((double)(row[j] - mx));
        prow[j] = e;
        s += e;
    }
    s = jg_block_sum(s, sbuf);
    float inv = (float)(1.0 / s);
    for (int j = threadIdx.x; j < c; j += blockDim.x) prow[j] *= inv;
    if (threadIdx.x == 0) {
        int t = jg_index(labels[i], c);
        // Invalid label: NaN, not a read outside the row (the CPU throws here).
        rowLoss[i] = t < 0 ? __longlong_as_double(0x7ff8000000000000LL) : log(s) + mx - row[t];
    }
}

// Pass 2: loss[0] = (float)(Σ rowLoss / m), one block, fixed tree: deterministic, no atomics.
extern "C" __global__ void softmax_xent_mean(const double* rowLoss, float* loss, int m) {
    extern __shared__ double sbuf[];
    double s = 0.0;
    for (int i = threadIdx.x; i < m; i += blockDim.x) s += rowLoss[i];
    s = jg_block_sum(s, sbuf);
    if (threadIdx.x == 0) loss[0] = (float)(s / m);
}

// dlogits (= or +=) dloss[0]/m · (probs − onehot(label)); dloss is a device scalar so the
// backward never waits for the host. A row with an invalid label gets NaN gradients.
extern "C" __global__ void softmax_xent_backward(const float* probs, const float* labels, const float* dloss,
                                                 float* dlogits, int m, int c, int accumulate) {
    float scale = dloss[0] / (float)m;
    long long total = (long long)m * c;
    JG_FOR(k, total) {
        int i = (int)(k / c), j = (int)(k % c);
        int t = jg_index(labels[i], c);
        float g = t < 0 ? __int_as_float(0x7fc00000) : scale * (probs[k] - (j == t ? 1.0f : 0.0f));
        dlogits[k] = accumulate ? dlogits[k] + g : g;
    }
}

// out[i][·] = table[index[i]][·] for i < count, rows of rowLength floats; tableRows bounds the
// index (the CPU derives it from the table length). Invalid index: the row is filled with NaN.
extern "C" __global__ void gather_rows(const float* table, const float* index, float* out, int count,
                                       int rowLength, int tableRows) {
    long long total = (long long)count * rowLength;
    JG_FOR(k, total) {
        int i = (int)(k / rowLength), j = (int)(k % rowLength);
        int r = jg_index(index[i], tableRows);
        out[k] = r < 0 ? __int_as_float(0x7fc00000) : table[(long long)r * rowLength + j];
    }
}

// Inverted dropout with the CPU's counter-based hash: mask[i] = uniform(seed, i) ≥ p ? 1/(1−p)
// : 0, y = x·mask. The same (seed, i) gives the same mask on every device. p ∈ [0,1) is checked
// on the host.
extern "C" __global__ void dropout_forward(const float* x, float* mask, float* y, int n, float p,
                                           unsigned long long seed) {
    float keep = 1.0f / (1.0f - p);
    JG_FOR(i, n) {
        float mk = jg_uniform(seed, (unsigned long long)i) >= p ? keep : 0.0f;
        mask[i] = mk;
        y[i] = x[i] * mk;
    }
}

// Batch norm over x viewed as [m][c][spatial]; one block per channel (power-of-two blockDim,
// dynamic shared memory blockDim·8 bytes). Element t ∈ [0, m·spatial) of channel ch is
// x[((t / spatial)·c + ch)·spatial + t % spatial]. Training: batch mean and biased variance in
// double (two passes, like the CPU), running stats updated with momentum and the unbiased
// variance; eval: the running stats. Writes saveMean/saveInvStd in both modes, as the CPU does.
// count ≥ 2 in training is checked on the host.
extern "C" __global__ void batchnorm_forward(const float* x, const float* gamma, const float* beta, float* y,
                                             float* saveMean, float* saveInvStd, float* runningMean,
                                             float* runningVar, int m, int c, int spatial, float momentum,
                                             float eps, int training) {
    extern __shared__ double sbuf[];
    int ch = blockIdx.x;
    if (ch >= c) return;
    long long count = (long long)m * spatial;
    double mean, var;
    if (training) {
        double s = 0.0;
        for (long long t = threadIdx.x; t < count; t += blockDim.x)
            s += x[((t / spatial) * c + ch) * spatial + t % spatial];
        mean = jg_block_sum(s, sbuf) / count;
        double ss = 0.0;
        for (long long t = threadIdx.x; t < count; t += blockDim.x) {
            double d = x[((t / spatial) * c + ch) * spatial + t % spatial] - mean;
            ss += d * d;
        }
        var = jg_block_sum(ss, sbuf) / count;
        if (threadIdx.x == 0) {
            runningMean[ch] = (float)((1 - (double)momentum) * runningMean[ch] + (double)momentum * mean);
            runningVar[ch] = (float)((1 - (double)momentum) * runningVar[ch]
                                     + (double)momentum * var * count / (count - 1));
        }
    } else {
        mean = runningMean[ch];
        var = runningVar[ch];
    }
    double invStd = 1.0 / sqrt(var + (double)eps);
    if (threadIdx.x == 0) {
        saveMean[ch] = (float)mean;
        saveInvStd[ch] = (float)invStd;
    }
    float scale = (float)(gamma[ch] * invStd);
    float shift = (float)(beta[ch] - mean * gamma[ch] * invStd);
    for (long long t = threadIdx.x; t < count; t += blockDim.x) {
        long long k = ((t / spatial) * c + ch) * spatial + t % spatial;
        y[k] = x[k] * scale + shift;
    }
}

// Training-mode batch norm backward, one block per channel (as batchnorm_forward):
// dbeta = Σ dy, dgamma = Σ dy·x̂ (= or += by accumulateParams), dx (= or +=) per the CPU formula
// γ·invStd/count · (count·dy − Σdy − x̂·Σdy·x̂).
extern "C" __global__ void batchnorm_backward(const float* x, const float* dy, const float* gamma,
                                              const float* saveMean, const float* saveInvStd, float* dx,
                                              float* dgamma, float* dbeta, int m, int c, int spatial,
                                              int accumulateDx, int accumulateParams) {
    extern __shared__ double sbuf[];
    int ch = blockIdx.x;
    if (ch >= c) return;
    long long count = (long long)m * spatial;
    double mean = saveMean[ch], invStd = saveInvStd[ch];
    double sDy = 0.0, sDyXhat = 0.0;
    for (long long t = threadIdx.x; t < count; t += blockDim.x) {
        long long k = ((t / spatial) * c + ch) * spatial + t % spatial;
        double g = dy[k];
        sDy += g;
        sDyXhat += g * (x[k] - mean) * invStd;
    }
    sDy = jg_block_sum(sDy, sbuf);
    sDyXhat = jg_block_sum(sDyXhat, sbuf);
    if (threadIdx.x == 0) {
        dbeta[ch] = (float)(accumulateParams ? dbeta[ch] + sDy : sDy);
        dgamma[ch] = (float)(accumulateParams ? dgamma[ch] + sDyXhat : sDyXhat);
    }
    double k1 = gamma[ch] * invStd / count;
    for (long long t = threadIdx.x; t < count; t += blockDim.x) {
        long long k = ((t / spatial) * c + ch) * spatial + t % spatial;
        double xhat = (x[k] - mean) * invStd;
        float g = (float)(k1 * (count * (double)dy[k] - sDy - xhat * sDyXhat));
        dx[k] = accumulateDx ? dx[k] + g : g;
    }
}
