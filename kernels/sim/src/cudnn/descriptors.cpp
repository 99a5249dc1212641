// Tensor, filter, convolution and pooling descriptors (4-d / 2-d spatial only, as jgrad uses
// them). Checks as the cuDNN 9 API reference lists them for each Set function: negative sizes,
// non-positive strides and invalid enumerants are CUDNN_STATUS_BAD_PARAM. Supported layouts are
// NCHW and NHWC (any strides through cudnnSetTensor4dDescriptorEx); NCHW_VECT_C is NOT_SUPPORTED.
#include "cudnn_internal.h"

namespace {

bool valid_type(int t) { return t >= CUDNN_DATA_FLOAT && t <= CUDNN_DATA_FAST_FLOAT_FOR_FP8; }

// Element strides of n, c, h, w in a packed NCHW or NHWC layout.
void packed(cudnnTensorFormat_t f, const int d[4], int64_t s[4]) {
    if (f == CUDNN_TENSOR_NHWC) {
        s[1] = 1;
        s[3] = d[1];
        s[2] = (int64_t)d[3] * d[1];
        s[0] = (int64_t)d[2] * d[3] * d[1];
    } else {
        s[3] = 1;
        s[2] = d[3];
        s[1] = (int64_t)d[2] * d[3];
        s[0] = (int64_t)d[1] * d[2] * d[3];
    }
}

// Checks the layout and sizes of a packed 4-d tensor or filter: cudnnSetTensor4dDescriptor and
// cudnnSetFilter4dDescriptor take the same ones and must answer them with the same status.
cudnnStatus_t packed_4d_args(const char* fn, cudnnTensorFormat_t format, int n, int c, int h, int w) {
    if (format == CUDNN_TENSOR_NCHW_VECT_C) {
        return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: the simulator supports NCHW and NHWC only", fn);
    }
    if (format != CUDNN_TENSOR_NCHW && format != CUDNN_TENSOR_NHWC) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid format %d", fn, (int)format);
    }
    if (n < 0 || c < 0 || h < 0 || w < 0) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: negative dims %d x %d x %d x %d", fn, n, c, h, w);
    }
    return CUDNN_STATUS_SUCCESS;
}

// cudnnGetTensorSizeInBytes and cudnnGetFilterSizeInBytes: the bytes from the first element to
// the last, float data only.
template <typename T>
cudnnStatus_t size_in_bytes(const char* fn, const T* d, size_t* size) {
    if (!dnn_ready(d) || size == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s", fn);
    if (d->type != CUDNN_DATA_FLOAT) return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: float only", fn);
    *size = (size_t)dnn_extent(d->dim, d->stride) * sizeof(float);
    return CUDNN_STATUS_SUCCESS;
}

template <typename T, Kind K>
cudnnStatus_t create(const char* fn, T** out) {
    if (out == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: descriptor pointer is NULL", fn);
    T* d = new T();
    dnn_add(d, K);
    *out = d;
    return CUDNN_STATUS_SUCCESS;
}

template <typename T, Kind K>
cudnnStatus_t destroy(const char* fn, T* d) {
    if (d == nullptr) return CUDNN_STATUS_SUCCESS;  // cuDNN: destroying NULL is a no-op
    if (!dnn_remove(d, K)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live descriptor", fn);
    delete d;
    return CUDNN_STATUS_SUCCESS;
}

}  // namespace

// ---- tensors ----

CUDNN_EXPORT cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* d) {
    return create<cudnnTensorStruct, Kind::Tensor>("cudnnCreateTensorDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d) {
    return destroy<cudnnTensorStruct, Kind::Tensor>("cudnnDestroyTensorDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptorEx(cudnnTensorDescriptor_t d, cudnnDataType_t type, int n, int c,
                                                        int h, int w, int ns, int cs, int hs, int ws) {
    const char* fn = "cudnnSetTensor4dDescriptorEx";
    if (!dnn_live(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live tensor descriptor", fn);
    if (!valid_type(type)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid data type %d", fn, (int)type);
    if (n < 0 || c < 0 || h < 0 || w < 0 || ns <= 0 || cs <= 0 || hs <= 0 || ws <= 0) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: dims %d x %d x %d x %d strides %d %d %d %d", fn, n, c, h, w, ns,
                         cs, hs, ws);
    }
    if ((int64_t)n * c * h * w > (int64_t)1 << 31) {
        return dnn_error(CUDNN_STATUS_NOT_SUPPORTED, "%s: more than 2^31 elements", fn);
    }
    d->type = type;
    int dims[4] = {n, c, h, w};
    int64_t strides[4] = {ns, cs, hs, ws};
    for (int i = 0; i < 4; i++) {
        d->dim[i] = dims[i];
        d->stride[i] = strides[i];
    }
    d->set = true;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d, cudnnTensorFormat_t format,
                                                      cudnnDataType_t type, int n, int c, int h, int w) {
    const char* fn = "cudnnSetTensor4dDescriptor";
    if (!dnn_live(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live tensor descriptor", fn);
    if (cudnnStatus_t st = packed_4d_args(fn, format, n, c, h, w); st != CUDNN_STATUS_SUCCESS) return st;
    int dims[4] = {n, c, h, w};
    int64_t s[4];
    packed(format, dims, s);
    return cudnnSetTensor4dDescriptorEx(d, type, n, c, h, w, (int)(s[0] > 0 ? s[0] : 1), (int)(s[1] > 0 ? s[1] : 1),
                                        (int)(s[2] > 0 ? s[2] : 1), (int)(s[3] > 0 ? s[3] : 1));
}

CUDNN_EXPORT cudnnStatus_t cudnnGetTensor4dDescriptor(const cudnnTensorDescriptor_t d, cudnnDataType_t* type, int* n,
                                                      int* c, int* h, int* w, int* ns, int* cs, int* hs, int* ws) {
    if (!dnn_ready(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetTensor4dDescriptor: not a set descriptor");
    if (type) *type = d->type;
    int* dims[4] = {n, c, h, w};
    int* strides[4] = {ns, cs, hs, ws};
    for (int i = 0; i < 4; i++) {
        if (dims[i]) *dims[i] = d->dim[i];
        if (strides[i]) *strides[i] = (int)d->stride[i];
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetTensorSizeInBytes(const cudnnTensorDescriptor_t d, size_t* size) {
    return size_in_bytes("cudnnGetTensorSizeInBytes", d, size);
}

// ---- filters ----

CUDNN_EXPORT cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* d) {
    return create<cudnnFilterStruct, Kind::Filter>("cudnnCreateFilterDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t d) {
    return destroy<cudnnFilterStruct, Kind::Filter>("cudnnDestroyFilterDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d, cudnnDataType_t type,
                                                      cudnnTensorFormat_t format, int k, int c, int h, int w) {
    const char* fn = "cudnnSetFilter4dDescriptor";
    if (!dnn_live(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live filter descriptor", fn);
    if (!valid_type(type)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid data type %d", fn, (int)type);
    if (cudnnStatus_t st = packed_4d_args(fn, format, k, c, h, w); st != CUDNN_STATUS_SUCCESS) return st;
    d->type = type;
    d->format = format;
    int dims[4] = {k, c, h, w};
    for (int i = 0; i < 4; i++) d->dim[i] = dims[i];
    packed(format, d->dim, d->stride);
    d->set = true;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetFilter4dDescriptor(const cudnnFilterDescriptor_t d, cudnnDataType_t* type,
                                                      cudnnTensorFormat_t* format, int* k, int* c, int* h, int* w) {
    if (!dnn_ready(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetFilter4dDescriptor: not a set descriptor");
    if (type) *type = d->type;
    if (format) *format = d->format;
    int* dims[4] = {k, c, h, w};
    for (int i = 0; i < 4; i++) {
        if (dims[i]) *dims[i] = d->dim[i];
    }
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetFilterSizeInBytes(const cudnnFilterDescriptor_t d, size_t* size) {
    return size_in_bytes("cudnnGetFilterSizeInBytes", d, size);
}

// ---- convolutions ----

CUDNN_EXPORT cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* d) {
    return create<cudnnConvolutionStruct, Kind::Convolution>("cudnnCreateConvolutionDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t d) {
    return destroy<cudnnConvolutionStruct, Kind::Convolution>("cudnnDestroyConvolutionDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t d, int pad_h, int pad_w, int u,
                                                           int v, int dilation_h, int dilation_w,
                                                           cudnnConvolutionMode_t mode, cudnnDataType_t computeType) {
    const char* fn = "cudnnSetConvolution2dDescriptor";
    if (!dnn_live(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live convolution descriptor", fn);
    if (pad_h < 0 || pad_w < 0 || u <= 0 || v <= 0 || dilation_h <= 0 || dilation_w <= 0) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: pad %d,%d stride %d,%d dilation %d,%d", fn, pad_h, pad_w, u, v,
                         dilation_h, dilation_w);
    }
    if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid mode %d", fn, (int)mode);
    }
    if (!valid_type(computeType)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid compute type", fn);
    d->pad[0] = pad_h;
    d->pad[1] = pad_w;
    d->stride[0] = u;
    d->stride[1] = v;
    d->dilation[0] = dilation_h;
    d->dilation[1] = dilation_w;
    d->mode = mode;
    d->computeType = computeType;
    d->set = true;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolution2dDescriptor(const cudnnConvolutionDescriptor_t d, int* pad_h,
                                                           int* pad_w, int* u, int* v, int* dilation_h,
                                                           int* dilation_w, cudnnConvolutionMode_t* mode,
                                                           cudnnDataType_t* computeType) {
    if (!dnn_ready(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolution2dDescriptor: not a set descriptor");
    if (pad_h) *pad_h = d->pad[0];
    if (pad_w) *pad_w = d->pad[1];
    if (u) *u = d->stride[0];
    if (v) *v = d->stride[1];
    if (dilation_h) *dilation_h = d->dilation[0];
    if (dilation_w) *dilation_w = d->dilation[1];
    if (mode) *mode = d->mode;
    if (computeType) *computeType = d->computeType;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t mathType) {
    if (!dnn_live(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: not a live descriptor");
    if (mathType < CUDNN_DEFAULT_MATH || mathType > CUDNN_FMA_MATH) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: invalid math type %d", (int)mathType);
    }
    d->mathType = mathType;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t* mathType) {
    if (!dnn_live(d) || mathType == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionMathType");
    *mathType = d->mathType;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int groupCount) {
    if (!dnn_live(d) || groupCount < 1) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: bad descriptor or count %d", groupCount);
    }
    d->groups = groupCount;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int* groupCount) {
    if (!dnn_live(d) || groupCount == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionGroupCount");
    *groupCount = d->groups;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnSetConvolutionReorderType(cudnnConvolutionDescriptor_t d, cudnnReorderType_t t) {
    if (!dnn_live(d) || (t != CUDNN_DEFAULT_REORDER && t != CUDNN_NO_REORDER)) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionReorderType");
    }
    d->reorder = t;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetConvolutionReorderType(cudnnConvolutionDescriptor_t d, cudnnReorderType_t* t) {
    if (!dnn_live(d) || t == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionReorderType");
    *t = d->reorder;
    return CUDNN_STATUS_SUCCESS;
}

// ---- pooling ----

CUDNN_EXPORT cudnnStatus_t cudnnCreatePoolingDescriptor(cudnnPoolingDescriptor_t* d) {
    return create<cudnnPoolingStruct, Kind::Pooling>("cudnnCreatePoolingDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnDestroyPoolingDescriptor(cudnnPoolingDescriptor_t d) {
    return destroy<cudnnPoolingStruct, Kind::Pooling>("cudnnDestroyPoolingDescriptor", d);
}

CUDNN_EXPORT cudnnStatus_t cudnnSetPooling2dDescriptor(cudnnPoolingDescriptor_t d, cudnnPoolingMode_t mode,
                                                       cudnnNanPropagation_t nan, int wh, int ww, int ph, int pw,
                                                       int sh, int sw) {
    const char* fn = "cudnnSetPooling2dDescriptor";
    if (!dnn_live(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: not a live pooling descriptor", fn);
    if (mode < CUDNN_POOLING_MAX || mode > CUDNN_POOLING_MAX_DETERMINISTIC) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid mode %d", fn, (int)mode);
    }
    if (nan != CUDNN_NOT_PROPAGATE_NAN && nan != CUDNN_PROPAGATE_NAN) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: invalid NaN option %d", fn, (int)nan);
    }
    if (wh <= 0 || ww <= 0 || ph < 0 || pw < 0 || sh <= 0 || sw <= 0) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "%s: window %dx%d pad %d,%d stride %d,%d", fn, wh, ww, ph, pw, sh, sw);
    }
    d->mode = mode;
    d->nan = nan;
    d->window[0] = wh;
    d->window[1] = ww;
    d->pad[0] = ph;
    d->pad[1] = pw;
    d->stride[0] = sh;
    d->stride[1] = sw;
    d->set = true;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetPooling2dDescriptor(const cudnnPoolingDescriptor_t d, cudnnPoolingMode_t* mode,
                                                       cudnnNanPropagation_t* nan, int* wh, int* ww, int* ph, int* pw,
                                                       int* sh, int* sw) {
    if (!dnn_ready(d)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetPooling2dDescriptor: not a set descriptor");
    if (mode) *mode = d->mode;
    if (nan) *nan = d->nan;
    if (wh) *wh = d->window[0];
    if (ww) *ww = d->window[1];
    if (ph) *ph = d->pad[0];
    if (pw) *pw = d->pad[1];
    if (sh) *sh = d->stride[0];
    if (sw) *sw = d->stride[1];
    return CUDNN_STATUS_SUCCESS;
}

// ---- batch norm ----

// cudnn_ops.h: 1xCx1x1 for the spatial modes, 1xCxHxW per activation; packed NCHW, x's type.
CUDNN_EXPORT cudnnStatus_t cudnnDeriveBNTensorDescriptor(cudnnTensorDescriptor_t derived,
                                                         const cudnnTensorDescriptor_t x, cudnnBatchNormMode_t mode) {
    if (!dnn_live(derived) || !dnn_ready(x)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnDeriveBNTensorDescriptor");
    bool spatial = mode == CUDNN_BATCHNORM_SPATIAL || mode == CUDNN_BATCHNORM_SPATIAL_PERSISTENT;
    if (!spatial && mode != CUDNN_BATCHNORM_PER_ACTIVATION) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnDeriveBNTensorDescriptor: invalid mode %d", (int)mode);
    }
    int h = spatial ? 1 : x->dim[2];
    int w = spatial ? 1 : x->dim[3];
    return cudnnSetTensor4dDescriptor(derived, CUDNN_TENSOR_NCHW, x->type, 1, x->dim[1], h, w);
}
