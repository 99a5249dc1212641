// Convolution helpers for the coming conv issue: im2col/col2im and max/avg pooling, NCHW.
// No Java wiring and no CPU reference yet; these comments are the contract a reference must meet.
//
// Conventions shared by every kernel below:
//   x is [N][C][H][W] row-major (NCHW); a window has kernel kh×kw, stride sh×sw, zero padding
//   ph×pw on each side, dilation dh×dw (pooling: dilation 1). Output sizes, computed by the host:
//     OH = (H + 2·ph − dh·(kh−1) − 1) / sh + 1,   OW = (W + 2·pw − dw·(kw−1) − 1) / sw + 1.
//   Output (oh, ow), kernel tap (i, j) reads input row  h = oh·sh − ph + i·dh,
//                                         input column w = ow·sw − pw + j·dw  (outside → padding).
// Backward kernels gather (one thread per input element, summing every window that touched it)
// instead of scattering with atomics: deterministic, and accumulate != 0 adds to dx.
#include "common.cuh"

// col is [N][C·kh·kw][OH·OW]: per image the Caffe layout, so a convolution is, per image,
// W[K][C·kh·kw] · col[n] = y[n][K][OH·OW]. Row r = (c·kh + i)·kw + j, column q = oh·OW + ow,
// value x[n][c][h][w] or 0 in the padding.
extern "C" __global__ void im2col(const float* x, float* col, int N, int C, int H, int W, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int dh, int dw, int OH, int OW) {
    long long total = (long long)N * C * kh * kw * OH * OW;
    JG_FOR(t, total) {
        int ow = (int)(t % OW);
        long long r = t / OW;
        int oh = (int)(r % OH); r /= OH;
        int j = (int)(r % kw); r /= kw;
        int i = (int)(r % kh); r /= kh;
        int c = (int)(r % C);
        int n = (int)(r / C);
        int h = oh * sh - ph + i * dh, w = ow * sw - pw + j * dw;
        col[t] = (h >= 0 && h < H && w >= 0 && w < W) ? x[(((long long)n * C + c) * H + h) * W + w] : 0.0f;
    }
}

// The adjoint of im2col: dx[n][c][h][w] (= or +=) Σ col[n][(c·kh + i)·kw + j][oh·OW + ow] over
// all (i, j, oh, ow) whose window position lands on (h, w).
extern "C" __global__ void col2im(const float* col, float* dx, int N, int C, int H, int W, int kh, int kw,
                                  int sh, int sw, int ph, int pw, int dh, int dw, int OH, int OW,
                                  int accumulate) {
    long long total = (long long)N * C * H * W;
    long long plane = (long long)OH * OW;
    JG_FOR(t, total) {
        int w = (int)(t % W);
        int h = (int)((t / W) % H);
        long long nc = t / ((long long)H * W);  // n·C + c
        float s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int hs = h + ph - i * dh;
            if (hs < 0 || hs % sh != 0 || hs / sh >= OH) continue;
            int oh = hs / sh;
            for (int j = 0; j < kw; j++) {
                int ws = w + pw - j * dw;
                if (ws < 0 || ws % sw != 0 || ws / sw >= OW) continue;
                int ow = ws / sw;
                // nc·kh·kw + i·kw + j = row (c·kh + i)·kw + j of image n.
                s += col[((nc * kh + i) * kw + j) * plane + (long long)oh * OW + ow];
            }
        }
        dx[t] = accumulate ? dx[t] + s : s;
    }
}

// Max pooling: y[n][c][oh][ow] = max of the window's in-bounds inputs (padding never wins);
// argmax[same index] = h·W + w of the first maximum in row-major window order (strict >), stored
// as a float like every jgrad index. A window with no in-bounds input (only when ph ≥ kh) gives
// −inf and index −1.
extern "C" __global__ void maxpool_forward(const float* x, float* y, float* argmax, int N, int C, int H,
                                           int W, int kh, int kw, int sh, int sw, int ph, int pw, int OH,
                                           int OW) {
    long long total = (long long)N * C * OH * OW;
    JG_FOR(t, total) {
        int ow = (int)(t % OW);
        int oh = (int)((t / OW) % OH);
        const float* xp = x + (t / ((long long)OH * OW)) * H * W;
        float best = -INFINITY;
        int bi = -1;
        for (int i = 0; i < kh; i++) {
            int h = oh * sh - ph + i;
            if (h < 0 || h >= H) continue;
            for (int j = 0; j < kw; j++) {
                int w = ow * sw - pw + j;
                if (w < 0 || w >= W) continue;
                float v = xp[h * W + w];
                if (bi < 0 || v > best) { best = v; bi = h * W + w; }
            }
        }
        y[t] = best;
        argmax[t] = (float)bi;
    }
}

// dx[n][c][h][w] (= or +=) Σ dy over the windows whose argmax is (h, w).
extern "C" __global__ void maxpool_backward(const float* dy, const float* argmax, float* dx, int N, int C,
                                            int H, int W, int kh, int kw, int sh, int sw, int ph, int pw,
                                            int OH, int OW, int accumulate) {
    long long total = (long long)N * C * H * W;
    JG_FOR(t, total) {
        int w = (int)(t % W);
        int h = (int)((t / W) % H);
        long long base = (t / ((long long)H * W)) * OH * OW;
        float me = (float)(h * W + w), s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int hs = h + ph - i;
            if (hs < 0 || hs % sh != 0 || hs / sh >= OH) continue;
            for (int j = 0; j < kw; j++) {
                int ws = w + pw - j;
                if (ws < 0 || ws % sw != 0 || ws / sw >= OW) continue;
                long long o = base + (long long)(hs / sh) * OW + ws / sw;
                if (argmax[o] == me) s += dy[o];
            }
        }
        dx[t] = accumulate ? dx[t] + s : s;
    }
}

// Average pooling, count_include_pad (PyTorch's default): y = Σ in-bounds window inputs / (kh·kw).
extern "C" __global__ void avgpool_forward(const float* x, float* y, int N, int C, int H, int W, int kh,
                                           int kw, int sh, int sw, int ph, int pw, int OH, int OW) {
    long long total = (long long)N * C * OH * OW;
    float inv = 1.0f / (float)(kh * kw);
    JG_FOR(t, total) {
        int ow = (int)(t % OW);
        int oh = (int)((t / OW) % OH);
        const float* xp = x + (t / ((long long)OH * OW)) * H * W;
        float s = 0.0f;
        for (int i = 0; i < kh; i++) {
            int h = oh * sh - ph + i;
            if (h < 0 || h >= H) continue;
            for (int j = 0; j < kw; j++) {
                int w = ow * sw - pw + j;
                if (w >= 0 && w < W) s += xp[h * W + w];
            }
        }
        y[t] = s * inv;
    }
}

// dx[n][c][h][w] (= or +=) Σ dy / (kh·kw) over the windows containing (h, w).
extern "C" __global__ void avgpool_backward(const float* dy, float* dx, int N, int C, int H, int W, int kh,
                                            int kw, int sh, int sw, int ph, int pw, int OH, int OW,
                                            int accumulate) {
    long long total = (long long)N * C * H * W;
    float inv = 1.0f / (float)(kh * kw);
    JG_FOR(t, total) {
        int w = (int)(t % W);
        int h = (int)((t / W) % H);
        long long base = (t / ((long long)H * W)) * OH * OW;
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
        float g = s * inv;
        dx[t] = accumulate ? dx[t] + g : g;
    }
}
