// cudnnConvolutionForward, cudnnConvolutionBackwardData, cudnnConvolutionBackwardFilter: plain
// nested loops from the definition in the cuDNN developer guide ("Convolution Formulas"):
//   y[n][k][p][q] = sum over c in k's group, r, s of
//       x[n][c][p*u - pad_h + r*dil_h][q*v - pad_w + s*dil_w] * w[k][c - group offset][r'][s']
// with r' = r, s' = s for CROSS_CORRELATION and r' = R-1-r, s' = S-1-s for CONVOLUTION; input
// positions outside x are the zero padding. Backward data and filter are the adjoints of that sum
// (each product scattered back to the x or w element it read). Results are blended as
// out = alpha * result + beta * out, with beta == 0 never reading out. Sums are accumulated in
// double; TF32 rounding of the inputs under non-FMA math types is explained in conv_algo.cpp.
// Each call checks the handle, descriptors (conv_shape), algorithm and workspace (conv_check_algo),
// resolves every buffer with its exact extent, computes, and then overwrites the workspace bytes it
// claimed with 0xff (NaN floats), as a real kernel leaves its scratch data there: a workspace
// overlapping an operand shows up.
#include "conv.h"

#include <cstring>
#include <vector>

namespace {

struct Scalars {
    float alpha, beta;
};

cudnnStatus_t common(const char* fn, cudnnHandle_t h, const void* alpha, const void* beta, const void* a,
                     const void* b, const void* out, Scalars* sc) {
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || a == nullptr || b == nullptr || out == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: alpha, beta or a data pointer is NULL", fn);
    }
    // cuDNN's scaling parameters are host pointers, float for float data.
    sc->alpha = *static_cast<const float*>(alpha);
    sc->beta = *static_cast<const float*>(beta);
    return CUDNN_STATUS_SUCCESS;
}

// Calls f(n, k, p, q, c, cc, r', s', ih, iw) for every product the forward sum contains.
template <typename F>
void each_product(const ConvShape& s, F f) {
    int kpg = s.k / s.groups;
    for (int n = 0; n < s.n; n++) {
        for (int k = 0; k < s.k; k++) {
            int c0 = (k / kpg) * s.cg;
            for (int p = 0; p < s.oh; p++) {
                for (int q = 0; q < s.ow; q++) {
                    for (int cc = 0; cc < s.cg; cc++) {
                        for (int r = 0; r < s.r; r++) {
                            int ih = p * s.stride[0] - s.pad[0] + r * s.dil[0];
                            if (ih < 0 || ih >= s.h) continue;
                            int rr = s.flip ? s.r - 1 - r : r;
                            for (int t = 0; t < s.s; t++) {
                                int iw = q * s.stride[1] - s.pad[1] + t * s.dil[1];
                                if (iw < 0 || iw >= s.w) continue;
                                int tt = s.flip ? s.s - 1 - t : t;
                                f(n, k, p, q, c0 + cc, cc, rr, tt, ih, iw);
                            }
                        }
                    }
                }
            }
        }
    }
}

inline float in(const ConvShape& s, float v) { return s.tf32 ? dnn_round_tf32(v) : v; }

void scribble(void* ws, size_t bytes) {
    if (ws != nullptr) std::memset(ws, 0xff, bytes);
}

}  // namespace

CUDNN_EXPORT cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha,
                                                   const cudnnTensorDescriptor_t xDesc, const void* x,
                                                   const cudnnFilterDescriptor_t wDesc, const void* w,
                                                   const cudnnConvolutionDescriptor_t convDesc,
                                                   cudnnConvolutionFwdAlgo_t algo, void* workSpace,
                                                   size_t workSpaceSizeInBytes, const void* beta,
                                                   const cudnnTensorDescriptor_t yDesc, void* y) {
    const char* fn = "cudnnConvolutionForward";
    jgsim_count(fn, 1);
    Scalars sc;
    cudnnStatus_t st = common(fn, handle, alpha, beta, x, w, y, &sc);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    ConvShape s;
    if ((st = conv_shape(fn, xDesc, wDesc, convDesc, yDesc, &s)) != CUDNN_STATUS_SUCCESS) return st;
    void* ws;
    size_t wsBytes;
    st = conv_check_algo(fn, ConvDir::Forward, algo, s, workSpace, workSpaceSizeInBytes, &ws, &wsBytes);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    View vx, vw, vy;
    if (!dnn_view(fn, "x", xDesc, x, &vx) || !dnn_view(fn, "w", wDesc, w, &vw) || !dnn_view(fn, "y", yDesc, y, &vy)) {
        return CUDNN_STATUS_EXECUTION_FAILED;
    }
    std::vector<double> acc(static_cast<size_t>(vy.count()), 0.0);
    auto yi = [&](int n, int k, int p, int q) { return ((static_cast<size_t>(n) * s.k + k) * s.oh + p) * s.ow + q; };
    each_product(s, [&](int n, int k, int p, int q, int c, int cc, int r, int t, int ih, int iw) {
        acc[yi(n, k, p, q)] += static_cast<double>(in(s, vx.at(n, c, ih, iw))) * in(s, vw.at(k, cc, r, t));
    });
    for (int n = 0; n < s.n; n++)
        for (int k = 0; k < s.k; k++)
            for (int p = 0; p < s.oh; p++)
                for (int q = 0; q < s.ow; q++) dnn_blend(vy.at(n, k, p, q), acc[yi(n, k, p, q)], sc.alpha, sc.beta);
    scribble(ws, wsBytes);
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void* alpha,
                                                        const cudnnFilterDescriptor_t wDesc, const void* w,
                                                        const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                        const cudnnConvolutionDescriptor_t convDesc,
                                                        cudnnConvolutionBwdDataAlgo_t algo, void* workSpace,
                                                        size_t workSpaceSizeInBytes, const void* beta,
                                                        const cudnnTensorDescriptor_t dxDesc, void* dx) {
    const char* fn = "cudnnConvolutionBackwardData";
    jgsim_count(fn, 1);
    Scalars sc;
    cudnnStatus_t st = common(fn, handle, alpha, beta, w, dy, dx, &sc);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    ConvShape s;
    if ((st = conv_shape(fn, dxDesc, wDesc, convDesc, dyDesc, &s)) != CUDNN_STATUS_SUCCESS) return st;
    void* ws;
    size_t wsBytes;
    st = conv_check_algo(fn, ConvDir::BackwardData, algo, s, workSpace, workSpaceSizeInBytes, &ws, &wsBytes);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    View vw, vdy, vdx;
    if (!dnn_view(fn, "w", wDesc, w, &vw) || !dnn_view(fn, "dy", dyDesc, dy, &vdy) ||
        !dnn_view(fn, "dx", dxDesc, dx, &vdx)) {
        return CUDNN_STATUS_EXECUTION_FAILED;
    }
    std::vector<double> acc(static_cast<size_t>(vdx.count()), 0.0);
    auto xi = [&](int n, int c, int h, int w2) { return ((static_cast<size_t>(n) * s.c + c) * s.h + h) * s.w + w2; };
    each_product(s, [&](int n, int k, int p, int q, int c, int cc, int r, int t, int ih, int iw) {
        acc[xi(n, c, ih, iw)] += static_cast<double>(in(s, vdy.at(n, k, p, q))) * in(s, vw.at(k, cc, r, t));
    });
    for (int n = 0; n < s.n; n++)
        for (int c = 0; c < s.c; c++)
            for (int h = 0; h < s.h; h++)
                for (int w2 = 0; w2 < s.w; w2++) dnn_blend(vdx.at(n, c, h, w2), acc[xi(n, c, h, w2)], sc.alpha, sc.beta);
    scribble(ws, wsBytes);
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void* alpha,
                                                          const cudnnTensorDescriptor_t xDesc, const void* x,
                                                          const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                          const cudnnConvolutionDescriptor_t convDesc,
                                                          cudnnConvolutionBwdFilterAlgo_t algo, void* workSpace,
                                                          size_t workSpaceSizeInBytes, const void* beta,
                                                          const cudnnFilterDescriptor_t dwDesc, void* dw) {
    const char* fn = "cudnnConvolutionBackwardFilter";
    jgsim_count(fn, 1);
    Scalars sc;
    cudnnStatus_t st = common(fn, handle, alpha, beta, x, dy, dw, &sc);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    ConvShape s;
    if ((st = conv_shape(fn, xDesc, dwDesc, convDesc, dyDesc, &s)) != CUDNN_STATUS_SUCCESS) return st;
    void* ws;
    size_t wsBytes;
    st = conv_check_algo(fn, ConvDir::BackwardFilter, algo, s, workSpace, workSpaceSizeInBytes, &ws, &wsBytes);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    View vx, vdy, vdw;
    if (!dnn_view(fn, "x", xDesc, x, &vx) || !dnn_view(fn, "dy", dyDesc, dy, &vdy) ||
        !dnn_view(fn, "dw", dwDesc, dw, &vdw)) {
        return CUDNN_STATUS_EXECUTION_FAILED;
    }
    std::vector<double> acc(static_cast<size_t>(vdw.count()), 0.0);
    auto wi = [&](int k, int cc, int r, int t) { return ((static_cast<size_t>(k) * s.cg + cc) * s.r + r) * s.s + t; };
    each_product(s, [&](int n, int k, int p, int q, int c, int cc, int r, int t, int ih, int iw) {
        acc[wi(k, cc, r, t)] += static_cast<double>(in(s, vdy.at(n, k, p, q))) * in(s, vx.at(n, c, ih, iw));
    });
    for (int k = 0; k < s.k; k++)
        for (int cc = 0; cc < s.cg; cc++)
            for (int r = 0; r < s.r; r++)
                for (int t = 0; t < s.s; t++) dnn_blend(vdw.at(k, cc, r, t), acc[wi(k, cc, r, t)], sc.alpha, sc.beta);
    scribble(ws, wsBytes);
    return CUDNN_STATUS_SUCCESS;
}
