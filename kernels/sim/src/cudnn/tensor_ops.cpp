// cudnnAddTensor and cudnnConvolutionBackwardBias, from the cuDNN API reference:
//   AddTensor: C = alpha * A + beta * C, where each dimension of A equals C's or is 1 (A is
//   broadcast along it); anything else is BAD_PARAM, as are differing data types.
//   BackwardBias: db[k] = alpha * sum over n, h, w of dy[n][k][h][w] + beta * db[k], db 1xKx1x1.
// beta == 0 never reads the output. Sums in double.
#include "cudnn_internal.h"

#include <vector>

CUDNN_EXPORT cudnnStatus_t cudnnAddTensor(cudnnHandle_t handle, const void* alpha, const cudnnTensorDescriptor_t aDesc,
                                          const void* A, const void* beta, const cudnnTensorDescriptor_t cDesc,
                                          void* C) {
    const char* fn = "cudnnAddTensor";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || A == nullptr || C == nullptr || !dnn_ready(aDesc) ||
        !dnn_ready(cDesc)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: NULL pointer or descriptor not set", fn);
    }
    if (aDesc->type != cDesc->type) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: A and C data types differ", fn);
    if (aDesc->type != CUDNN_DATA_FLOAT) return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: float only", fn);
    for (int i = 0; i < 4; i++) {
        if (aDesc->dim[i] != cDesc->dim[i] && aDesc->dim[i] != 1) {
            return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: A dim %d is %d, C's is %d (must match or be 1)", fn, i,
                             aDesc->dim[i], cDesc->dim[i]);
        }
    }
    float al = *static_cast<const float*>(alpha);
    float be = *static_cast<const float*>(beta);
    View va, vc;
    if (!dnn_view(fn, "A", aDesc, A, &va) || !dnn_view(fn, "C", cDesc, C, &vc)) return CUDNN_STATUS_EXECUTION_FAILED;
    int d[4];
    for (int n = 0; n < vc.dim[0]; n++)
        for (int c = 0; c < vc.dim[1]; c++)
            for (int h = 0; h < vc.dim[2]; h++)
                for (int w = 0; w < vc.dim[3]; w++) {
                    int at[4] = {n, c, h, w};
                    for (int i = 0; i < 4; i++) d[i] = va.dim[i] == 1 ? 0 : at[i];
                    dnn_blend(vc.at(n, c, h, w), va.at(d[0], d[1], d[2], d[3]), al, be);
                }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnConvolutionBackwardBias(cudnnHandle_t handle, const void* alpha,
                                                        const cudnnTensorDescriptor_t dyDesc, const void* dy,
                                                        const void* beta, const cudnnTensorDescriptor_t dbDesc,
                                                        void* db) {
    const char* fn = "cudnnConvolutionBackwardBias";
    jgsim_count(fn, 1);
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live handle", fn);
    if (alpha == nullptr || beta == nullptr || dy == nullptr || db == nullptr || !dnn_ready(dyDesc) ||
        !dnn_ready(dbDesc)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: NULL pointer or descriptor not set", fn);
    }
    if (dyDesc->type != dbDesc->type) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: data types differ", fn);
    if (dyDesc->type != CUDNN_DATA_FLOAT) return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: float only", fn);
    if (dbDesc->dim[0] != 1 || dbDesc->dim[1] != dyDesc->dim[1] || dbDesc->dim[2] != 1 || dbDesc->dim[3] != 1) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: db is %d x %d x %d x %d, expected 1 x %d x 1 x 1", fn,
                         dbDesc->dim[0], dbDesc->dim[1], dbDesc->dim[2], dbDesc->dim[3], dyDesc->dim[1]);
    }
    float al = *static_cast<const float*>(alpha);
    float be = *static_cast<const float*>(beta);
    View vdy, vdb;
    if (!dnn_view(fn, "dy", dyDesc, dy, &vdy) || !dnn_view(fn, "db", dbDesc, db, &vdb)) {
        return CUDNN_STATUS_EXECUTION_FAILED;
    }
    for (int k = 0; k < vdy.dim[1]; k++) {
        double sum = 0.0;
        for (int n = 0; n < vdy.dim[0]; n++)
            for (int h = 0; h < vdy.dim[2]; h++)
                for (int w = 0; w < vdy.dim[3]; w++) sum += vdy.at(n, k, h, w);
        dnn_blend(vdb.at(0, k, 0, 0), sum, al, be);
    }
    return CUDNN_STATUS_SUCCESS;
}
