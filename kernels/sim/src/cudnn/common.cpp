// The simulated cuDNN's shared helpers (see cudnn_internal.h).
#include "cudnn_internal.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {
std::mutex mu;
std::unordered_map<const void*, Kind> objects;
thread_local std::string last_error;

bool live(const void* p, Kind kind) {
    if (p == nullptr) return false;
    std::lock_guard<std::mutex> g(mu);
    auto it = objects.find(p);
    return it != objects.end() && it->second == kind;
}
}  // namespace

void dnn_add(const void* p, Kind kind) {
    std::lock_guard<std::mutex> g(mu);
    objects[p] = kind;
}

bool dnn_remove(const void* p, Kind kind) {
    std::lock_guard<std::mutex> g(mu);
    auto it = objects.find(p);
    if (p == nullptr || it == objects.end() || it->second != kind) return false;
    objects.erase(it);
    return true;
}

bool dnn_live(const cudnnContext* p) { return live(p, Kind::Handle); }
bool dnn_live(const cudnnTensorStruct* p) { return live(p, Kind::Tensor); }
bool dnn_live(const cudnnFilterStruct* p) { return live(p, Kind::Filter); }
bool dnn_live(const cudnnConvolutionStruct* p) { return live(p, Kind::Convolution); }
bool dnn_live(const cudnnPoolingStruct* p) { return live(p, Kind::Pooling); }

cudnnStatus_t dnn_error(cudnnStatus_t status, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    last_error = buf;
    const char* dbg = std::getenv("CUDNN_LOGERR_DBG");
    if (dbg != nullptr && std::strcmp(dbg, "1") == 0) {
        std::fprintf(stderr, "jgrad CUDA simulator: cuDNN status %d: %s\n", (int)status, buf);
    }
    return status;
}

// cudnn_graph.h: cudnnGetLastErrorString copies the last error message of this thread, then clears it.
CUDNN_EXPORT void cudnnGetLastErrorString(char* message, size_t max_size) {
    if (message == nullptr || max_size == 0) return;
    std::snprintf(message, max_size, "%s", last_error.c_str());
    last_error.clear();
}

int64_t dnn_extent(const int dim[4], const int64_t stride[4]) {
    int64_t last = 0;
    for (int i = 0; i < 4; i++) {
        if (dim[i] <= 0) return 0;
        last += (int64_t)(dim[i] - 1) * stride[i];
    }
    return last + 1;
}

namespace {
bool view(const char* fn, const char* arg, const int dim[4], const int64_t stride[4], const void* p, View* out) {
    int64_t elems = dnn_extent(dim, stride);
    for (int i = 0; i < 4; i++) {
        out->dim[i] = dim[i];
        out->stride[i] = stride[i];
    }
    if (elems == 0) {
        out->data = nullptr;
        return true;
    }
    char who[192];
    std::snprintf(who, sizeof who, "%s argument %s (%d x %d x %d x %d floats)", fn, arg, dim[0], dim[1], dim[2], dim[3]);
    out->data = static_cast<float*>(jgsim_device_range(reinterpret_cast<uint64_t>(p), (uint64_t)elems * 4, who));
    return out->data != nullptr;
}
}  // namespace

bool dnn_view(const char* fn, const char* arg, const cudnnTensorStruct* d, const void* p, View* out) {
    return view(fn, arg, d->dim, d->stride, p, out);
}

bool dnn_view(const char* fn, const char* arg, const cudnnFilterStruct* d, const void* p, View* out) {
    return view(fn, arg, d->dim, d->stride, p, out);
}

void* dnn_range(const char* fn, const char* arg, const void* p, uint64_t bytes) {
    char who[160];
    std::snprintf(who, sizeof who, "%s argument %s (%llu bytes)", fn, arg, (unsigned long long)bytes);
    return jgsim_device_range(reinterpret_cast<uint64_t>(p), bytes, who);
}

bool dnn_same_shape(const cudnnTensorStruct* a, const cudnnTensorStruct* b) {
    for (int i = 0; i < 4; i++) {
        if (a->dim[i] != b->dim[i]) return false;
    }
    return a->type == b->type;
}

float dnn_round_tf32(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return x;
    u += 0x0fffu + ((u >> 13) & 1u);
    u &= 0xffffe000u;
    std::memcpy(&x, &u, 4);
    return x;
}
