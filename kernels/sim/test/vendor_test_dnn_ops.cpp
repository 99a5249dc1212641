// cuDNN pooling (hand cases incl. NaN and ties, average include/exclude padding, adjoint of
// average, max routing), batch norm (direct formulas, running statistics, finite-difference
// gradients, documented statuses), cudnnAddTensor, cudnnConvolutionBackwardBias, descriptors.
#include "vendor_test_cudnn.h"

#include <cmath>
#include <limits>

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();

cudnnPoolingDescriptor_t pooling(cudnnPoolingMode_t mode, cudnnNanPropagation_t nan, int win, int pad, int stride) {
    cudnnPoolingDescriptor_t p;
    cudnnCreatePoolingDescriptor(&p);
    cudnnSetPooling2dDescriptor(p, mode, nan, win, win, pad, pad, stride, stride);
    return p;
}

bool same(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    }
    return true;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); i++) s += (double)a[i] * b[i];
    return s;
}

void test_pooling(cudnnHandle_t h) {
    // Hand case, 2x2 windows, stride 2: a tie (window 2) and a NaN (window 3).
    std::vector<float> xv{1, 5, 2, 2, 3, 4, 2, 2, NaN, 0, 7, 8, 1, 1, 9, 6};
    auto xd = tensor4(1, 1, 4, 4), yd = tensor4(1, 1, 2, 2);
    DevBuf x(xv), y(4, NaN), dy(std::vector<float>{1, 2, 3, 4}), dx(16, NaN);
    for (auto nan : {CUDNN_NOT_PROPAGATE_NAN, CUDNN_PROPAGATE_NAN}) {
        auto p = pooling(CUDNN_POOLING_MAX_DETERMINISTIC, nan, 2, 0, 2);
        CHECK(cudnnPoolingForward(h, p, &kOne, xd, x.ptr(), &kZero, yd, y.ptr()) == 0, "max forward");
        std::vector<float> want{5, 2, nan == CUDNN_PROPAGATE_NAN ? NaN : 1.0f, 9};
        CHECK(same(y.get(), want), "max forward nan option %d", nan);
        CHECK(cudnnPoolingBackward(h, p, &kOne, yd, y.ptr(), yd, dy.ptr(), xd, x.ptr(), &kZero, xd, dx.ptr()) == 0,
              "max backward");
        std::vector<float> g(16, 0.0f);
        g[1] = 1;  // 5
        g[2] = 2;  // first of the tied 2s
        g[nan == CUDNN_PROPAGATE_NAN ? 8 : 12] = 3;  // the NaN itself, or the first 1 after it
        g[14] = 4;  // 9
        CHECK(same(dx.get(), g), "max backward routes dy to the winner (nan option %d)", nan);
        cudnnDestroyPoolingDescriptor(p);
    }
    // Average with padding: 3x3 ones, 2x2 windows, pad 1, stride 2 -> 2x2 output.
    auto x3 = tensor4(1, 1, 3, 3), y2 = tensor4(1, 1, 2, 2);
    DevBuf ones(9, 1.0f), out(4, NaN);
    int n, c, oh, ow;
    auto inc = pooling(CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, CUDNN_NOT_PROPAGATE_NAN, 2, 1, 2);
    auto exc = pooling(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, CUDNN_NOT_PROPAGATE_NAN, 2, 1, 2);
    CHECK(cudnnGetPooling2dForwardOutputDim(inc, x3, &n, &c, &oh, &ow) == 0 && n == 1 && c == 1 && oh == 2 && ow == 2,
          "pool output dims %d %d %d %d", n, c, oh, ow);
    cudnnPoolingForward(h, inc, &kOne, x3, ones.ptr(), &kZero, y2, out.ptr());
    CHECK(same(out.get(), {0.25f, 0.5f, 0.5f, 1.0f}), "average including padding");
    cudnnPoolingForward(h, exc, &kOne, x3, ones.ptr(), &kZero, y2, out.ptr());
    CHECK(same(out.get(), {1, 1, 1, 1}), "average excluding padding");
    CHECK(cudnnPoolingForward(h, inc, &kOne, x3, ones.ptr(), &kZero, tensor4(1, 1, 3, 2), out.ptr()) ==
              CUDNN_STATUS_BAD_PARAM, "y dims not the pooling output");
    // Average is linear: <pool(x), dy> == <x, poolBackward(dy)>; overlapping 3x3 windows, stride 2, pad 1.
    for (auto mode : {CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING}) {
        auto p = pooling(mode, CUDNN_NOT_PROPAGATE_NAN, 3, 1, 2);
        auto xd2 = tensor4(2, 3, 7, 6);
        cudnnGetPooling2dForwardOutputDim(p, xd2, &n, &c, &oh, &ow);
        auto yd2 = tensor4(n, c, oh, ow);
        auto xr = randv(2 * 3 * 7 * 6, 5), dr = randv((size_t)n * c * oh * ow, 6);
        DevBuf bx(xr), by((size_t)n * c * oh * ow, NaN), bdy(dr), bdx(xr.size(), NaN);
        CHECK(cudnnPoolingForward(h, p, &kOne, xd2, bx.ptr(), &kZero, yd2, by.ptr()) == 0 &&
                  cudnnPoolingBackward(h, p, &kOne, yd2, nullptr, yd2, bdy.ptr(), xd2, nullptr, &kZero, xd2,
                                       bdx.ptr()) == 0, "average pooling runs (x, y not needed backward)");
        double a = dot(by.get(), dr), b = dot(xr, bdx.get());
        CHECK(close(a, b, 1e-5), "average pooling adjoint mode %d: %.9g vs %.9g", mode, a, b);
        // alpha 2, beta 1 accumulates onto dx
        auto before = bdx.get();
        float two = 2.0f;
        cudnnPoolingBackward(h, p, &two, yd2, nullptr, yd2, bdy.ptr(), xd2, nullptr, &kOne, xd2, bdx.ptr());
        std::vector<double> want(before.begin(), before.end());
        for (auto& v : want) v *= 3;
        CHECK(close_all("pool backward blend", bdx.get(), want, 1e-6), "alpha 2 beta 1");
        cudnnDestroyPoolingDescriptor(p);
    }
}

struct Bn {
    int N, C, H, W;
    size_t size() const { return (size_t)N * C * H * W; }
    size_t at(int n, int c, int h, int w) const { return (((size_t)n * C + c) * H + h) * W + w; }
};

void test_batchnorm(cudnnHandle_t h) {
    Bn g{3, 2, 2, 3};
    auto xd = tensor4(g.N, g.C, g.H, g.W), bd = tensor4(1, g.C, 1, 1);
    auto xv = randv(g.size(), 31, -2, 3), gamma = randv(g.C, 32, 0.5f, 1.5f), beta = randv(g.C, 33);
    std::vector<float> rm0{0.1f, -0.2f}, rv0{0.9f, 1.3f};
    DevBuf x(xv), y(g.size(), NaN), sc(gamma), bi(beta), rm(rm0), rv(rv0), sm(g.C, NaN), si(g.C, NaN);
    double eps = 1e-3, factor = 0.25;
    auto train = [&](const DevBuf& in, double e, void* runMean, void* runVar) {
        return cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xd, in.ptr(), xd,
                                                      y.ptr(), bd, sc.ptr(), bi.ptr(), factor, runMean, runVar, e,
                                                      sm.ptr(), si.ptr());
    };
    CHECK(train(x, eps, rm.ptr(), rv.ptr()) == 0, "batch norm forward training");
    // Direct formulas.
    std::vector<double> wy(g.size()), wrm(g.C), wrv(g.C), wsm(g.C), wsi(g.C);
    double M = (double)g.N * g.H * g.W;
    for (int c = 0; c < g.C; c++) {
        double s = 0, q = 0;
        for (int n = 0; n < g.N; n++)
            for (int i = 0; i < g.H * g.W; i++) s += xv[g.at(n, c, 0, 0) + i];
        double mean = s / M;
        for (int n = 0; n < g.N; n++)
            for (int i = 0; i < g.H * g.W; i++) q += std::pow(xv[g.at(n, c, 0, 0) + i] - mean, 2);
        double var = q / M, inv = 1 / std::sqrt(var + eps);
        for (int n = 0; n < g.N; n++)
            for (int i = 0; i < g.H * g.W; i++) {
                size_t k = g.at(n, c, 0, 0) + i;
                wy[k] = gamma[c] * (xv[k] - mean) * inv + beta[c];
            }
        wrm[c] = (1 - factor) * rm0[c] + factor * mean;
        wrv[c] = (1 - factor) * rv0[c] + factor * var * M / (M - 1);  // unbiased running variance
        wsm[c] = mean;
        wsi[c] = inv;
    }
    CHECK(close_all("bn y", y.get(), wy, 1e-5), "batch norm y (beta 0 over NaN)");
    CHECK(close_all("bn running mean", rm.get(), wrm, 1e-6), "running mean");
    CHECK(close_all("bn running var", rv.get(), wrv, 1e-6), "running variance, unbiased");
    CHECK(close_all("bn saved mean", sm.get(), wsm, 1e-6), "saved mean");
    CHECK(close_all("bn saved inv std", si.get(), wsi, 1e-5), "saved inverse std");

    // Backward: direct formula and finite differences of L = sum r * y.
    auto r = randv(g.size(), 34);
    DevBuf dy(r), dx(g.size(), NaN), dsc(g.C, NaN), dbi(g.C, NaN);
    auto backward = [&](const void* mean, const void* inv, const void* betaData) {
        return cudnnBatchNormalizationBackward(h, CUDNN_BATCHNORM_SPATIAL, &kOne, betaData, &kOne, &kZero, xd, x.ptr(),
                                               xd, dy.ptr(), xd, dx.ptr(), bd, sc.ptr(), dsc.ptr(), dbi.ptr(), eps,
                                               mean, inv);
    };
    CHECK(backward(sm.ptr(), si.ptr(), &kZero) == 0, "batch norm backward");
    auto gx = dx.get(), gs = dsc.get(), gb = dbi.get();
    std::vector<double> wdx(g.size()), wds(g.C), wdb(g.C);
    for (int c = 0; c < g.C; c++) {
        double sdy = 0, sdyx = 0;
        for (int n = 0; n < g.N; n++)
            for (int i = 0; i < g.H * g.W; i++) {
                size_t k = g.at(n, c, 0, 0) + i;
                sdy += r[k];
                sdyx += r[k] * (xv[k] - wsm[c]) * wsi[c];
            }
        wds[c] = sdyx;
        wdb[c] = sdy;
        for (int n = 0; n < g.N; n++)
            for (int i = 0; i < g.H * g.W; i++) {
                size_t k = g.at(n, c, 0, 0) + i;
                double xh = (xv[k] - wsm[c]) * wsi[c];
                wdx[k] = gamma[c] * wsi[c] / M * (M * r[k] - sdy - xh * sdyx);
            }
    }
    CHECK(close_all("bn dx", gx, wdx, 1e-5) && close_all("bn dscale", gs, wds, 1e-5) &&
              close_all("bn dbias", gb, wdb, 1e-5), "batch norm backward, direct formula");
    auto loss = [&](const std::vector<float>& xs, const std::vector<float>& gam, const std::vector<float>& bet) {
        DevBuf bx(xs);
        sc.set(gam);
        bi.set(bet);
        train(bx, eps, nullptr, nullptr);
        sc.set(gamma);
        bi.set(beta);
        return dot(y.get(), r);
    };
    const double step = 1e-2;
    bool fd = true;
    for (size_t k = 0; k < g.size(); k++) {
        auto p = xv, m = xv;
        p[k] += step;
        m[k] -= step;
        double num = (loss(p, gamma, beta) - loss(m, gamma, beta)) / (2 * step);
        if (!close(num, gx[k], 3e-3)) {
            std::fprintf(stderr, "  dL/dx[%zu]: finite difference %.6g, backward %.6g\n", k, num, gx[k]);
            fd = false;
        }
    }
    for (int c = 0; c < g.C; c++) {
        auto gp = gamma, gm = gamma, bp = beta, bm = beta;
        gp[c] += step;
        gm[c] -= step;
        bp[c] += step;
        bm[c] -= step;
        fd = fd && close((loss(xv, gp, beta) - loss(xv, gm, beta)) / (2 * step), gs[c], 3e-3);
        fd = fd && close((loss(xv, gamma, bp) - loss(xv, gamma, bm)) / (2 * step), gb[c], 3e-3);
    }
    CHECK(fd, "batch norm gradients match finite differences");
    train(x, eps, nullptr, nullptr);  // restore the saved statistics of x
    dx.set(std::vector<float>(g.size(), NaN));
    CHECK(backward(nullptr, nullptr, &kZero) == 0 && close_all("bn dx recomputed", dx.get(), wdx, 1e-5),
          "backward without saved statistics recomputes them");

    // Documented statuses.
    CHECK(train(x, -1e-6, nullptr, nullptr) == CUDNN_STATUS_BAD_PARAM, "epsilon below CUDNN_BN_MIN_EPSILON (0)");
    CHECK(train(x, 0.0, nullptr, nullptr) == 0, "epsilon 0 is allowed since cuDNN 8");
    CHECK(train(x, eps, rm.ptr(), nullptr) == CUDNN_STATUS_BAD_PARAM, "running mean without variance");
    CHECK(backward(sm.ptr(), nullptr, &kZero) == CUDNN_STATUS_BAD_PARAM, "saved mean without inverse variance");
    CHECK(cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xd, x.ptr(), xd, y.ptr(),
                                                 tensor4(1, g.C, g.H, g.W), sc.ptr(), bi.ptr(), 0.1, nullptr, nullptr,
                                                 eps, nullptr, nullptr) == CUDNN_STATUS_BAD_PARAM,
          "spatial mode with a 1xCxHxW scale descriptor");

    // Per activation: statistics over N only; inference with given statistics.
    auto pd = tensor4(1, g.C, g.H, g.W);
    size_t per = (size_t)g.C * g.H * g.W;
    DevBuf ps(per, 1.0f), pb(per, 0.0f), pm(per, NaN), pi(per, NaN);
    CHECK(cudnnBatchNormalizationForwardTraining(h, CUDNN_BATCHNORM_PER_ACTIVATION, &kOne, &kZero, xd, x.ptr(), xd,
                                                 y.ptr(), pd, ps.ptr(), pb.ptr(), 0.1, nullptr, nullptr, eps, pm.ptr(),
                                                 pi.ptr()) == 0, "per-activation forward");
    std::vector<double> mean(per);
    for (size_t i = 0; i < per; i++) {
        for (int n = 0; n < g.N; n++) mean[i] += xv[n * per + i] / g.N;
    }
    CHECK(close_all("per-activation mean", pm.get(), mean, 1e-6), "per-activation mean over N");
    DevBuf em(std::vector<float>{0.5f, -1.0f}), ev(std::vector<float>{4.0f, 0.25f});
    CHECK(cudnnBatchNormalizationForwardInference(h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xd, x.ptr(), xd, y.ptr(),
                                                  bd, sc.ptr(), bi.ptr(), em.ptr(), ev.ptr(), eps) == 0, "inference");
    std::vector<double> wi(g.size());
    for (size_t k = 0; k < g.size(); k++) {
        int c = (int)(k / (g.H * g.W)) % g.C;
        double m2 = c == 0 ? 0.5 : -1.0, v2 = c == 0 ? 4.0 : 0.25;
        wi[k] = gamma[c] * (xv[k] - m2) / std::sqrt(v2 + eps) + beta[c];
    }
    CHECK(close_all("bn inference", y.get(), wi, 1e-5), "inference formula");
}

void test_tensors(cudnnHandle_t h) {
    // AddTensor broadcasting a 1xCx1x1 bias into a strided (padded) C: the padding stays untouched.
    auto ad = tensor4(1, 3, 1, 1);
    cudnnTensorDescriptor_t cd;
    cudnnCreateTensorDescriptor(&cd);
    CHECK(cudnnSetTensor4dDescriptorEx(cd, CUDNN_DATA_FLOAT, 2, 3, 2, 2, 16, 5, 2, 1) == 0, "strided descriptor");
    cudnnDataType_t t;
    int d[8];
    CHECK(cudnnGetTensor4dDescriptor(cd, &t, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7]) == 0 &&
              d[0] == 2 && d[1] == 3 && d[4] == 16 && d[5] == 5 && t == CUDNN_DATA_FLOAT, "descriptor round trip");
    std::vector<float> cv(30, -7.0f);  // extent: 1 + (2-1)*16 + (3-1)*5 + (2-1)*2 + (2-1)*1 = 30
    DevBuf a(std::vector<float>{1, 2, 3}), c(cv);
    float half = 0.5f;
    CHECK(cudnnAddTensor(h, &kOne, ad, a.ptr(), &half, cd, c.ptr()) == 0, "add tensor");
    auto got = c.get();
    std::vector<float> want(30, -7.0f);
    for (int n = 0; n < 2; n++)
        for (int ch = 0; ch < 3; ch++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) want[n * 16 + ch * 5 + i * 2 + j] = (ch + 1) - 3.5f;
    CHECK(got == want, "bias broadcast into a strided tensor, padding untouched");
    CHECK(cudnnAddTensor(h, &kOne, tensor4(1, 2, 1, 1), a.ptr(), &kOne, cd, c.ptr()) == CUDNN_STATUS_BAD_PARAM,
          "A dim neither C's nor 1");
    // Bias gradient.
    auto dyd = tensor4(2, 3, 2, 2);
    auto dyv = randv(24, 41);
    DevBuf dy(dyv), db(3, NaN);
    CHECK(cudnnConvolutionBackwardBias(h, &kOne, dyd, dy.ptr(), &kZero, ad, db.ptr()) == 0, "backward bias");
    std::vector<double> sums(3, 0.0);
    for (int i = 0; i < 24; i++) sums[(i / 4) % 3] += dyv[i];
    CHECK(close_all("db", db.get(), sums, 1e-6), "bias gradient sums over n, h, w");
    CHECK(cudnnSetTensor4dDescriptor(cd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, -1, 1, 1, 1) == CUDNN_STATUS_BAD_PARAM,
          "negative dimension");
    CHECK(cudnnDestroyTensorDescriptor(cd) == 0 && cudnnDestroyTensorDescriptor(cd) == CUDNN_STATUS_BAD_PARAM,
          "destroy twice");
}

// Tensors and filters share the packed 4-d checks and the byte size.
void test_4d_descriptors() {
    cudnnTensorDescriptor_t t;
    cudnnFilterDescriptor_t f;
    cudnnCreateTensorDescriptor(&t);
    cudnnCreateFilterDescriptor(&f);
    size_t bytes = 0;
    CHECK(cudnnGetFilterSizeInBytes(f, &bytes) == CUDNN_STATUS_BAD_PARAM, "size of an unset filter");
    for (auto format : {CUDNN_TENSOR_NCHW_VECT_C, (cudnnTensorFormat_t)9}) {
        cudnnStatus_t want = format == CUDNN_TENSOR_NCHW_VECT_C ? CUDNN_STATUS_NOT_SUPPORTED : CUDNN_STATUS_BAD_PARAM;
        CHECK(cudnnSetTensor4dDescriptor(t, format, CUDNN_DATA_FLOAT, 2, 3, 4, 5) == want, "tensor format %d", (int)format);
        CHECK(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, format, 2, 3, 4, 5) == want, "filter format %d", (int)format);
    }
    CHECK(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 2, -3, 4, 5) == CUDNN_STATUS_BAD_PARAM,
          "negative filter dimension");
    CHECK(cudnnSetFilter4dDescriptor(f, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, 2, 3, 4, 5) == 0, "NHWC filter");
    CHECK(cudnnGetFilterSizeInBytes(f, &bytes) == 0 && bytes == 480, "filter bytes %zu", bytes);
    CHECK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 2, 3, 4, 5) == 0, "NCHW tensor");
    bytes = 0;
    CHECK(cudnnGetTensorSizeInBytes(t, &bytes) == 0 && bytes == 480, "tensor bytes %zu", bytes);
    CHECK(cudnnGetTensorSizeInBytes(t, nullptr) == CUDNN_STATUS_BAD_PARAM, "size into NULL");
    CHECK(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_HALF, 2, 3, 4, 5) == 0, "half tensor");
    CHECK(cudnnGetTensorSizeInBytes(t, &bytes) == CUDNN_STATUS_NOT_SUPPORTED, "size of a half tensor");
    cudnnDestroyFilterDescriptor(f);
    cudnnDestroyTensorDescriptor(t);
}

}  // namespace

void test_cudnn_other() {
    cudnnHandle_t h;
    cudnnCreate(&h);
    test_pooling(h);
    test_batchnorm(h);
    test_tensors(h);
    test_4d_descriptors();
    cudnnDestroy(h);
}
