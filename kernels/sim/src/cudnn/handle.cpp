// cuDNN library and handle functions: versions, error strings, cudnnCreate/Destroy, streams.
// A handle (or descriptor) that is NULL, destroyed or never created is CUDNN_STATUS_BAD_PARAM.
#include "cudnn_internal.h"

CUDNN_EXPORT size_t cudnnGetVersion(void) { return CUDNN_VERSION; }

CUDNN_EXPORT size_t cudnnGetMaxDeviceVersion(void) { return CUDNN_MAX_DEVICE_VERSION; }

// The CUDA runtime cuDNN was built against: 12.6 (CUDART_VERSION 12060).
CUDNN_EXPORT size_t cudnnGetCudartVersion(void) { return 12060; }

CUDNN_EXPORT cudnnStatus_t cudnnGetProperty(libraryPropertyType type, int* value) {
    if (value == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetProperty: value is NULL");
    switch (type) {
    case MAJOR_VERSION: *value = CUDNN_MAJOR; return CUDNN_STATUS_SUCCESS;
    case MINOR_VERSION: *value = CUDNN_MINOR; return CUDNN_STATUS_SUCCESS;
    case PATCH_LEVEL: *value = CUDNN_PATCHLEVEL; return CUDNN_STATUS_SUCCESS;
    }
    return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetProperty: unknown property %d", (int)type);
}

// cuDNN 9's cudnnGetErrorString gives the enum's name.
CUDNN_EXPORT const char* cudnnGetErrorString(cudnnStatus_t status) {
    switch (status) {
#define NAME(s) case s: return #s;
    NAME(CUDNN_STATUS_SUCCESS)
    NAME(CUDNN_STATUS_NOT_INITIALIZED)
    NAME(CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH)
    NAME(CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH)
    NAME(CUDNN_STATUS_DEPRECATED)
    NAME(CUDNN_STATUS_LICENSE_ERROR)
    NAME(CUDNN_STATUS_RUNTIME_IN_PROGRESS)
    NAME(CUDNN_STATUS_RUNTIME_FP_OVERFLOW)
    NAME(CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED)
    NAME(CUDNN_STATUS_BAD_PARAM)
    NAME(CUDNN_STATUS_INVALID_VALUE)
    NAME(CUDNN_STATUS_BAD_PARAM_NULL_POINTER)
    NAME(CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER)
    NAME(CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED)
    NAME(CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND)
    NAME(CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT)
    NAME(CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH)
    NAME(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH)
    NAME(CUDNN_STATUS_BAD_PARAM_DUPLICATED_ENTRIES)
    NAME(CUDNN_STATUS_BAD_PARAM_ATTRIBUTE_TYPE)
    NAME(CUDNN_STATUS_BAD_PARAM_CUDA_GRAPH_MISMATCH)
    NAME(CUDNN_STATUS_BAD_PARAM_DESCRIPTOR_TYPE)
    NAME(CUDNN_STATUS_NOT_SUPPORTED)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_SHAPE)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_INCOMPATIBLE_CUDART)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_PADDING)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_BAD_LAUNCH_PARAM)
    NAME(CUDNN_STATUS_NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API)
    NAME(CUDNN_STATUS_INTERNAL_ERROR)
    NAME(CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED)
    NAME(CUDNN_STATUS_INTERNAL_ERROR_UNEXPECTED_VALUE)
    NAME(CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED)
    NAME(CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED)
    NAME(CUDNN_STATUS_INTERNAL_ERROR_BAD_LAUNCH_PARAM)
    NAME(CUDNN_STATUS_INTERNAL_ERROR_TEXTURE_CREATION_FAILED)
    NAME(CUDNN_STATUS_EXECUTION_FAILED)
    NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER)
    NAME(CUDNN_STATUS_EXECUTION_FAILED_CUBLAS)
    NAME(CUDNN_STATUS_EXECUTION_FAILED_CUDART)
    NAME(CUDNN_STATUS_EXECUTION_FAILED_CURAND)
#undef NAME
    }
    return "CUDNN_STATUS_UNKNOWN";
}

CUDNN_EXPORT cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
    jgsim_count("cudnnCreate", 1);
    if (handle == nullptr) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnCreate: handle is NULL");
    cudnnHandle_t h = new cudnnContext();
    dnn_add(h, Kind::Handle);
    *handle = h;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
    jgsim_count("cudnnDestroy", 1);
    if (!dnn_remove(handle, Kind::Handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy: not a live handle");
    delete handle;
    return CUDNN_STATUS_SUCCESS;
}

// Streams are recorded only: the simulated driver runs work in issue order and a library call
// runs when it is made.
CUDNN_EXPORT cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId) {
    if (!dnn_live(handle)) return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnSetStream: not a live handle");
    handle->stream = streamId;
    return CUDNN_STATUS_SUCCESS;
}

CUDNN_EXPORT cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t* streamId) {
    if (!dnn_live(handle) || streamId == nullptr) {
        return dnn_error(CUDNN_STATUS_BAD_PARAM, "cudnnGetStream: not a live handle or NULL streamId");
    }
    *streamId = handle->stream;
    return CUDNN_STATUS_SUCCESS;
}
