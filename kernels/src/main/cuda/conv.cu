// Convolution and pooling kernels of jgrad.device.DeviceOps (NCHW), the own-kernel path next to
// cuDNN. jgrad.cuda.CudaConvOps launches them; jgrad.cpu.CpuOps is the reference they are tested
// against.
//
// Conventions shared by every kernel below:
//   x is [N][C][H][W] row-major; a window has kernel kh×kw, stride sh×sw, zero padding ph×pw on
//   each side, no dilation. Output sizes come from the host (Conv2dGeometry / Pool2dGeometry):
//     OH = (H + 2·ph − kh) / sh + 1,   OW = (W + 2·pw − kw) / sw + 1.
//   Output (oh, ow), kernel tap (i, j) reads input row h = oh·sh − ph + i, column
//   w = ow·sw − pw + j (outside the image: padding).
// Backward kernels gather (one thread per input element, summing every window that touched it)
// instead of scattering with atomics: deterministic, and accumulate != 0 adds to dx.
#include "common.cuh"

// Column matrix for a chunk of N images: col is [C·kh·kw][N·OH·OW], row r = (c·kh + i)·kw + j,
// column q = n·OH·OW + oh·OW + ow, value x[n][c][h][w] or 0 in the padding. With this layout one
// GEMM covers the whole chunk: W[K][C·kh·kw] · col = Y'[K][N·OH·OW] (then cnhw_to_nchw).
template <typename I>
__device__ __forceinline__ void im2col_loop(const float* x, float* col, I total, I cols, I plane, int C, int H,
                                            int W, int kh, int kw, int sh, int sw, int ph, int pw, int OH, int OW) {
    JG_FOR_T(I, t, total) {
        I q = t % cols;
        I r = t / cols;
        int n = (int)(q / plane);
        int ow = (int)(q % (I)OW);
        int oh = (int)((q / (I)OW) % (I)OH);
        int j = (int)(r % (I)kw);
        int i = (int)((r / (I)kw) % (I)kh);
        int c = (int)(r / ((I)kw * kh));
        int h = oh * sh - ph + i, w = ow * sw - pw + j;
        col[t] = (h >= 0 && h < H && w >= 0 && w < W) ? x[(((long long)n * C + c) * H + h) * W + w] : 0.0f;
    }
}

extern "C" __global__ void im2col(const float* x, float* col, int N, int C, int H, int W, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int OH, int OW) {
    long long plane = (long long)OH * OW;
    long long cols = (long long)N * plane;
    long long total = (long long)C * kh * kw * cols;
    if (jg_fits_u32(total)) {
        im2col_loop<unsigned>(x, col, (unsigned)total, (unsigned)cols, (unsigned)plane, C, H, W, kh, kw, sh, sw,
                              ph, pw, OH, OW);
    } else {
        im2col_loop<long long>(x, col, total, cols, plane, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW);
    }
}

// The adjoint of im2col for the same layout: dx[n][c][h][w] (= or +=) Σ col[(c·kh + i)·kw + j]
// [n·OH·OW + oh·OW + ow] over all (i, j, oh, ow) whose window tap lands on (h, w).
template <typename I>
__device__ __forceinline__ void col2im_loop(const float* col, float* dx, I total, int C, int H, int W, int kh,
                                            int kw, int sh, int sw, int ph, int pw, int OH, int OW,
                                            int accumulate, long long plane, long long cols) {
    JG_FOR_T(I, t, total) {
        int w = (int)(t % (I)W);
        int h = (int)((t / (I)W) % (I)H);
        int c = (int)((t / ((I)H * W)) % (I)C);
        int n = (int)(t / ((I)C * H * W));
        float s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int hs = h + ph - i;
            if (hs < 0 || hs % sh != 0 || hs / sh >= OH) continue;
            int oh = hs / sh;
            for (int j = 0; j < kw; j++) {
                int ws = w + pw - j;
                if (ws < 0 || ws % sw != 0 || ws / sw >= OW) continue;
                int ow = ws / sw;
                long long r = ((long long)c * kh + i) * kw + j;
                s += col[r * cols + n * plane + (long long)oh * OW + ow];
            }
        }
        dx[t] = accumulate ? dx[t] + s : s;
    }
}

extern "C" __global__ void col2im(const float* col, float* dx, int N, int C, int H, int W, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int OH, int OW, int accumulate) {
    long long plane = (long long)OH * OW;
    long long cols = (long long)N * plane;
    long long total = (long long)N * C * H * W;
    if (jg_fits_u32(total)) {
        col2im_loop<unsigned>(col, dx, (unsigned)total, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, accumulate, plane,
                              cols);
    } else {
        col2im_loop<long long>(col, dx, total, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, accumulate, plane, cols);
    }
}

// out[k][n][p] = in[n][k][p]: the conv output gradient in the GEMM's [K][N·P] layout.
template <typename I>
__device__ __forceinline__ void nchw_to_cnhw_loop(const float* in, float* out, I total, int N, int K, int P) {
    JG_FOR_T(I, t, total) {
        int p = (int)(t % (I)P);
        int n = (int)((t / (I)P) % (I)N);
        int k = (int)(t / ((I)P * N));
        out[t] = in[((long long)n * K + k) * P + p];
    }
}

extern "C" __global__ void nchw_to_cnhw(const float* in, float* out, int N, int K, int P) {
    long long total = (long long)N * K * P;
    if (jg_fits_u32(total)) {
        nchw_to_cnhw_loop<unsigned>(in, out, (unsigned)total, N, K, P);
    } else {
        nchw_to_cnhw_loop<long long>(in, out, total, N, K, P);
    }
}

// y[n][k][p] = in[k][n][p] (+ bias[k] when hasBias): the GEMM result back to NCHW.
template <typename I>
__device__ __forceinline__ void cnhw_to_nchw_loop(const float* in, const float* bias, float* y, I total, int N,
                                                  int K, int P, int hasBias) {
    JG_FOR_T(I, t, total) {
        int p = (int)(t % (I)P);
        int k = (int)((t / (I)P) % (I)K);
        int n = (int)(t / ((I)P * K));
        float v = in[((long long)k * N + n) * P + p];
        y[t] = hasBias ? v + bias[k] : v;
    }
}

extern "C" __global__ void cnhw_to_nchw(const float* in, const float* bias, float* y, int N, int K, int P,
                                        int hasBias) {
    long long total = (long long)N * K * P;
    if (jg_fits_u32(total)) {
        cnhw_to_nchw_loop<unsigned>(in, bias, y, (unsigned)total, N, K, P, hasBias);
    } else {
        cnhw_to_nchw_loop<long long>(in, bias, y, total, N, K, P, hasBias);
    }
}

// db[k] (= or +=) Σ over n and p of dy[n][k][p], in double with a fixed tree (no atomics). One
// block per channel; power-of-two blockDim, dynamic shared memory blockDim·8 bytes.
extern "C" __global__ void channel_sum(const float* dy, float* db, int N, int K, int P, int accumulate) {
    extern __shared__ double sbuf[];
    int k = blockIdx.x;
    if (k >= K) return;
    long long count = (long long)N * P;
    double s = 0.0;
    for (long long t = threadIdx.x; t < count; t += blockDim.x) {
        s += dy[((t / P) * K + k) * P + t % P];
    }
    s = jg_block_sum(s, sbuf);
    if (threadIdx.x == 0) db[k] = (float)(accumulate ? db[k] + s : s);
}

// Max pooling: y[n][c][oh][ow] = max of the window's in-bounds inputs (padding never wins; the
// host guarantees every window holds at least one input). First maximum in row-major window
// order, strict >, as the CPU scans.
template <typename I>
__device__ __forceinline__ void maxpool_forward_loop(const float* x, float* y, I total, int H, int W, int kh,
                                                     int kw, int sh, int sw, int ph, int pw, int OH, int OW) {
    JG_FOR_T(I, t, total) {
        int ow = (int)(t % (I)OW);
        int oh = (int)((t / (I)OW) % (I)OH);
        const float* xp = x + (long long)(t / ((I)OH * OW)) * H * W;
        float best = 0.0f;
        bool found = false;
        for (int i = 0; i < kh; i++) {
            int h = oh * sh - ph + i;
            if (h < 0 || h >= H) continue;
            for (int j = 0; j < kw; j++) {
                int w = ow * sw - pw + j;
                if (w < 0 || w >= W) continue;
                float v = xp[h * W + w];
                if (!found || v > best) { best = v; found = true; }
            }
        }
        y[t] = found ? best : -INFINITY;
    }
}

extern "C" __global__ void maxpool_forward(const float* x, float* y, int N, int C, int H, int W, int kh,
                                           int kw, int sh, int sw, int ph, int pw, int OH, int OW) {
    long long total = (long long)N * C * OH * OW;
    if (jg_fits_u32(total)) {
        maxpool_forward_loop<unsigned>(x, y, (unsigned)total, H, W, kh, kw, sh, sw, ph, pw, OH, OW);
    } else {
        maxpool_forward_loop<long long>(x, y, total, H, W, kh, kw, sh, sw, ph, pw, OH, OW);
    }
}

// True when (h, w) is the first in-bounds position of window (oh, ow), row-major, whose value
// equals the window's maximum y: DeviceOps' maxPool2dBackward finds the winner again from x and
// y instead of keeping an argmax buffer.
__device__ __forceinline__ bool jg_first_max(const float* xp, float yv, int h, int w, int oh, int ow, int H,
                                             int W, int kh, int kw, int sh, int sw, int ph, int pw) {
    for (int i = 0; i < kh; i++) {
        int hh = oh * sh - ph + i;
        if (hh < 0 || hh >= H) continue;
        for (int j = 0; j < kw; j++) {
            int ww = ow * sw - pw + j;
            if (ww < 0 || ww >= W) continue;
            if (xp[hh * W + ww] == yv) return hh == h && ww == w;
        }
    }
    return false;
}

// dx[n][c][h][w] (= or +=) Σ dy over the windows whose first maximum is (h, w).
template <typename I>
__device__ __forceinline__ void maxpool_backward_loop(const float* x, const float* y, const float* dy, float* dx,
                                                      I total, int H, int W, int kh, int kw, int sh, int sw, int ph,
                                                      int pw, int OH, int OW, int accumulate) {
    JG_FOR_T(I, t, total) {
        int w = (int)(t % (I)W);
        int h = (int)((t / (I)W) % (I)H);
        long long nc = (long long)(t / ((I)H * W));
        const float* xp = x + nc * H * W;
        long long base = nc * OH * OW;
        float s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int hs = h + ph - i;
            if (hs < 0 || hs % sh != 0 || hs / sh >= OH) continue;
            int oh = hs / sh;
            for (int j = 0; j < kw; j++) {
                int ws = w + pw - j;
                if (ws < 0 || ws % sw != 0 || ws / sw >= OW) continue;
                int ow = ws / sw;
                long long o = base + (long long)oh * OW + ow;
                if (jg_first_max(xp, y[o], h, w, oh, ow, H, W, kh, kw, sh, sw, ph, pw)) s += dy[o];
            }
        }
        dx[t] = accumulate ? dx[t] + s : s;
    }
}

extern "C" __global__ void maxpool_backward(const float* x, const float* y, const float* dy, float* dx, int N,
                                            int C, int H, int W, int kh, int kw, int sh, int sw, int ph, int pw,
                                            int OH, int OW, int accumulate) {
    long long total = (long long)N * C * H * W;
    if (jg_fits_u32(total)) {
        maxpool_backward_loop<unsigned>(x, y, dy, dx, (unsigned)total, H, W, kh, kw, sh, sw, ph, pw, OH, OW,
                                        accumulate);
    } else {
        maxpool_backward_loop<long long>(x, y, dy, dx, total, H, W, kh, kw, sh, sw, ph, pw, OH, OW, accumulate);
    }
}

// Average pooling, count_include_pad (PyTorch's default): y = Σ in-bounds window inputs / (kh·kw).
template <typename I>
__device__ __forceinline__ void avgpool_forward_loop(const float* x, float* y, I total, int H, int W, int kh,
                                                     int kw, int sh, int sw, int ph, int pw, int OH, int OW) {
    float area = (float)(kh * kw);  // divide, not multiply by 1/area: the exactly rounded quotient
    JG_FOR_T(I, t, total) {
        int ow = (int)(t % (I)OW);
        int oh = (int)((t / (I)OW) % (I)OH);
        const float* xp = x + (long long)(t / ((I)OH * OW)) * H * W;
        float s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int h = oh * sh - ph + i;
            if (h < 0 || h >= H) continue;
            for (int j = 0; j < kw; j++) {
                int w = ow * sw - pw + j;
                if (w >= 0 && w < W) s += xp[h * W + w];
            }
        }
        y[t] = s / area;
    }
}

extern "C" __global__ void avgpool_forward(const float* x, float* y, int N, int C, int H, int W, int kh,
                                           int kw, int sh, int sw, int ph, int pw, int OH, int OW) {
    long long total = (long long)N * C * OH * OW;
    if (jg_fits_u32(total)) {
        avgpool_forward_loop<unsigned>(x, y, (unsigned)total, H, W, kh, kw, sh, sw, ph, pw, OH, OW);
    } else {
        avgpool_forward_loop<long long>(x, y, total, H, W, kh, kw, sh, sw, ph, pw, OH, OW);
    }
}

// dx[n][c][h][w] (= or +=) Σ dy / (kh·kw) over the windows containing (h, w).
template <typename I>
__device__ __forceinline__ void avgpool_backward_loop(const float* dy, float* dx, I total, int H, int W, int kh,
                                                      int kw, int sh, int sw, int ph, int pw, int OH, int OW,
                                                      int accumulate) {
    float area = (float)(kh * kw);
    JG_FOR_T(I, t, total) {
        int w = (int)(t % (I)W);
        int h = (int)((t / (I)W) % (I)H);
        long long base = (long long)(t / ((I)H * W)) * OH * OW;
        float s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int hs = h + ph - i;
            if (hs < 0 || hs % sh != 0 || hs / sh >= OH) continue;
            for (int j = 0; j < kw; j++) {
                int ws = w + pw - j;
                if (ws < 0 || ws % sw != 0 || ws / sw >= OW) continue;
                s += dy[base + (long long)(hs / sh) * OW + ws / sw];
            }
        }
        float g = s / area;
        dx[t] = accumulate ? dx[t] + g : g;
    }
}

extern "C" __global__ void avgpool_backward(const float* dy, float* dx, int N, int C, int H, int W, int kh,
                                            int kw, int sh, int sw, int ph, int pw, int OH, int OW,
                                            int accumulate) {
    long long total = (long long)N * C * H * W;
    if (jg_fits_u32(total)) {
        avgpool_backward_loop<unsigned>(dy, dx, (unsigned)total, H, W, kh, kw, sh, sw, ph, pw, OH, OW, accumulate);
    } else {
        avgpool_backward_loop<long long>(dy, dx, total, H, W, kh, kw, sh, sw, ph, pw, OH, OW, accumulate);
    }
}
