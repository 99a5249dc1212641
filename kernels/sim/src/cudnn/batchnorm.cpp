// Batch normalization (cudnn_ops.h, cuDNN API reference), by the formulas of Ioffe & Szegedy as
// cuDNN documents them. A "slice" is the set of elements sharing one statistic: per channel over
// N x H x W for CUDNN_BATCHNORM_SPATIAL (and SPATIAL_PERSISTENT, computed identically), per
// (c, h, w) over N for CUDNN_BATCHNORM_PER_ACTIVATION; M is its element count.
//   forward training: mean = sum x / M, var = sum (x - mean)^2 / M (biased),
//     invStd = 1 / sqrt(var + epsilon), y = alpha * (scale * (x - mean) * invStd + bias) + beta * y;
//     resultRunningMean = (1 - factor) * runningMean + factor * mean and
//     resultRunningVariance = (1 - factor) * runningVariance + factor * var * M / (M - 1) (the
//     unbiased variance, as the cuDNN documentation states; M == 1 gives NaN/Inf like the formula);
//     resultSaveMean = mean, resultSaveInvVariance = invStd. Running and saved pairs are optional
//     (both NULL), exactly one of a pair NULL is BAD_PARAM.
//   backward: with the saved mean and invStd when given (else recomputed from x with epsilon),
//     xhat = (x - mean) * invStd, dBias = sum dy, dScale = sum dy * xhat,
//     dx = scale * invStd * (dy - dBias / M - xhat * dScale / M); dx is blended with
//     alphaDataDiff/betaDataDiff, dScale and dBias with alphaParamDiff/betaParamDiff.
//   forward inference: y = alpha * (scale * (x - estimatedMean) / sqrt(estimatedVariance + eps)
//     + bias) + beta * y.
// Checks: x/y (x/dy/dx) shapes or types differ, the scale/bias descriptor not 1xCx1x1 (spatial) or
// 1xCxHxW (per activation), epsilon < CUDNN_BN_MIN_EPSILON (0.0 in cuDNN 9), a NULL required
// pointer -> BAD_PARAM; non-float data -> NOT_SUPPORTED. beta == 0 never reads an output.
// Statistics are accumulated in double.
#include "cudnn_internal.h"

#include <cmath>
#include <vector>

namespace {

struct Geometry {
    int N, C, H, W;
    bool spatial;
    int slices() const { return spatial ? C : C * H * W; }
    int64_t M() const { return spatial ? (int64_t)N * H * W : N; }
    // Calls f(n, c, h, w) for every element of slice i.
    template <typename F>
    void each(int i, F f) const {
        if (spatial) {
            for (int n = 0; n < N; n++)
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++) f(n, i, h, w);
        } else {
            int c = i / (H * W), h = (i / W) % H, w = i % W;
            for (int n = 0; n < N; n++) f(n, c, h, w);
        }
    }
    // The slice's element in a 1xCx1x1 or 1xCxHxW parameter view.
    float& param(const View& v, int i) const {
        return spatial ? v.at(0, i, 0, 0) : v.at(0, i / (H * W), (i / W) % H, i % W);
    }
};

cudnnStatus_t geometry(const char* fn, cudnnBatchNormMode_t mode, const cudnnTensorStruct* x,
                       const cudnnTensorStruct* y, const cudnnTensorStruct* y2, const cudnnTensorStruct* bn,
                       double epsilon, Geometry* g) {
    if (mode != CUDNN_BATCHNORM_SPATIAL && mode != CUDNN_BATCHNORM_SPATIAL_PERSISTENT &&
        mode != CUDNN_BATCHNORM_PER_ACTIVATION) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid mode %d", fn, (int)mode);
    }
    if (!dnn_ready(x) || !dnn_ready(y) || (y2 != nullptr && !dnn_ready(y2)) || !dnn_ready(bn)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: a descriptor is NULL, destroyed or not set", fn);
    }
    if (!dnn_same_shape(x, y) || (y2 != nullptr && !dnn_same_shape(x, y2)) || bn->type != x->type) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: tensor dims or data types differ", fn);
    }
    if (x->type != CUDNN_DATA_FLOAT) return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: float only", fn);
    g->N = x->dim[0];
    g->C = x->dim[1];
    g->H = x->dim[2];
    g->W = x->dim[3];
    g->spatial = mode != CUDNN_BATCHNORM_PER_ACTIVATION;
    int want[4] = {1, g->C, g->spatial ? 1 : g->H, g->spatial ? 1 : g->W};
    for (int i = 0; i < 4; i++) {
        if (bn->dim[i] != want[i]) {
            return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: scale/bias descriptor is %d x %d x %d x %d, mode needs "
                             "%d x %d x %d x %d", fn, bn->dim[0], bn->dim[1], bn->dim[2], bn->dim[3], want[0],
                             want[1], want[2], want[3]);
        }
    }
    if (!(epsilon >= CUDNN_BN_MIN_EPSILON)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: epsilon %g is below CUDNN_BN_MIN_EPSILON (%g)", fn, epsilon,
                         CUDNN_BN_MIN_EPSILON);
    }
    return CUDNN_STATUS_SUCCESS;
}

// Mean and biased variance of slice i.
void stats(const Geometry& g, const View& x, int i, double* mean, double* var) {
    double sum = 0.0;
    g.each(i, [&](int n, int c, int h, int w) { sum += x.at(n, c, h, w); });
    double m = sum / g.M();
    double sq = 0.0;
    g.each(i, [&](int n, int c, int h, int w) {
        double d = x.at(n, c, h, w) - m;
        sq += d * d;
    });
    *mean = m;
    *var = sq / g.M();
}

bool pair_ok(const void* a, const void* b) { return (a == nullptr) == (b == nullptr); }

}  // namespace

CUDNN_EXPORT cudnnStatus_t cudnnBatchNormalizationForwardTraining(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
    const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnTensorDescriptor_t yDesc, void* y,
    const cudnnTensorDescriptor_t bnDesc, const void* scale, const void* bias, double factor, void* runningMean,
    void* runningVar, double epsilon, void* saveMean, void* saveInvVar) {
    const char* fn = "cudnnBatchNormalizationForwardTraining";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || x == nullptr || y == nullptr || scale == nullptr || bias == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: alpha, beta, x, y, scale or bias is NULL", fn);
    }
    if (!pair_ok(runningMean, runningVar) || !pair_ok(saveMean, saveInvVar)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: exactly one of a running or saved pair is NULL", fn);
    }
    Geometry g;
    cudnnStatus_t st = geometry(fn, mode, xDesc, yDesc, nullptr, bnDesc, epsilon, &g);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    float al = *static_cast<const float*>(alpha);
    float be = *static_cast<const float*>(beta);
    View vx, vy, vs, vb, vrm, vrv, vsm, vsi;
    bool ok = dnn_view(fn, "x", xDesc, x, &vx) && dnn_view(fn, "y", yDesc, y, &vy) &&
              dnn_view(fn, "bnScale", bnDesc, scale, &vs) && dnn_view(fn, "bnBias", bnDesc, bias, &vb);
    if (ok && runningMean != nullptr) {
        ok = dnn_view(fn, "resultRunningMean", bnDesc, runningMean, &vrm) &&
             dnn_view(fn, "resultRunningVariance", bnDesc, runningVar, &vrv);
    }
    if (ok && saveMean != nullptr) {
        ok = dnn_view(fn, "resultSaveMean", bnDesc, saveMean, &vsm) &&
             dnn_view(fn, "resultSaveInvVariance", bnDesc, saveInvVar, &vsi);
    }
    if (!ok) return CUDNN_STATUS_EXECUTION_FAILED;
    for (int i = 0; i < g.slices(); i++) {
        double mean, var;
        stats(g, vx, i, &mean, &var);
        double inv = 1.0 / std::sqrt(var + epsilon);
        double gamma = g.param(vs, i), b = g.param(vb, i);
        g.each(i, [&](int n, int c, int h, int w) {
            dnn_blend(vy.at(n, c, h, w), gamma * (vx.at(n, c, h, w) - mean) * inv + b, al, be);
        });
        if (runningMean != nullptr) {
            double M = static_cast<double>(g.M());
            float& rm = g.param(vrm, i);
            float& rv = g.param(vrv, i);
            rm = static_cast<float>((1.0 - factor) * rm + factor * mean);
            rv = static_cast<float>((1.0 - factor) * rv + factor * var * M / (M - 1.0));
        }
        if (saveMean != nullptr) {
            g.param(vsm, i) = static_cast<float>(mean);
            g.param(vsi, i) = static_cast<float>(inv);
        }
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnBatchNormalizationForwardInference(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alpha, const void* beta,
    const cudnnTensorDescriptor_t xDesc, const void* x, const cudnnTensorDescriptor_t yDesc, void* y,
    const cudnnTensorDescriptor_t bnDesc, const void* scale, const void* bias, const void* estMean,
    const void* estVar, double epsilon) {
    const char* fn = "cudnnBatchNormalizationForwardInference";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || x == nullptr || y == nullptr || scale == nullptr || bias == nullptr ||
        estMean == nullptr || estVar == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: a required pointer is NULL", fn);
    }
    Geometry g;
    cudnnStatus_t st = geometry(fn, mode, xDesc, yDesc, nullptr, bnDesc, epsilon, &g);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    float al = *static_cast<const float*>(alpha);
    float be = *static_cast<const float*>(beta);
    View vx, vy, vs, vb, vm, vv;
    if (!dnn_view(fn, "x", xDesc, x, &vx) || !dnn_view(fn, "y", yDesc, y, &vy) ||
        !dnn_view(fn, "bnScale", bnDesc, scale, &vs) || !dnn_view(fn, "bnBias", bnDesc, bias, &vb) ||
        !dnn_view(fn, "estimatedMean", bnDesc, estMean, &vm) ||
        !dnn_view(fn, "estimatedVariance", bnDesc, estVar, &vv)) {
        return CUDNN_STATUS_EXECUTION_FAILED;
    }
    for (int i = 0; i < g.slices(); i++) {
        double mean = g.param(vm, i);
        double inv = 1.0 / std::sqrt(static_cast<double>(g.param(vv, i)) + epsilon);
        double gamma = g.param(vs, i), b = g.param(vb, i);
        g.each(i, [&](int n, int c, int h, int w) {
            dnn_blend(vy.at(n, c, h, w), gamma * (vx.at(n, c, h, w) - mean) * inv + b, al, be);
        });
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnBatchNormalizationBackward(
    cudnnHandle_t handle, cudnnBatchNormMode_t mode, const void* alphaData, const void* betaData,
    const void* alphaParam, const void* betaParam, const cudnnTensorDescriptor_t xDesc, const void* x,
    const cudnnTensorDescriptor_t dyDesc, const void* dy, const cudnnTensorDescriptor_t dxDesc, void* dx,
    const cudnnTensorDescriptor_t bnDesc, const void* scale, void* dScale, void* dBias, double epsilon,
    const void* savedMean, const void* savedInvVar) {
    const char* fn = "cudnnBatchNormalizationBackward";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alphaData == nullptr || betaData == nullptr || alphaParam == nullptr || betaParam == nullptr ||
        x == nullptr || dy == nullptr || dx == nullptr || scale == nullptr || dScale == nullptr || dBias == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: a required pointer is NULL", fn);
    }
    if (!pair_ok(savedMean, savedInvVar)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: exactly one of savedMean, savedInvVariance is NULL", fn);
    }
    Geometry g;
    cudnnStatus_t st = geometry(fn, mode, xDesc, dyDesc, dxDesc, bnDesc, epsilon, &g);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    float ad = *static_cast<const float*>(alphaData), bd = *static_cast<const float*>(betaData);
    float ap = *static_cast<const float*>(alphaParam), bp = *static_cast<const float*>(betaParam);
    View vx, vdy, vdx, vs, vds, vdb, vsm, vsi;
    bool ok = dnn_view(fn, "x", xDesc, x, &vx) && dnn_view(fn, "dy", dyDesc, dy, &vdy) &&
              dnn_view(fn, "dx", dxDesc, dx, &vdx) && dnn_view(fn, "bnScale", bnDesc, scale, &vs) &&
              dnn_view(fn, "dBnScaleResult", bnDesc, dScale, &vds) && dnn_view(fn, "dBnBiasResult", bnDesc, dBias, &vdb);
    if (ok && savedMean != nullptr) {
        ok = dnn_view(fn, "savedMean", bnDesc, savedMean, &vsm) &&
             dnn_view(fn, "savedInvVariance", bnDesc, savedInvVar, &vsi);
    }
    if (!ok) return CUDNN_STATUS_EXECUTION_FAILED;
    double M = static_cast<double>(g.M());
    for (int i = 0; i < g.slices(); i++) {
        double mean, inv;
        if (savedMean != nullptr) {
            mean = g.param(vsm, i);
            inv = g.param(vsi, i);
        } else {
            double var;
            stats(g, vx, i, &mean, &var);
            inv = 1.0 / std::sqrt(var + epsilon);
        }
        double db = 0.0, ds = 0.0;
        g.each(i, [&](int n, int c, int h, int w) {
            double d = vdy.at(n, c, h, w);
            db += d;
            ds += d * (vx.at(n, c, h, w) - mean) * inv;
        });
        double k = g.param(vs, i) * inv;
        g.each(i, [&](int n, int c, int h, int w) {
            double xhat = (vx.at(n, c, h, w) - mean) * inv;
            dnn_blend(vdx.at(n, c, h, w), k * (vdy.at(n, c, h, w) - db / M - xhat * ds / M), ad, bd);
        });
        dnn_blend(g.param(vds, i), ds, ap, bp);
        dnn_blend(g.param(vdb, i), db, ap, bp);
    }
    return CUDNN_STATUS_SUCCESS;
}
