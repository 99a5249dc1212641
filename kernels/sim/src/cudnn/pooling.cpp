// cudnnGetPooling2dForwardOutputDim, cudnnPoolingForward, cudnnPoolingBackward, from the cuDNN API
// reference. Output size per spatial dim: 1 + (in + 2 * pad - window) / stride. The window of
// output (p, q) covers input rows p*stride_h - pad_h + [0, window_h) and likewise columns; only
// positions inside the input take part (padding is never a candidate for max).
//   MAX, MAX_DETERMINISTIC: the largest value; ties go to the first in row-major window order.
//     CUDNN_NOT_PROPAGATE_NAN: NaN never beats a number (a window of NaN only gives NaN);
//     CUDNN_PROPAGATE_NAN: any NaN in the window gives NaN.
//   AVERAGE_COUNT_INCLUDE_PADDING: sum / (window_h * window_w);
//   AVERAGE_COUNT_EXCLUDE_PADDING: sum / (number of positions inside the input).
// A window with no position inside the input (only possible with pad >= window) gives 0 — the
// simulator's choice, cuDNN does not document it. Backward: max routes dy to the element that
// won the forward (found again from x, as cuDNN does with x and y); average spreads dy / count
// over the window. Both blend: out = alpha * result + beta * out, beta == 0 never reading out.
// Checks as documented: n, c of x and y differ, types differ, y/dy or x/dx dims differ -> BAD_PARAM;
// y's h, w not the output size is BAD_PARAM too (the simulator's choice). Any strides are accepted.
#include "cudnn_internal.h"

#include <cmath>
#include <vector>

namespace {

struct Window {
    int h0, h1, w0, w1;  // clamped input rows [h0, h1), cols [w0, w1)
    int count;  // divisor for averages
};

Window window(const cudnnPoolingStruct* pd, int p, int q, int H, int W) {
    int hs = p * pd->stride[0] - pd->pad[0];
    int ws = q * pd->stride[1] - pd->pad[1];
    Window win;
    win.h0 = hs < 0 ? 0 : hs;
    win.w0 = ws < 0 ? 0 : ws;
    win.h1 = hs + pd->window[0] < H ? hs + pd->window[0] : H;
    win.w1 = ws + pd->window[1] < W ? ws + pd->window[1] : W;
    int inside = (win.h1 > win.h0 ? win.h1 - win.h0 : 0) * (win.w1 > win.w0 ? win.w1 - win.w0 : 0);
    win.count = pd->mode == CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING ? pd->window[0] * pd->window[1] : inside;
    return win;
}

bool is_max(const cudnnPoolingStruct* pd) {
    return pd->mode == CUDNN_POOLING_MAX || pd->mode == CUDNN_POOLING_MAX_DETERMINISTIC;
}

// The winning (h, w) of a max window, false when the window is empty.
bool argmax(const cudnnPoolingStruct* pd, const View& x, int n, int c, const Window& win, int* bh, int* bw) {
    bool found = false;
    float best = 0;
    for (int h = win.h0; h < win.h1; h++) {
        for (int w = win.w0; w < win.w1; w++) {
            float v = x.at(n, c, h, w);
            bool take;
            if (!found) {
                take = true;
            } else if (std::isnan(best)) {
                take = pd->nan == CUDNN_NOT_PROPAGATE_NAN && !std::isnan(v);  // a number beats an ignored NaN
            } else if (std::isnan(v)) {
                take = pd->nan == CUDNN_PROPAGATE_NAN;
            } else {
                take = v > best;
            }
            if (take) {
                found = true;
                best = v;
                *bh = h;
                *bw = w;
            }
        }
    }
    return found;
}

cudnnStatus_t out_dims(const char* fn, const cudnnPoolingStruct* pd, const cudnnTensorStruct* x, int out[4]) {
    if (!dnn_ready(pd) || !dnn_ready(x)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: descriptor not set", fn);
    out[0] = x->dim[0];
    out[1] = x->dim[1];
    for (int i = 0; i < 2; i++) {
        int span = x->dim[2 + i] + 2 * pd->pad[i] - pd->window[i];
        if (span < 0) {
            return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: window %d larger than the padded input %d", fn,
                             pd->window[i], x->dim[2 + i] + 2 * pd->pad[i]);
        }
        out[2 + i] = 1 + span / pd->stride[i];
    }
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t check_pair(const char* fn, const cudnnPoolingStruct* pd, const cudnnTensorStruct* x,
                         const cudnnTensorStruct* y) {
    int o[4];
    cudnnStatus_t st = out_dims(fn, pd, x, o);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    if (!dnn_ready(y)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: descriptor not set", fn);
    if (x->type != y->type) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: data types differ", fn);
    if (x->type != CUDNN_DATA_FLOAT) return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: float only", fn);
    for (int i = 0; i < 4; i++) {
        if (y->dim[i] != o[i]) {
            return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: y is %d x %d x %d x %d, pooling gives %d x %d x %d x %d", fn,
                             y->dim[0], y->dim[1], y->dim[2], y->dim[3], o[0], o[1], o[2], o[3]);
        }
    }
    return CUDNN_STATUS_SUCCESS;
}

}  // namespace

CUDNN_EXPORT cudnnStatus_t cudnnGetPooling2dForwardOutputDim(const cudnnPoolingDescriptor_t pd,
                                                             const cudnnTensorDescriptor_t x, int* n, int* c, int* h,
                                                             int* w) {
    const char* fn = "cudnnGetPooling2dForwardOutputDim";
    if (n == nullptr || c == nullptr || h == nullptr || w == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: NULL output", fn);
    }
    int o[4];
    cudnnStatus_t st = out_dims(fn, pd, x, o);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    *n = o[0];
    *c = o[1];
    *h = o[2];
    *w = o[3];
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnPoolingForward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t pd,
                                               const void* alpha, const cudnnTensorDescriptor_t xDesc, const void* x,
                                               const void* beta, const cudnnTensorDescriptor_t yDesc, void* y) {
    const char* fn = "cudnnPoolingForward";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || x == nullptr || y == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: NULL pointer", fn);
    }
    cudnnStatus_t st = check_pair(fn, pd, xDesc, yDesc);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    float al = *static_cast<const float*>(alpha);
    float be = *static_cast<const float*>(beta);
    View vx, vy;
    if (!dnn_view(fn, "x", xDesc, x, &vx) || !dnn_view(fn, "y", yDesc, y, &vy)) return CUDNN_STATUS_EXECUTION_FAILED;
    for (int n = 0; n < vy.dim[0]; n++)
        for (int c = 0; c < vy.dim[1]; c++)
            for (int p = 0; p < vy.dim[2]; p++)
                for (int q = 0; q < vy.dim[3]; q++) {
                    Window win = window(pd, p, q, vx.dim[2], vx.dim[3]);
                    double v = 0.0;
                    if (is_max(pd)) {
                        int bh, bw;
                        if (argmax(pd, vx, n, c, win, &bh, &bw)) v = vx.at(n, c, bh, bw);
                    } else if (win.count > 0) {
                        for (int h = win.h0; h < win.h1; h++)
                            for (int w = win.w0; w < win.w1; w++) v += vx.at(n, c, h, w);
                        v /= win.count;
                    }
                    dnn_blend(vy.at(n, c, p, q), v, al, be);
                }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnPoolingBackward(cudnnHandle_t handle, const cudnnPoolingDescriptor_t pd,
                                                const void* alpha, const cudnnTensorDescriptor_t yDesc, const void* y,
                                                const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                const cudnnTensorDescriptor_t xDesc, const void* x, const void* beta,
                                                const cudnnTensorDescriptor_t dxDesc, void* dx) {
    const char* fn = "cudnnPoolingBackward";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || dy == nullptr || dx == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: NULL pointer", fn);
    }
    cudnnStatus_t st = check_pair(fn, pd, xDesc, yDesc);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    if (!dnn_ready(dyDesc) || !dnn_ready(dxDesc) || !dnn_same_shape(yDesc, dyDesc) || !dnn_same_shape(xDesc, dxDesc)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: dy must match y and dx must match x", fn);
    }
    bool max = is_max(pd);
    if (max && (x == nullptr || y == nullptr)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: max needs x and y", fn);
    float al = *static_cast<const float*>(alpha);
    float be = *static_cast<const float*>(beta);
    View vx, vy, vdy, vdx;
    // Average pooling's gradient does not depend on x or y: they are not read (jgrad passes other
    // buffers of the right shape there), so only max resolves them.
    if ((max && (!dnn_view(fn, "x", xDesc, x, &vx) || !dnn_view(fn, "y", yDesc, y, &vy))) ||
        !dnn_view(fn, "dy", dyDesc, dy, &vdy) || !dnn_view(fn, "dx", dxDesc, dx, &vdx)) {
        return CUDNN_STATUS_EXECUTION_FAILED;
    }
    std::vector<double> acc(static_cast<size_t>(vdx.count()), 0.0);
    int C = vdx.dim[1], H = vdx.dim[2], W = vdx.dim[3];
    auto xi = [&](int n, int c, int h, int w) { return ((static_cast<size_t>(n) * C + c) * H + h) * W + w; };
    for (int n = 0; n < vdy.dim[0]; n++)
        for (int c = 0; c < C; c++)
            for (int p = 0; p < vdy.dim[2]; p++)
                for (int q = 0; q < vdy.dim[3]; q++) {
                    Window win = window(pd, p, q, H, W);
                    double g = vdy.at(n, c, p, q);
                    if (max) {
                        int bh, bw;
                        if (argmax(pd, vx, n, c, win, &bh, &bw)) acc[xi(n, c, bh, bw)] += g;
                    } else if (win.count > 0) {
                        for (int h = win.h0; h < win.h1; h++)
                            for (int w = win.w0; w < win.w1; w++) acc[xi(n, c, h, w)] += g / win.count;
                    }
                }
    for (int n = 0; n < vdx.dim[0]; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) dnn_blend(vdx.at(n, c, h, w), acc[xi(n, c, h, w)], al, be);
    return CUDNN_STATUS_SUCCESS;
}
