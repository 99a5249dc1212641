// conv.cu against double-precision loops written from jgrad.device.DeviceOps (there is no CPU
// reference for convolution or pooling yet), launched exactly as jgrad.cuda.CudaConvOps launches
// them:
//   - im2col / col2im per chunk of images (x and dx offset to the chunk, the column buffer sized for
//     the largest chunk): the column matrix [C·kh·kw][nb·OH·OW] bit for bit, col2im against a
//     scatter loop (each tap adds into the input it read), = and +=, images outside the chunk and
//     the unused tail of the column buffer untouched;
//   - nchw_to_cnhw / cnhw_to_nchw (with and without bias) bit for bit, channel_sum = and +=;
//   - the whole own-kernel conv2d forward / backward data / backward filter (kernels + a naive GEMM
//     in this file, chunked) against direct convolution loops;
//   - max pooling: window scan (padding never wins, first maximum in row-major order) and the
//     backward routing dy to that first maximum, found again from x and y, with ties everywhere;
//     average pooling: window sum / (kh·kw), backward spreading dy / (kh·kw); = and +=.
// Sizes: batch 1, odd sizes, stride 2, non-square kernels, padding (for conv up to the kernel, so
// some outputs see only padding), several chunks with a short last one. Every schedule, and both a
// few small blocks (each thread strides) and CudaKernels.launchFor's one thread per element.
#include "cuda_emu.h"
#include "conv.cu"
#include "emu_test.h"

#include <limits>

using emutest::expect_bitwise;
using emutest::expect_close;

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();
using F = std::vector<float>;
using D = std::vector<double>;

// Launch shape for the grid-stride kernels: CudaKernels.launchFor (256-thread blocks, one thread
// per element) or 3 blocks of 64 threads, so every thread covers several elements.
bool g_smallGrid = false;

template <class... P, class... A>
void launch_for(void (*kernel)(P...), long long n, A&&... args) {
    dim3 grid = g_smallGrid ? dim3(3) : dim3((unsigned)((n + 255) / 256));
    dim3 block = g_smallGrid ? dim3(64) : dim3(256);
    emu_launch(kernel, grid, block, 0, std::forward<A>(args)...);
}

// Conv2dGeometry plus the images per chunk (CudaConvOps.chunkImages, forced small here).
struct ConvGeo {
    int N, C, H, W, K, kh, kw, sh, sw, ph, pw, chunk;
    int OH() const { return (H + 2 * ph - kh) / sh + 1; }
    int OW() const { return (W + 2 * pw - kw) / sw + 1; }
    int P() const { return OH() * OW(); }
    int rows() const { return C * kh * kw; }
    size_t image() const { return (size_t)C * H * W; }
    size_t xSize() const { return N * image(); }
    size_t ySize() const { return (size_t)N * K * P(); }
    size_t wSize() const { return (size_t)K * rows(); }
    size_t colSize(int nb) const { return (size_t)rows() * nb * P(); }
    std::string str() const {
        char s[160];
        std::snprintf(s, sizeof s, "N%d C%d %dx%d K%d k%dx%d s%dx%d p%dx%d chunk%d", N, C, H, W, K, kh, kw, sh, sw, ph,
                      pw, chunk);
        return s;
    }
};

// Calls f(n, k, c, oh, ow, i, j, h, w) for every tap of every output that lands inside the image
// (taps in the padding read zeros and contribute nothing).
template <class Fn>
void for_each_conv_tap(const ConvGeo& g, Fn f) {
    for (int n = 0; n < g.N; n++)
        for (int k = 0; k < g.K; k++)
            for (int oh = 0; oh < g.OH(); oh++)
                for (int ow = 0; ow < g.OW(); ow++)
                    for (int c = 0; c < g.C; c++)
                        for (int i = 0; i < g.kh; i++)
                            for (int j = 0; j < g.kw; j++) {
                                int h = oh * g.sh - g.ph + i, w = ow * g.sw - g.pw + j;
                                if (h >= 0 && h < g.H && w >= 0 && w < g.W) f(n, k, c, oh, ow, i, j, h, w);
                            }
}

size_t xi(const ConvGeo& g, int n, int c, int h, int w) { return (((size_t)n * g.C + c) * g.H + h) * g.W + w; }
size_t yi(const ConvGeo& g, int n, int k, int oh, int ow) { return (((size_t)n * g.K + k) * g.OH() + oh) * g.OW() + ow; }
size_t wi(const ConvGeo& g, int k, int c, int i, int j) { return (((size_t)k * g.C + c) * g.kh + i) * g.kw + j; }

// Column matrix of images [n0, n0 + nb) in the layout CudaConvOps multiplies with the OIHW weights
// seen as W[K][C·kh·kw]: row (c·kh + i)·kw + j, column (n − n0)·OH·OW + oh·OW + ow.
F ref_col(const ConvGeo& g, const F& x, int n0, int nb) {
    F col(g.colSize(nb), 0.0f);
    const size_t cols = (size_t)nb * g.P();
    for (int n = n0; n < n0 + nb; n++)
        for (int c = 0; c < g.C; c++)
            for (int i = 0; i < g.kh; i++)
                for (int j = 0; j < g.kw; j++)
                    for (int oh = 0; oh < g.OH(); oh++)
                        for (int ow = 0; ow < g.OW(); ow++) {
                            int h = oh * g.sh - g.ph + i, w = ow * g.sw - g.pw + j;
                            if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                            size_t r = ((size_t)c * g.kh + i) * g.kw + j;
                            col[r * cols + (size_t)(n - n0) * g.P() + oh * g.OW() + ow] = x[xi(g, n, c, h, w)];
                        }
    return col;
}

void im2col_col2im_tests(emutest::Rng& rng, const ConvGeo& g, const std::string& tag) {
    const F x = rng.uniform(g.xSize(), -1, 1);
    for (int n0 = 0; n0 < g.N; n0 += g.chunk) {
        const int nb = std::min(g.chunk, g.N - n0);
        const std::string what = tag + " " + g.str() + " chunk@" + std::to_string(n0) + "+" + std::to_string(nb);
        // im2col into a buffer sized for a full chunk: the tail past this chunk stays untouched.
        F col(g.colSize(g.chunk), NaN), want = ref_col(g, x, n0, nb);
        want.resize(col.size(), NaN);
        launch_for(im2col, (long long)g.colSize(nb), x.data() + n0 * g.image(), col.data(), nb, g.C, g.H, g.W, g.kh,
                   g.kw, g.sh, g.sw, g.ph, g.pw, g.OH(), g.OW());
        expect_bitwise(what + " im2col", col, want);

        // col2im: the scatter adjoint of im2col into this chunk's images only.
        const F gcol = rng.uniform(g.colSize(nb), -1, 1);
        const size_t cols = (size_t)nb * g.P();
        for (int acc = 0; acc <= 1; acc++) {
            const F dx0 = acc ? rng.uniform(g.xSize(), -1, 1) : F(g.xSize(), NaN);
            F dx = dx0;
            D wdx(dx0.begin(), dx0.end());
            for (size_t t = n0 * g.image(); !acc && t < (n0 + nb) * g.image(); t++) wdx[t] = 0.0;
            for (int n = n0; n < n0 + nb; n++)
                for (int c = 0; c < g.C; c++)
                    for (int i = 0; i < g.kh; i++)
                        for (int j = 0; j < g.kw; j++)
                            for (int oh = 0; oh < g.OH(); oh++)
                                for (int ow = 0; ow < g.OW(); ow++) {
                                    int h = oh * g.sh - g.ph + i, w = ow * g.sw - g.pw + j;
                                    if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                                    size_t r = ((size_t)c * g.kh + i) * g.kw + j;
                                    wdx[xi(g, n, c, h, w)] += gcol[r * cols + (size_t)(n - n0) * g.P() + oh * g.OW() + ow];
                                }
            launch_for(col2im, (long long)(nb * g.image()), gcol.data(), dx.data() + n0 * g.image(), nb, g.C, g.H,
                       g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.OH(), g.OW(), acc);
            expect_close(what + (acc ? " col2im +=" : " col2im ="), dx, wdx, 1e-6, 1e-6);
        }
    }
}

void permute_and_channel_sum_tests(emutest::Rng& rng, int N, int K, int P, const std::string& tag) {
    const std::string shape = " N" + std::to_string(N) + " K" + std::to_string(K) + " P" + std::to_string(P);
    const size_t total = (size_t)N * K * P;
    const F nchw = rng.uniform(total, -2, 2), cnhw = rng.uniform(total, -2, 2), bias = rng.uniform(K, -1, 1);
    F out(total, NaN), want(total);
    launch_for(nchw_to_cnhw, (long long)total, nchw.data(), out.data(), N, K, P);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            for (int p = 0; p < P; p++) want[((size_t)k * N + n) * P + p] = nchw[((size_t)n * K + k) * P + p];
    expect_bitwise(tag + " nchw_to_cnhw" + shape, out, want);
    for (int hasBias = 0; hasBias <= 1; hasBias++) {
        std::fill(out.begin(), out.end(), NaN);
        launch_for(cnhw_to_nchw, (long long)total, cnhw.data(), hasBias ? bias.data() : (const float*)nullptr,
                   out.data(), N, K, P, hasBias);
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
                for (int p = 0; p < P; p++) {
                    float v = cnhw[((size_t)k * N + n) * P + p];
                    want[((size_t)n * K + k) * P + p] = hasBias ? v + bias[k] : v;
                }
        expect_bitwise(tag + (hasBias ? " cnhw_to_nchw +bias" : " cnhw_to_nchw") + shape, out, want);
    }
    // channel_sum: one block per channel, power-of-two blocks below and above N·P.
    for (unsigned block : {32u, 256u})
        for (int acc = 0; acc <= 1; acc++) {
            const F db0 = acc ? rng.uniform(K, -1, 1) : F(K, NaN);
            F db = db0;
            D wdb(K, 0.0);
            for (int k = 0; k < K; k++) {
                if (acc) wdb[k] = db0[k];
                for (int n = 0; n < N; n++)
                    for (int p = 0; p < P; p++) wdb[k] += nchw[((size_t)n * K + k) * P + p];
            }
            emu_launch(channel_sum, dim3(K), dim3(block), block * 8, nchw.data(), db.data(), N, K, P, acc);
            expect_close(tag + " channel_sum block" + std::to_string(block) + (acc ? " +=" : " =") + shape, db, wdb,
                         1e-6, 1e-6);
        }
}

// c[m][n] = Σ_k a(m, k)·b(k, n) (+ beta·c) in double, rounded once: the GEMM CudaConvOps calls.
template <class A, class B>
void naive_gemm(int m, int n, int kk, A a, B b, float beta, float* c) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = beta != 0.0f ? (double)beta * c[(size_t)i * n + j] : 0.0;
            for (int t = 0; t < kk; t++) s += (double)a(i, t) * b(t, j);
            c[(size_t)i * n + j] = (float)s;
        }
}

// The own-kernel conv2d of CudaConvOps (forward, backwardData, backwardFilter) with the GEMM done
// here, against the direct DeviceOps definitions.
void conv_composition_tests(emutest::Rng& rng, const ConvGeo& g, const std::string& tag) {
    const std::string what = tag + " conv2d " + g.str();
    const F x = rng.uniform(g.xSize(), -1, 1), w = rng.uniform(g.wSize(), -1, 1), bias = rng.uniform(g.K, -1, 1);
    const F dy = rng.uniform(g.ySize(), -1, 1);
    const int rows = g.rows(), P = g.P(), K = g.K;
    // Pool temporaries hold stale data: start them as NaN so a value read before it is written shows.
    F col(g.colSize(g.chunk), NaN), yt((size_t)K * g.chunk * P, NaN);

    // Forward: y[n][k][oh][ow] = Σ w[k][c][i][j]·x[n][c][h][w] (+ bias[k]).
    for (int hasBias = 0; hasBias <= 1; hasBias++) {
        D want(g.ySize(), 0.0);
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < K; k++)
                for (int p = 0; p < P; p++) want[((size_t)n * K + k) * P + p] = hasBias ? bias[k] : 0.0;
        for_each_conv_tap(g, [&](int n, int k, int c, int oh, int ow, int i, int j, int h, int ww) {
            want[yi(g, n, k, oh, ow)] += (double)w[wi(g, k, c, i, j)] * x[xi(g, n, c, h, ww)];
        });
        F y(g.ySize(), NaN);
        for (int n0 = 0; n0 < g.N; n0 += g.chunk) {
            const int nb = std::min(g.chunk, g.N - n0), cols = nb * P;
            launch_for(im2col, (long long)g.colSize(nb), x.data() + n0 * g.image(), col.data(), nb, g.C, g.H, g.W,
                       g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.OH(), g.OW());
            naive_gemm(K, cols, rows, [&](int k, int r) { return w[(size_t)k * rows + r]; },
                       [&](int r, int q) { return col[(size_t)r * cols + q]; }, 0.0f, yt.data());
            launch_for(cnhw_to_nchw, (long long)nb * K * P, yt.data(), hasBias ? bias.data() : (const float*)nullptr,
                       y.data() + (size_t)n0 * K * P, nb, K, P, hasBias);
        }
        expect_close(what + (hasBias ? " forward +bias" : " forward"), y, want, 1e-5, 1e-5);
    }

    // Backward data: dx[n][c][h][w] (= or +=) Σ dy[n][k][oh][ow]·w[k][c][i][j] over taps at (h, w).
    for (int acc = 0; acc <= 1; acc++) {
        const F dx0 = acc ? rng.uniform(g.xSize(), -1, 1) : F(g.xSize(), NaN);
        D want(g.xSize(), 0.0);
        for (size_t t = 0; acc && t < want.size(); t++) want[t] = dx0[t];
        for_each_conv_tap(g, [&](int n, int k, int c, int oh, int ow, int i, int j, int h, int ww) {
            want[xi(g, n, c, h, ww)] += (double)dy[yi(g, n, k, oh, ow)] * w[wi(g, k, c, i, j)];
        });
        F dx = dx0;
        for (int n0 = 0; n0 < g.N; n0 += g.chunk) {
            const int nb = std::min(g.chunk, g.N - n0), cols = nb * P;
            launch_for(nchw_to_cnhw, (long long)nb * K * P, dy.data() + (size_t)n0 * K * P, yt.data(), nb, K, P);
            naive_gemm(rows, cols, K, [&](int r, int k) { return w[(size_t)k * rows + r]; },
                       [&](int k, int q) { return yt[(size_t)k * cols + q]; }, 0.0f, col.data());
            launch_for(col2im, (long long)(nb * g.image()), col.data(), dx.data() + n0 * g.image(), nb, g.C, g.H, g.W,
                       g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.OH(), g.OW(), acc);
        }
        expect_close(what + (acc ? " backward data +=" : " backward data ="), dx, want, 1e-5, 1e-5);
    }

    // Backward filter: dw[k][c][i][j] (= or +=) Σ dy·x over batch and taps; db[k] (= or +=) Σ dy.
    for (int acc = 0; acc <= 1; acc++) {
        const F dw0 = acc ? rng.uniform(g.wSize(), -1, 1) : F(g.wSize(), NaN);
        const F db0 = acc ? rng.uniform(K, -1, 1) : F(K, NaN);
        D wantW(g.wSize(), 0.0), wantB(K, 0.0);
        for (size_t t = 0; acc && t < wantW.size(); t++) wantW[t] = dw0[t];
        for (int k = 0; acc && k < K; k++) wantB[k] = db0[k];
        for_each_conv_tap(g, [&](int n, int k, int c, int oh, int ow, int i, int j, int h, int ww) {
            wantW[wi(g, k, c, i, j)] += (double)dy[yi(g, n, k, oh, ow)] * x[xi(g, n, c, h, ww)];
        });
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < K; k++)
                for (int p = 0; p < P; p++) wantB[k] += dy[((size_t)n * K + k) * P + p];
        F dw = dw0, db = db0;
        for (int n0 = 0; n0 < g.N; n0 += g.chunk) {
            const int nb = std::min(g.chunk, g.N - n0), cols = nb * P;
            launch_for(im2col, (long long)g.colSize(nb), x.data() + n0 * g.image(), col.data(), nb, g.C, g.H, g.W,
                       g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.OH(), g.OW());
            launch_for(nchw_to_cnhw, (long long)nb * K * P, dy.data() + (size_t)n0 * K * P, yt.data(), nb, K, P);
            naive_gemm(K, rows, cols, [&](int k, int q) { return yt[(size_t)k * cols + q]; },
                       [&](int q, int r) { return col[(size_t)r * cols + q]; }, n0 == 0 && !acc ? 0.0f : 1.0f,
                       dw.data());
        }
        emu_launch(channel_sum, dim3(K), dim3(256), 256 * 8, dy.data(), db.data(), g.N, K, P, acc);
        expect_close(what + (acc ? " backward filter dw +=" : " backward filter dw ="), dw, wantW, 1e-5, 1e-5);
        expect_close(what + (acc ? " backward filter db +=" : " backward filter db ="), db, wantB, 1e-5, 1e-5);
    }
}

// Pool2dGeometry (2·pad <= kernel, so every window holds an input).
struct PoolGeo {
    int N, C, H, W, kh, kw, sh, sw, ph, pw;
    int OH() const { return (H + 2 * ph - kh) / sh + 1; }
    int OW() const { return (W + 2 * pw - kw) / sw + 1; }
    size_t in() const { return (size_t)N * C * H * W; }
    size_t out() const { return (size_t)N * C * OH() * OW(); }
    std::string str() const {
        char s[160];
        std::snprintf(s, sizeof s, "N%d C%d %dx%d k%dx%d s%dx%d p%dx%d", N, C, H, W, kh, kw, sh, sw, ph, pw);
        return s;
    }
};

// Calls f(o, xIndex) for the in-bounds positions of every window, row-major inside the window.
template <class Fn>
void for_each_window_input(const PoolGeo& g, Fn f) {
    for (int nc = 0; nc < g.N * g.C; nc++)
        for (int oh = 0; oh < g.OH(); oh++)
            for (int ow = 0; ow < g.OW(); ow++)
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++) {
                        int h = oh * g.sh - g.ph + i, w = ow * g.sw - g.pw + j;
                        if (h >= 0 && h < g.H && w >= 0 && w < g.W)
                            f(((size_t)nc * g.OH() + oh) * g.OW() + ow, ((size_t)nc * g.H + h) * g.W + w);
                    }
}

void pool_tests(emutest::Rng& rng, const PoolGeo& g, const char* data, const F& x, const std::string& tag) {
    const std::string what = tag + " " + g.str() + " " + data;
    const size_t in = g.in(), out = g.out();
    const float area = (float)(g.kh * g.kw);

    // Max: the largest in-bounds input (padding never wins); backward: dy to the window's first
    // position, row-major, whose input equals the maximum.
    F wy(out, 0.0f);
    std::vector<bool> seen(out, false);
    for_each_window_input(g, [&](size_t o, size_t t) {
        if (!seen[o] || x[t] > wy[o]) wy[o] = x[t], seen[o] = true;
    });
    F y(out, NaN);
    launch_for(maxpool_forward, (long long)out, x.data(), y.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph,
               g.pw, g.OH(), g.OW());
    expect_bitwise(what + " maxpool_forward", y, wy);

    D way(out, 0.0);
    for_each_window_input(g, [&](size_t o, size_t t) { way[o] += x[t]; });
    for (double& v : way) v /= area;
    F ay(out, NaN);
    launch_for(avgpool_forward, (long long)out, x.data(), ay.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph,
               g.pw, g.OH(), g.OW());
    expect_close(what + " avgpool_forward", ay, way, 1e-6, 1e-6);

    const F dy = rng.uniform(out, -1, 1);
    for (int acc = 0; acc <= 1; acc++) {
        const F dx0 = acc ? rng.uniform(in, -1, 1) : F(in, NaN);
        D wm(in, 0.0), wa(in, 0.0);
        for (size_t t = 0; acc && t < in; t++) wm[t] = wa[t] = dx0[t];
        std::vector<bool> routed(out, false);
        for_each_window_input(g, [&](size_t o, size_t t) {
            if (!routed[o] && x[t] == wy[o]) wm[t] += dy[o], routed[o] = true;
            wa[t] += (double)dy[o] / area;
        });
        F dxm = dx0, dxa = dx0;
        launch_for(maxpool_backward, (long long)in, x.data(), wy.data(), dy.data(), dxm.data(), g.N, g.C, g.H, g.W,
                   g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.OH(), g.OW(), acc);
        launch_for(avgpool_backward, (long long)in, dy.data(), dxa.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw,
                   g.ph, g.pw, g.OH(), g.OW(), acc);
        expect_close(what + (acc ? " maxpool_backward +=" : " maxpool_backward ="), dxm, wm, 1e-6, 1e-6);
        expect_close(what + (acc ? " avgpool_backward +=" : " avgpool_backward ="), dxa, wa, 1e-6, 1e-6);
    }
}

}  // namespace

int main() {
    emutest::Rng rng(13);
    const ConvGeo convs[] = {
        // N  C  H  W  K kh kw sh sw ph pw chunk
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},   // 1×1 everything
        {1, 3, 7, 5, 4, 3, 3, 2, 2, 1, 1, 1},   // batch 1, odd sizes, stride 2, padding
        {5, 2, 9, 8, 3, 3, 2, 1, 2, 1, 0, 2},   // 3×2 kernel, stride in w, padding in h; chunks 2+2+1
        {3, 2, 6, 7, 2, 1, 3, 2, 1, 0, 1, 3},   // 1×3 kernel, one chunk of the whole batch
        {2, 2, 4, 5, 3, 2, 2, 2, 2, 2, 2, 1},   // padding = kernel: border outputs see only padding
        {4, 3, 8, 8, 5, 3, 3, 1, 1, 1, 1, 3},   // "same" 3×3; chunks 3+1
    };
    const PoolGeo pools[] = {
        // N  C  H  W kh kw sh sw ph pw
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0},  // 1×1
        {1, 2, 7, 5, 3, 3, 2, 2, 1, 1},  // batch 1, odd sizes, stride 2, padding
        {2, 3, 9, 8, 3, 2, 2, 1, 1, 1},  // 3×2 window, padding = half the kernel width
        {2, 2, 6, 7, 2, 2, 2, 2, 0, 0},  // 2×2 stride 2, odd width drops the last column
        {3, 1, 5, 6, 5, 6, 1, 1, 2, 3},  // windows mostly padding
        {1, 2, 4, 5, 4, 5, 1, 1, 0, 0},  // global pooling (Pool2dGeometry.global)
        {2, 1, 7, 7, 3, 3, 3, 3, 1, 1},  // stride = kernel
    };
    for (bool small : {false, true}) {
        g_smallGrid = small;
        for (emu::Schedule s : {emu::Schedule::Concurrent, emu::Schedule::Ascending, emu::Schedule::Descending}) {
            emu::set_schedule(s);
            std::string tag = std::string("[") + emu::name(s) + (small ? " 3x64]" : " launchFor]");
            for (const ConvGeo& g : convs) {
                im2col_col2im_tests(rng, g, tag);
                conv_composition_tests(rng, g, tag);
            }
            permute_and_channel_sum_tests(rng, 1, 1, 1, tag);
            permute_and_channel_sum_tests(rng, 3, 5, 7, tag);
            permute_and_channel_sum_tests(rng, 2, 4, 300, tag);  // N·P above the 256-thread block
            for (const PoolGeo& g : pools) {
                // Small integers tie often, equal inputs tie everywhere (the first in-bounds position
                // of each window must win), negative inputs would lose to a zero from the padding.
                pool_tests(rng, g, "ints", rng.small_ints(g.in(), -3, 3), tag);
                pool_tests(rng, g, "equal", F(g.in(), 2.0f), tag);
                pool_tests(rng, g, "negative", rng.uniform(g.in(), -2, -1), tag);
            }
        }
    }
#ifdef JG_INDEX_64
    return emutest::finish("test_conv (64-bit index path)");
#else
    return emutest::finish("test_conv (32-bit index path)");
#endif
}
