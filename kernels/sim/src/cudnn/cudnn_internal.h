// The simulated cuDNN's objects and the helpers every file uses: live-object registries (so a
// destroyed or foreign handle/descriptor is refused, never dereferenced), 4-d float views of
// device memory resolved with their exact extents, the error-message record behind
// cudnnGetLastErrorString.
#pragma once

#include "cudnn_types.h"
#include "sim_api.h"

#include <cstdint>

struct cudnnContext {
    cudaStream_t stream = nullptr;
};
typedef cudnnContext* cudnnHandle_t;

// A 4-d tensor: dims n, c, h, w and their strides in elements (NCHW order whatever the layout).
struct cudnnTensorStruct {
    bool set = false;
    cudnnDataType_t type = CUDNN_DATA_FLOAT;
    int dim[4] = {0, 0, 0, 0};
    int64_t stride[4] = {0, 0, 0, 0};
};
typedef cudnnTensorStruct* cudnnTensorDescriptor_t;

// A 4-d filter: dims k (output channels), c (input channels per group), h, w; strides from the format.
struct cudnnFilterStruct {
    bool set = false;
    cudnnDataType_t type = CUDNN_DATA_FLOAT;
    cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW;
    int dim[4] = {0, 0, 0, 0};
    int64_t stride[4] = {0, 0, 0, 0};
};
typedef cudnnFilterStruct* cudnnFilterDescriptor_t;

struct cudnnConvolutionStruct {
    bool set = false;
    int pad[2] = {0, 0};
    int stride[2] = {1, 1};
    int dilation[2] = {1, 1};
    cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
    cudnnDataType_t computeType = CUDNN_DATA_FLOAT;
    cudnnMathType_t mathType = CUDNN_DEFAULT_MATH;
    int groups = 1;
    cudnnReorderType_t reorder = CUDNN_DEFAULT_REORDER;
};
typedef cudnnConvolutionStruct* cudnnConvolutionDescriptor_t;

struct cudnnPoolingStruct {
    bool set = false;
    cudnnPoolingMode_t mode = CUDNN_POOLING_MAX;
    cudnnNanPropagation_t nan = CUDNN_NOT_PROPAGATE_NAN;
    int window[2] = {0, 0};
    int pad[2] = {0, 0};
    int stride[2] = {1, 1};
};
typedef cudnnPoolingStruct* cudnnPoolingDescriptor_t;

// Registries (handle.cpp): add on create, remove on destroy, live() answers membership only, so
// a descriptor of one kind passed where another is expected is refused too.
enum class Kind { Handle, Tensor, Filter, Convolution, Pooling };
void dnn_add(const void* p, Kind kind);
bool dnn_remove(const void* p, Kind kind);
bool dnn_live(const cudnnContext* p);
bool dnn_live(const cudnnTensorStruct* p);
bool dnn_live(const cudnnFilterStruct* p);
bool dnn_live(const cudnnConvolutionStruct* p);
bool dnn_live(const cudnnPoolingStruct* p);

// A live descriptor on which Set* succeeded.
template <typename T>
bool dnn_ready(const T* d) {
    return dnn_live(d) && d->set;
}

// Records the reason for a failing status (cudnnGetLastErrorString; printed to stderr when
// CUDNN_LOGERR_DBG=1, cuDNN's own switch for the same) and returns the status.
cudnnStatus_t dnn_error(cudnnStatus_t status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// A float view of device memory in NCHW coordinates.
struct View {
    float* data = nullptr;
    int dim[4] = {0, 0, 0, 0};
    int64_t stride[4] = {0, 0, 0, 0};
    float& at(int n, int c, int h, int w) const {
        return data[n * stride[0] + c * stride[1] + h * stride[2] + w * stride[3]];
    }
    int64_t count() const { return (int64_t)dim[0] * dim[1] * dim[2] * dim[3]; }
};

// Element count from the first to the last addressed element: 1 + sum (dim - 1) * stride, 0 when empty.
int64_t dnn_extent(const int dim[4], const int64_t stride[4]);

// Resolves a tensor/filter argument of `fn` through jgsim_device_range with its exact extent and
// fills `out`; false (reported by the driver, naming fn and arg) when it is not device memory.
bool dnn_view(const char* fn, const char* arg, const cudnnTensorStruct* d, const void* p, View* out);
bool dnn_view(const char* fn, const char* arg, const cudnnFilterStruct* d, const void* p, View* out);

// Resolves `bytes` of a plain buffer (workspace, scale/bias vectors); nullptr when not device memory.
void* dnn_range(const char* fn, const char* arg, const void* p, uint64_t bytes);

// Same dims (n, c, h, w) and type.
bool dnn_same_shape(const cudnnTensorStruct* a, const cudnnTensorStruct* b);

// TF32 rounding of one value (10 mantissa bits, nearest even; Inf and NaN unchanged).
float dnn_round_tf32(float x);

// y = alpha * v + beta * y, where beta == 0 means y is written without being read (cuDNN's
// "scaling parameters" rule: with beta zero the output is not read, so NaN there cannot leak).
inline void dnn_blend(float& y, double v, float alpha, float beta) {
    double r = static_cast<double>(alpha) * v;
    if (beta != 0.0f) r += static_cast<double>(beta) * y;
    y = static_cast<float>(r);
}
