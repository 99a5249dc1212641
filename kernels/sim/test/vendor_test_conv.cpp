// cuDNN convolution: a hand-computed case, forward against an explicitly zero-padded naive loop
// (groups, stride, dilation, both modes), backward data and filter through the adjoint identities
// <conv(x, w), dy> = <x, bwdData(w, dy)> = <w, bwdFilter(x, dy)> in double, alpha/beta blending,
// the algorithm list and workspace sizes, documented statuses.
#include "vendor_test_cudnn.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace {

struct Conv {
    int n, c, h, w, k, r, s, ph, pw, u, v, dh, dw, groups;
    cudnnConvolutionMode_t mode;
    int oh() const { return 1 + (h + 2 * ph - ((r - 1) * dh + 1)) / u; }
    int ow() const { return 1 + (w + 2 * pw - ((s - 1) * dw + 1)) / v; }
    size_t xs() const { return (size_t)n * c * h * w; }
    size_t ws() const { return (size_t)k * (c / groups) * r * s; }
    size_t ys() const { return (size_t)n * k * oh() * ow(); }
};

struct Descs {
    cudnnTensorDescriptor_t x, y;
    cudnnFilterDescriptor_t w;
    cudnnConvolutionDescriptor_t conv;
};

Descs descs(const Conv& g, cudnnMathType_t math) {
    Descs d;
    d.x = tensor4(g.n, g.c, g.h, g.w);
    d.y = tensor4(g.n, g.k, g.oh(), g.ow());
    cudnnCreateFilterDescriptor(&d.w);
    cudnnSetFilter4dDescriptor(d.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.k, g.c / g.groups, g.r, g.s);
    cudnnCreateConvolutionDescriptor(&d.conv);
    cudnnSetConvolution2dDescriptor(d.conv, g.ph, g.pw, g.u, g.v, g.dh, g.dw, g.mode, CUDNN_DATA_FLOAT);
    cudnnSetConvolutionGroupCount(d.conv, g.groups);
    cudnnSetConvolutionMathType(d.conv, math);
    return d;
}

float tf32(float x) {
    if (!std::isfinite(x) || x == 0.0f) return x;
    int e;
    double m = std::frexp((double)x, &e);
    return (float)std::ldexp(std::nearbyint(m * 2048.0) / 2048.0, e);
}

// Naive forward over an explicitly zero-padded copy of x.
std::vector<double> reference(const Conv& g, std::vector<float> x, std::vector<float> w, bool round) {
    if (round) {
        for (auto& v : x) v = tf32(v);
        for (auto& v : w) v = tf32(v);
    }
    int HP = g.h + 2 * g.ph, WP = g.w + 2 * g.pw, cg = g.c / g.groups, kg = g.k / g.groups;
    std::vector<double> xp((size_t)g.n * g.c * HP * WP, 0.0);
    for (int n = 0; n < g.n; n++)
        for (int c = 0; c < g.c; c++)
            for (int i = 0; i < g.h; i++)
                for (int j = 0; j < g.w; j++)
                    xp[((size_t)(n * g.c + c) * HP + i + g.ph) * WP + j + g.pw] = x[((size_t)(n * g.c + c) * g.h + i) * g.w + j];
    std::vector<double> y(g.ys(), 0.0);
    for (int n = 0; n < g.n; n++)
        for (int k = 0; k < g.k; k++)
            for (int p = 0; p < g.oh(); p++)
                for (int q = 0; q < g.ow(); q++) {
                    double sum = 0;
                    for (int cc = 0; cc < cg; cc++)
                        for (int a = 0; a < g.r; a++)
                            for (int b = 0; b < g.s; b++) {
                                int fa = g.mode == CUDNN_CONVOLUTION ? g.r - 1 - a : a;
                                int fb = g.mode == CUDNN_CONVOLUTION ? g.s - 1 - b : b;
                                int c = (k / kg) * cg + cc;
                                sum += xp[((size_t)(n * g.c + c) * HP + p * g.u + a * g.dh) * WP + q * g.v + b * g.dw] *
                                       w[(((size_t)k * cg + cc) * g.r + fa) * g.s + fb];
                            }
                    y[((size_t)(n * g.k + k) * g.oh() + p) * g.ow() + q] = sum;
                }
    return y;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); i++) s += (double)a[i] * b[i];
    return s;
}

size_t fwd_ws(cudnnHandle_t h, const Descs& d, int algo) {
    size_t s = 0;
    cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, (cudnnConvolutionFwdAlgo_t)algo, &s);
    return s;
}

void check_case(cudnnHandle_t h, const Conv& g, uint32_t seed) {
    Descs d = descs(g, CUDNN_FMA_MATH);
    int n, c, oh, ow;
    CHECK(cudnnGetConvolution2dForwardOutputDim(d.conv, d.x, d.w, &n, &c, &oh, &ow) == 0 && n == g.n && c == g.k &&
              oh == g.oh() && ow == g.ow(), "output dim %d %d %d %d", n, c, oh, ow);
    auto x = randv(g.xs(), seed), w = randv(g.ws(), seed + 1), dy = randv(g.ys(), seed + 2);
    auto y0 = randv(g.ys(), seed + 3);
    DevBuf dx_(x), dw_(w), ddy(dy), dyv(y0);
    uint64_t ws = dev_alloc(1 << 20);
    // forward with every supported algorithm: alpha 2, beta 0.5 over y0
    auto want = reference(g, x, w, false);
    for (auto& v : want) v *= 2.0;
    for (size_t i = 0; i < want.size(); i++) want[i] += 0.5 * y0[i];
    float two = 2.0f, half = 0.5f;
    for (int algo : {0, 1, 2}) {
        dyv.set(y0);
        cudnnStatus_t st = cudnnConvolutionForward(h, &two, d.x, dx_.ptr(), d.w, dw_.ptr(), d.conv,
                                                   (cudnnConvolutionFwdAlgo_t)algo, (void*)ws, fwd_ws(h, d, algo),
                                                   &half, d.y, dyv.ptr());
        CHECK(st == 0 && close_all("forward", dyv.get(), want, 1e-5), "forward algo %d status %d", algo, st);
    }
    // adjoints, beta 0 over NaN outputs
    float nan = std::numeric_limits<float>::quiet_NaN();
    DevBuf y(g.ys(), nan), gx(g.xs(), nan), gw(g.ws(), nan);
    CHECK(cudnnConvolutionForward(h, &kOne, d.x, dx_.ptr(), d.w, dw_.ptr(), d.conv,
                                  CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &kZero, d.y, y.ptr()) == 0,
          "forward without workspace");
    size_t s1 = 0, s2 = 0;
    cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.conv, d.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, &s1);
    cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, &s2);
    CHECK(cudnnConvolutionBackwardData(h, &kOne, d.w, dw_.ptr(), d.y, ddy.ptr(), d.conv,
                                       CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, (void*)ws, s1, &kZero, d.x, gx.ptr()) == 0,
          "backward data");
    CHECK(cudnnConvolutionBackwardFilter(h, &kOne, d.x, dx_.ptr(), d.y, ddy.ptr(), d.conv,
                                         CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, (void*)ws, s2, &kZero, d.w,
                                         gw.ptr()) == 0, "backward filter");
    double lhs = dot(y.get(), dy), viaX = dot(x, gx.get()), viaW = dot(w, gw.get());
    CHECK(close(viaX, lhs, 1e-5), "<conv(x), dy> %.9g vs <x, bwdData(dy)> %.9g", lhs, viaX);
    CHECK(close(viaW, lhs, 1e-5), "<conv(x), dy> %.9g vs <w, bwdFilter(x, dy)> %.9g", lhs, viaW);
    // the other backward algorithms agree exactly, and beta accumulates
    auto gx1 = gx.get(), gw1 = gw.get();
    CHECK(cudnnConvolutionBackwardData(h, &kOne, d.w, dw_.ptr(), d.y, ddy.ptr(), d.conv,
                                       CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, nullptr, 0, &kOne, d.x, gx.ptr()) == 0,
          "backward data ALGO_0 accumulate");
    std::vector<double> twice(gx1.begin(), gx1.end());
    for (auto& v : twice) v *= 2;
    CHECK(close_all("dx accumulated", gx.get(), twice, 1e-6), "beta 1 accumulates dx");
    for (int algo : {0, 3}) {
        size_t s = 0;
        cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w, (cudnnConvolutionBwdFilterAlgo_t)algo, &s);
        gw.set(std::vector<float>(g.ws(), nan));
        CHECK(cudnnConvolutionBackwardFilter(h, &kOne, d.x, dx_.ptr(), d.y, ddy.ptr(), d.conv,
                                             (cudnnConvolutionBwdFilterAlgo_t)algo, (void*)ws, s, &kZero, d.w,
                                             gw.ptr()) == 0 && gw.get() == gw1, "backward filter algo %d", algo);
    }
    dev_free(ws);
}

bool short_workspace() {
    cudnnHandle_t h;
    cudnnCreate(&h);
    Conv g{1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    Descs d = descs(g, CUDNN_FMA_MATH);
    DevBuf x(g.xs(), 1.0f), w(g.ws(), 1.0f), y(g.ys(), 0.0f);
    size_t need = fwd_ws(h, d, CUDNN_CONVOLUTION_FWD_ALGO_GEMM);
    uint64_t ws = dev_alloc(need / 2);  // claims `need` bytes, holds half
    cudnnStatus_t st = cudnnConvolutionForward(h, &kOne, d.x, x.ptr(), d.w, w.ptr(), d.conv,
                                               CUDNN_CONVOLUTION_FWD_ALGO_GEMM, (void*)ws, need, &kZero, d.y, y.ptr());
    std::string msg = last_sim_error();
    bool ok = st == CUDNN_STATUS_EXECUTION_FAILED && msg.find("cudnnConvolutionForward") != std::string::npos &&
              msg.find("workSpace") != std::string::npos;
    if (!ok) std::fprintf(stderr, "  status %d, message '%s'\n", st, msg.c_str());
    return ok;
}

}  // namespace

void test_cudnn_conv() {
    CHECK(cudnnGetVersion() == 90600, "cudnnGetVersion %zu", cudnnGetVersion());
    CHECK(std::strcmp(cudnnGetErrorString(CUDNN_STATUS_BAD_PARAM), "CUDNN_STATUS_BAD_PARAM") == 0, "error string");
    cudnnHandle_t h;
    CHECK(cudnnCreate(&h) == 0, "cudnnCreate");
    CHECK(cudnnSetStream(h, nullptr) == 0, "cudnnSetStream");

    // Hand case: x = 1..9 (3x3), w = [[1, 0], [0, -1]]: cross-correlation gives x[p][q] - x[p+1][q+1] = -4,
    // convolution flips w and gives +4.
    for (auto mode : {CUDNN_CROSS_CORRELATION, CUDNN_CONVOLUTION}) {
        Conv g{1, 1, 3, 3, 1, 2, 2, 0, 0, 1, 1, 1, 1, 1, mode};
        Descs d = descs(g, CUDNN_FMA_MATH);
        DevBuf x(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}), w(std::vector<float>{1, 0, 0, -1}), y(4, 0.0f);
        cudnnConvolutionForward(h, &kOne, d.x, x.ptr(), d.w, w.ptr(), d.conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                nullptr, 0, &kZero, d.y, y.ptr());
        float v = mode == CUDNN_CONVOLUTION ? 4.0f : -4.0f;
        CHECK(y.get() == std::vector<float>(4, v), "hand case mode %d", mode);
    }

    check_case(h, Conv{2, 4, 7, 6, 6, 3, 2, 1, 0, 2, 1, 1, 2, 2, CUDNN_CROSS_CORRELATION}, 1);
    check_case(h, Conv{1, 3, 5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CONVOLUTION}, 11);
    check_case(h, Conv{3, 2, 9, 9, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1, CUDNN_CROSS_CORRELATION}, 21);

    // The algorithm lists.
    Conv g{2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION};
    Descs d = descs(g, CUDNN_FMA_MATH);
    int mf = 0, md = 0, mw = 0, got = 0;
    cudnnGetConvolutionForwardAlgorithmMaxCount(h, &mf);
    cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &md);
    cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &mw);
    CHECK(mf == 8 && md == 6 && mw == 7, "max counts %d %d %d", mf, md, mw);
    cudnnConvolutionFwdAlgoPerf_t pf[8];
    CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, mf, &got, pf) == 0 && got == 8, "fwd v7");
    CHECK(pf[0].status == 0 && pf[0].determinism == CUDNN_DETERMINISTIC && pf[0].mathType == CUDNN_FMA_MATH &&
              pf[0].memory == fwd_ws(h, d, pf[0].algo) && pf[0].memory > 0, "first forward algo %d", pf[0].algo);
    int unsupported = 0;
    for (auto& p : pf) unsupported += p.status == CUDNN_STATUS_NOT_SUPPORTED;
    CHECK(unsupported == 5, "5 forward algorithms not simulated, got %d", unsupported);
    cudnnConvolutionBwdDataAlgoPerf_t pd[6];
    CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.y, d.conv, d.x, md, &got, pd) == 0 && got == 6 &&
              pd[0].status == 0 && pd[0].determinism == CUDNN_DETERMINISTIC, "bwd data v7");
    cudnnConvolutionBwdFilterAlgoPerf_t pw[7];
    CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.conv, d.w, 2, &got, pw) == 0 && got == 2 &&
              pw[0].status == 0 && pw[1].determinism == CUDNN_NON_DETERMINISTIC, "bwd filter v7, 2 requested");
    CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, 0, &got, pf) == CUDNN_STATUS_BAD_PARAM,
          "requestedAlgoCount 0");

    // Documented statuses.
    DevBuf x(g.xs(), 1.0f), w(g.ws(), 1.0f), y(g.ys(), 0.0f);
    uint64_t ws = dev_alloc(1 << 16);
    auto fwd = [&](Descs& dd, int algo, size_t bytes) {
        return cudnnConvolutionForward(h, &kOne, dd.x, x.ptr(), dd.w, w.ptr(), dd.conv, (cudnnConvolutionFwdAlgo_t)algo,
                                       (void*)ws, bytes, &kZero, dd.y, y.ptr());
    };
    size_t need = fwd_ws(h, d, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
    CHECK(fwd(d, 1, need) == 0, "exact workspace");
    CHECK(fwd(d, 1, need - 1) == CUDNN_STATUS_BAD_PARAM, "workspace one byte too small");
    CHECK(fwd(d, CUDNN_CONVOLUTION_FWD_ALGO_FFT, 1 << 16) == CUDNN_STATUS_NOT_SUPPORTED, "FFT not simulated");
    CHECK(fwd(d, 42, 1 << 16) == CUDNN_STATUS_BAD_PARAM, "algorithm 42");
    {
        size_t gemm = fwd_ws(h, d, CUDNN_CONVOLUTION_FWD_ALGO_GEMM);
        CHECK(gemm > 0 && gemm <= (1u << 16) && fwd(d, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, gemm) == 0, "GEMM forward");
        bool scratch = true;
        for (unsigned char b : dev_bytes(ws, gemm)) scratch = scratch && b == 0xff;
        CHECK(scratch, "the workspace is left holding scratch bytes (0xff)");
    }
    Descs bad = d;
    bad.y = tensor4(g.n, g.k, g.oh() + 1, g.ow());
    CHECK(fwd(bad, 0, 0) == CUDNN_STATUS_NOT_SUPPORTED, "y spatial size inconsistent with the convolution");
    bad.y = tensor4(g.n, g.k + 1, g.oh(), g.ow());
    CHECK(fwd(bad, 0, 0) == CUDNN_STATUS_BAD_PARAM, "y channels not the filter count");
    bad = d;
    cudnnCreateFilterDescriptor(&bad.w);
    cudnnSetFilter4dDescriptor(bad.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.k, g.c - 1, g.r, g.s);
    CHECK(fwd(bad, 0, 0) == CUDNN_STATUS_BAD_PARAM, "filter channels differ from x");
    int on, oc, ohh, oww;
    CHECK(cudnnGetConvolution2dForwardOutputDim(bad.conv, bad.x, bad.w, &on, &oc, &ohh, &oww) == CUDNN_STATUS_BAD_PARAM,
          "output dim of mismatched filter");
    cudnnDestroyFilterDescriptor(bad.w);
    CHECK(fwd(bad, 0, 0) == CUDNN_STATUS_BAD_PARAM, "destroyed filter descriptor");
    CHECK(cudnnConvolutionForward(nullptr, &kOne, d.x, x.ptr(), d.w, w.ptr(), d.conv,
                                  CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &kZero, d.y,
                                  y.ptr()) == CUDNN_STATUS_BAD_PARAM, "NULL handle");

    // DEFAULT math allows TF32 on sm_90: inputs rounded to 10 mantissa bits.
    {
        Descs t = descs(g, CUDNN_DEFAULT_MATH);
        auto xv = randv(g.xs(), 77), wv = randv(g.ws(), 78);
        DevBuf tx(xv), tw(wv), ty(g.ys(), 0.0f);
        CHECK(cudnnConvolutionForward(h, &kOne, t.x, tx.ptr(), t.w, tw.ptr(), t.conv,
                                      CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &kZero, t.y, ty.ptr()) == 0 &&
                  close_all("tf32 forward", ty.get(), reference(g, xv, wv, true), 1e-5),
              "TF32 forward under DEFAULT math");
    }
    dev_free(ws);
    CHECK(in_child(short_workspace), "a workspace allocation shorter than the reported size is caught and named");
    CHECK(cudnnDestroy(h) == 0 && cudnnDestroy(h) == CUDNN_STATUS_BAD_PARAM, "destroy, then destroy again");
}
