// Convolution shape checks, output dims, and the algorithm queries (cudnnGet*Algorithm_v7,
// *AlgorithmMaxCount, *WorkspaceSize).
//
// THE ALGORITHM LIST IS THE SIMULATOR'S GUESS, not what cuDNN's heuristics would return for a
// given GPU: every direction reports all of its algorithms (the _COUNT of its enum), in a fixed
// order, with status SUCCESS for those the simulator runs and NOT_SUPPORTED for the rest:
//   forward:         IMPLICIT_PRECOMP_GEMM, IMPLICIT_GEMM, GEMM; then DIRECT, FFT, FFT_TILING,
//                    WINOGRAD, WINOGRAD_NONFUSED not supported
//   backward data:   ALGO_1, ALGO_0; then FFT, FFT_TILING, WINOGRAD, WINOGRAD_NONFUSED not supported
//   backward filter: ALGO_1, ALGO_0, ALGO_3; then FFT, WINOGRAD, WINOGRAD_NONFUSED, FFT_TILING
//                    not supported
// determinism is what cuDNN documents (cudnn_ops.h: backward-data ALGO_0 and backward-filter
// ALGO_0 and ALGO_3 are non-deterministic; the simulator itself always computes deterministically),
// time is -1 (nothing is measured), mathType echoes the descriptor's math type. Workspace sizes
// (bytes, float data), chosen so the first-ranked algorithm of each direction needs one:
//   forward IMPLICIT_GEMM 0; IMPLICIT_PRECOMP_GEMM 8 * C/g * R * S (an offset table);
//     GEMM 4 * C * R * S * OH * OW (im2col of one image)
//   backward data ALGO_0 0; ALGO_1 4 * C * R * S * OH * OW (col2im buffer of one image)
//   backward filter ALGO_0 0; ALGO_1 4 * C * R * S * OH * OW (im2col of one image);
//     ALGO_3 4 * K * C/g * R * S (partial sums)
// Math: CUDNN_FMA_MATH computes true FP32. The other math types allow tensor cores, and on sm_90
// cuDNN may then use TF32 for float convolutions, so the simulator rounds x, w and dy to TF32
// (10 mantissa bits) under them — the worst case a GPU may show. Sums are accumulated in double.
#include "conv.h"

namespace {

const int fwd_rank[] = {1, 0, 2, 3, 4, 5, 6, 7};
const int data_rank[] = {1, 0, 2, 3, 4, 5};
const int filter_rank[] = {1, 0, 3, 2, 4, 5, 6};

}  // namespace

int conv_algo_count(ConvDir dir) {
    switch (dir) {
    case ConvDir::Forward: return CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
    case ConvDir::BackwardData: return CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
    case ConvDir::BackwardFilter: return CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
    }
    return 0;
}

int conv_algo_ranked(ConvDir dir, int rank) {
    switch (dir) {
    case ConvDir::Forward: return fwd_rank[rank];
    case ConvDir::BackwardData: return data_rank[rank];
    case ConvDir::BackwardFilter: return filter_rank[rank];
    }
    return 0;
}

bool conv_algo_supported(ConvDir dir, int algo) {
    switch (dir) {
    case ConvDir::Forward: return algo >= 0 && algo <= 2;
    case ConvDir::BackwardData: return algo == 0 || algo == 1;
    case ConvDir::BackwardFilter: return algo == 0 || algo == 1 || algo == 3;
    }
    return false;
}

cudnnDeterminism_t conv_algo_determinism(ConvDir dir, int algo) {
    if (dir == ConvDir::BackwardData && algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0) return CUDNN_NON_DETERMINISTIC;
    if (dir == ConvDir::BackwardFilter &&
        (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 || algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3)) {
        return CUDNN_NON_DETERMINISTIC;
    }
    return CUDNN_DETERMINISTIC;
}

size_t conv_workspace(ConvDir dir, int algo, const ConvShape& s) {
    size_t col = 4ull * s.c * s.r * s.s * s.oh * s.ow;
    switch (dir) {
    case ConvDir::Forward:
        if (algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM) return 8ull * s.cg * s.r * s.s;
        if (algo == CUDNN_CONVOLUTION_FWD_ALGO_GEMM) return col;
        return 0;
    case ConvDir::BackwardData:
        return algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_1 ? col : 0;
    case ConvDir::BackwardFilter:
        if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1) return col;
        if (algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3) return 4ull * s.k * s.cg * s.r * s.s;
        return 0;
    }
    return 0;
}

cudnnStatus_t conv_shape(const char* fn, const cudnnTensorStruct* x, const cudnnFilterStruct* w,
                         const cudnnConvolutionStruct* conv, const cudnnTensorStruct* y, ConvShape* out) {
    if (!dnn_ready(x) || !dnn_ready(w) || !dnn_ready(conv) || (y != nullptr && !dnn_ready(y))) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: a descriptor is NULL, destroyed or not set", fn);
    }
    if (x->type != w->type || (y != nullptr && y->type != x->type)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: x, w and y data types differ", fn);
    }
    if (x->type != CUDNN_DATA_FLOAT || conv->computeType != CUDNN_DATA_FLOAT) {
        return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: the simulator runs float data with float compute only", fn);
    }
    ConvShape s{};
    s.n = x->dim[0];
    s.c = x->dim[1];
    s.h = x->dim[2];
    s.w = x->dim[3];
    s.k = w->dim[0];
    s.cg = w->dim[1];
    s.r = w->dim[2];
    s.s = w->dim[3];
    s.groups = conv->groups;
    for (int i = 0; i < 2; i++) {
        s.pad[i] = conv->pad[i];
        s.stride[i] = conv->stride[i];
        s.dil[i] = conv->dilation[i];
    }
    s.flip = conv->mode == CUDNN_CONVOLUTION;
    s.tf32 = conv->mathType != CUDNN_FMA_MATH;
    if (s.c != s.cg * s.groups) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: x has %d channels, the filter %d per group x %d groups", fn, s.c,
                         s.cg, s.groups);
    }
    if (s.k % s.groups != 0) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: %d filter outputs are not a multiple of %d groups", fn, s.k,
                         s.groups);
    }
    int eh = (s.r - 1) * s.dil[0] + 1;
    int ew = (s.s - 1) * s.dil[1] + 1;
    if (eh > s.h + 2 * s.pad[0] || ew > s.w + 2 * s.pad[1]) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: dilated filter %dx%d larger than the padded input %dx%d", fn, eh,
                         ew, s.h + 2 * s.pad[0], s.w + 2 * s.pad[1]);
    }
    s.oh = 1 + (s.h + 2 * s.pad[0] - eh) / s.stride[0];
    s.ow = 1 + (s.w + 2 * s.pad[1] - ew) / s.stride[1];
    if (y != nullptr) {
        if (y->dim[0] != s.n || y->dim[1] != s.k) {
            return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: y is %d x %d x ..., expected batch %d and %d channels", fn,
                             y->dim[0], y->dim[1], s.n, s.k);
        }
        if (y->dim[2] != s.oh || y->dim[3] != s.ow) {
            return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: y is %dx%d spatially, the convolution gives %dx%d", fn,
                             y->dim[2], y->dim[3], s.oh, s.ow);
        }
    }
    *out = s;
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t conv_check_algo(const char* fn, ConvDir dir, int algo, const ConvShape& s, void* workSpace,
                              size_t workSpaceSizeInBytes, void** ws, size_t* wsBytes) {
    if (algo < 0 || algo >= conv_algo_count(dir)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: algorithm %d is not one of cuDNN's", fn, algo);
    }
    if (!conv_algo_supported(dir, algo)) {
        return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: algorithm %d is not simulated (not in the heuristics' list)",
                         fn, algo);
    }
    size_t need = conv_workspace(dir, algo, s);
    if (workSpaceSizeInBytes < need) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: algorithm %d needs %zu workspace bytes, %zu given", fn, algo,
                         need, workSpaceSizeInBytes);
    }
    *ws = nullptr;
    *wsBytes = need;
    if (need > 0) {
        *ws = dnn_range(fn, "workSpace", workSpace, need);
        if (*ws == nullptr) return CUDNN_STATUS_EXECUTION_FAILED;
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(const cudnnConvolutionDescriptor_t conv,
                                                                 const cudnnTensorDescriptor_t x,
                                                                 const cudnnFilterDescriptor_t w, int* n, int* c,
                                                                 int* h, int* wo) {
    if (n == nullptr || c == nullptr || h == nullptr || wo == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolution2dForwardOutputDim: NULL output");
    }
    ConvShape s;
    cudnnStatus_t st = conv_shape("cudnnGetConvolution2dForwardOutputDim", x, w, conv, nullptr, &s);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    *n = s.n;
    *c = s.k;
    *h = s.oh;
    *wo = s.ow;
    return CUDNN_STATUS_SUCCESS;
}

namespace {

template <typename Perf>
cudnnStatus_t heuristics(const char* fn, ConvDir dir, const cudnnTensorStruct* x, const cudnnFilterStruct* w,
                         const cudnnConvolutionStruct* conv, const cudnnTensorStruct* y, int requested, int* returned,
                         Perf* perf) {
    if (requested <= 0 || returned == nullptr || perf == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: requestedAlgoCount %d, returnedAlgoCount or perfResults NULL",
                         fn, requested);
    }
    ConvShape s;
    cudnnStatus_t shape = conv_shape(fn, x, w, conv, y, &s);
    if (shape != CUDNN_STATUS_SUCCESS && shape != CUDNN_STATUS_NOT_SUPPORTED) return shape;
    int count = conv_algo_count(dir);
    int m = requested < count ? requested : count;
    for (int i = 0; i < m; i++) {
        int algo = conv_algo_ranked(dir, i);
        bool ok = shape == CUDNN_STATUS_SUCCESS && conv_algo_supported(dir, algo);
        Perf p{};
        p.algo = static_cast<decltype(p.algo)>(algo);
        p.status = ok ? CUDNN_STATUS_SUCCESS : CUDNN_STATUS_NOT_SUPPORTED;
        p.time = -1.0f;
        p.memory = ok ? conv_workspace(dir, algo, s) : 0;
        p.determinism = conv_algo_determinism(dir, algo);
        p.mathType = conv->mathType;
        perf[i] = p;
    }
    *returned = m;
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t workspace(const char* fn, ConvDir dir, const cudnnTensorStruct* x, const cudnnFilterStruct* w,
                        const cudnnConvolutionStruct* conv, const cudnnTensorStruct* y, int algo, size_t* size) {
    if (size == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: sizeInBytes is NULL", fn);
    ConvShape s;
    cudnnStatus_t st = conv_shape(fn, x, w, conv, y, &s);
    if (st != CUDNN_STATUS_SUCCESS) return st;
    if (algo < 0 || algo >= conv_algo_count(dir)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: algorithm %d is not one of cuDNN's", fn, algo);
    }
    if (!conv_algo_supported(dir, algo)) {
        return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: algorithm %d is not simulated", fn, algo);
    }
    *size = conv_workspace(dir, algo, s);
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t max_count(const char* fn, cudnnHandle_t h, ConvDir dir, int* count) {
    if (!dnn_live(h) || count == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: bad handle or NULL count", fn);
    *count = conv_algo_count(dir);
    return CUDNN_STATUS_SUCCESS;
}

}  // namespace

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t h, int* count) {
    return max_count("cudnnGetConvolutionForwardAlgorithmMaxCount", h, ConvDir::Forward, count);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t h, int* count) {
    return max_count("cudnnGetConvolutionBackwardDataAlgorithmMaxCount", h, ConvDir::BackwardData, count);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t h, int* count) {
    return max_count("cudnnGetConvolutionBackwardFilterAlgorithmMaxCount", h, ConvDir::BackwardFilter, count);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t h, const cudnnTensorDescriptor_t x,
                                                                  const cudnnFilterDescriptor_t w,
                                                                  const cudnnConvolutionDescriptor_t conv,
                                                                  const cudnnTensorDescriptor_t y, const int requested,
                                                                  int* returned, cudnnConvolutionFwdAlgoPerf_t* perf) {
    const char* fn = "cudnnGetConvolutionForwardAlgorithm_v7";
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    return heuristics(fn, ConvDir::Forward, x, w, conv, y, requested, returned, perf);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t h,
                                                                       const cudnnFilterDescriptor_t w,
                                                                       const cudnnTensorDescriptor_t dy,
                                                                       const cudnnConvolutionDescriptor_t conv,
                                                                       const cudnnTensorDescriptor_t dx,
                                                                       const int requested, int* returned,
                                                                       cudnnConvolutionBwdDataAlgoPerf_t* perf) {
    const char* fn = "cudnnGetConvolutionBackwardDataAlgorithm_v7";
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    return heuristics(fn, ConvDir::BackwardData, dx, w, conv, dy, requested, returned, perf);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t h,
                                                                         const cudnnTensorDescriptor_t x,
                                                                         const cudnnTensorDescriptor_t dy,
                                                                         const cudnnConvolutionDescriptor_t conv,
                                                                         const cudnnFilterDescriptor_t dw,
                                                                         const int requested, int* returned,
                                                                         cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
    const char* fn = "cudnnGetConvolutionBackwardFilterAlgorithm_v7";
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    return heuristics(fn, ConvDir::BackwardFilter, x, dw, conv, dy, requested, returned, perf);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t h, const cudnnTensorDescriptor_t x,
                                                                   const cudnnFilterDescriptor_t w,
                                                                   const cudnnConvolutionDescriptor_t conv,
                                                                   const cudnnTensorDescriptor_t y,
                                                                   cudnnConvolutionFwdAlgo_t algo, size_t* size) {
    const char* fn = "cudnnGetConvolutionForwardWorkspaceSize";
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    return workspace(fn, ConvDir::Forward, x, w, conv, y, algo, size);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t h,
                                                                        const cudnnFilterDescriptor_t w,
                                                                        const cudnnTensorDescriptor_t dy,
                                                                        const cudnnConvolutionDescriptor_t conv,
                                                                        const cudnnTensorDescriptor_t dx,
                                                                        cudnnConvolutionBwdDataAlgo_t algo,
                                                                        size_t* size) {
    const char* fn = "cudnnGetConvolutionBackwardDataWorkspaceSize";
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    return workspace(fn, ConvDir::BackwardData, dx, w, conv, dy, algo, size);
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t h,
                                                                          const cudnnTensorDescriptor_t x,
                                                                          const cudnnTensorDescriptor_t dy,
                                                                          const cudnnConvolutionDescriptor_t conv,
                                                                          const cudnnFilterDescriptor_t dw,
                                                                          cudnnConvolutionBwdFilterAlgo_t algo,
                                                                          size_t* size) {
    const char* fn = "cudnnGetConvolutionBackwardFilterWorkspaceSize";
    if (!dnn_live(h)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    return workspace(fn, ConvDir::BackwardFilter, x, dw, conv, dy, algo, size);
}
