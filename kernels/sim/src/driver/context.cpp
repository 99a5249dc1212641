// Contexts (the primary context and cuCtxCreate'd ones, a per-thread current-context stack),
// streams and events.
//
// Everything runs synchronously in issue order, so a stream is only a validated handle, an event
// records the host time at which it was recorded (all earlier work has finished by then), and every
// synchronize returns at once (and is counted in host_syncs).
#include <chrono>
#include <set>
#include <vector>

#include "driver.h"


namespace jgsim::drv {

std::recursive_mutex g_api_mutex;

namespace {

thread_local std::vector<Context*> t_stack;  // the calling thread's context stack; top is current

std::set<const void*>& context_set() {
    static auto* s = new std::set<const void*>();
    return *s;
}

struct Stream {
    Context* ctx;
    bool alive;
};

struct Event {
    Context* ctx;
    bool alive;
    unsigned flags;
    bool recorded;
    std::chrono::steady_clock::time_point when;
};

// Handles are never deleted, so a destroyed one is recognised instead of aliasing a new one.
std::set<Stream*>& streams() {
    static auto* s = new std::set<Stream*>();
    return *s;
}

std::set<Event*>& events() {
    static auto* s = new std::set<Event*>();
    return *s;
}

// Destroys ctx's resources as a real driver does when a context goes away: its device memory (with
// a leak report), streams, events and modules.
void destroy_context(Context* ctx, const char* when) {
    release_context_memory(ctx, when);
    for (Stream* s : streams()) {
        if (s->ctx == ctx) s->alive = false;
    }
    for (Event* e : events()) {
        if (e->ctx == ctx) e->alive = false;
    }
    module_context_destroyed(ctx);
    ctx->alive = false;
    ctx->refs = 0;
    ctx->sticky = CUDA_SUCCESS;
    write_counters_file();
}

CUresult check_event(CUevent h, const char* who, Event** out) {
    Event* e = reinterpret_cast<Event*>(h);
    if (h == nullptr) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: event is null", who);
    if (events().count(e) == 0) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: %p is not an event", who, h);
    if (!e->alive) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: event %p was destroyed", who, h);
    *out = e;
    return CUDA_SUCCESS;
}

}  // namespace

Context* primary_context() {
    static Context* p = [] {
        auto* c = new Context();
        c->primary = true;
        context_set().insert(c);
        return c;
    }();
    return p;
}

Context* current_context() { return t_stack.empty() ? nullptr : t_stack.back(); }

void set_current_context(Context* ctx) {
    if (t_stack.empty()) {
        if (ctx != nullptr) t_stack.push_back(ctx);
    } else if (ctx == nullptr) {
        t_stack.pop_back();
    } else {
        t_stack.back() = ctx;
    }
}

bool is_context(const void* p) {
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    primary_context();
    return context_set().count(p) != 0;
}

CUresult need_context(const char* who, Context** out) {
    if (!g_initialized.load()) return CUDA_ERROR_NOT_INITIALIZED;
    Context* c = current_context();
    if (c == nullptr) {
        return api_error(CUDA_ERROR_INVALID_CONTEXT,
                         "%s: no current context on this thread (cuDevicePrimaryCtxRetain + cuCtxSetCurrent first)", who);
    }
    if (!c->alive) {
        return api_error(CUDA_ERROR_INVALID_CONTEXT, "%s: the current context was %s", who,
                         c->primary ? "released (its retain count reached 0) or reset" : "destroyed");
    }
    if (CUresult sticky = c->sticky.load()) return sticky;  // the fault's message is already jgsim_last_error
    if (out != nullptr) *out = c;
    return CUDA_SUCCESS;
}

CUresult check_stream(CUstream h, const char* who) {
    if (h == nullptr || h == CU_STREAM_LEGACY || h == CU_STREAM_PER_THREAD) return CUDA_SUCCESS;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Stream* s = reinterpret_cast<Stream*>(h);
    if (streams().count(s) == 0) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: %p is not a stream", who, h);
    if (!s->alive) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: stream %p was destroyed", who, h);
    return CUDA_SUCCESS;
}

}  // namespace jgsim::drv

using namespace jgsim::drv;

// ---- primary context

CUAPI cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxRetain: no device %d", dev);
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Context* p = primary_context();
    if (p->refs == 0) {
        p->alive = true;
        p->sticky = CUDA_SUCCESS;
    }
    p->refs++;
    *pctx = reinterpret_cast<CUcontext>(p);
    return CUDA_SUCCESS;
}

CUAPI cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxRelease: no device %d", dev);
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Context* p = primary_context();
    if (p->refs == 0) {
        return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuDevicePrimaryCtxRelease: the primary context is not retained");
    }
    if (--p->refs == 0) destroy_context(p, "when the primary context was released");
    return CUDA_SUCCESS;
}

CUAPI cuDevicePrimaryCtxReset_v2(CUdevice dev) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxReset: no device %d", dev);
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Context* p = primary_context();
    if (p->alive) destroy_context(p, "when the primary context was reset");
    return CUDA_SUCCESS;
}

CUAPI cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int* flags, int* active) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxGetState: no device %d", dev);
    if (flags == nullptr || active == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    *flags = primary_context()->flags;
    *active = primary_context()->alive ? 1 : 0;
    return CUDA_SUCCESS;
}

CUAPI cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuDevicePrimaryCtxSetFlags: no device %d", dev);
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    primary_context()->flags = flags;
    return CUDA_SUCCESS;
}

// ---- other contexts and the current-context stack

CUAPI cuCtxCreate_v2(CUcontext* pctx, unsigned int flags, CUdevice dev) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuCtxCreate: no device %d", dev);
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    auto* c = new Context();
    c->alive = true;
    c->flags = flags;
    context_set().insert(c);
    t_stack.push_back(c);
    *pctx = reinterpret_cast<CUcontext>(c);
    return CUDA_SUCCESS;
}

CUAPI cuCtxDestroy_v2(CUcontext ctx) {
    if (CUresult rc = need_init()) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    auto* c = reinterpret_cast<Context*>(ctx);
    if (ctx == nullptr || !is_context(ctx)) return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuCtxDestroy: %p is not a context", ctx);
    if (c->primary) return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuCtxDestroy: the primary context is released with cuDevicePrimaryCtxRelease, not destroyed");
    if (!c->alive) return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuCtxDestroy: context %p was already destroyed", ctx);
    destroy_context(c, "when their context was destroyed");
    if (current_context() == c) t_stack.pop_back();
    return CUDA_SUCCESS;
}

CUAPI cuCtxSetCurrent(CUcontext ctx) {
    if (CUresult rc = need_init()) return rc;
    if (ctx != nullptr && !is_context(ctx)) return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuCtxSetCurrent: %p is not a context", ctx);
    set_current_context(reinterpret_cast<Context*>(ctx));
    return CUDA_SUCCESS;
}

CUAPI cuCtxGetCurrent(CUcontext* pctx) {
    if (CUresult rc = need_init()) return rc;
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *pctx = reinterpret_cast<CUcontext>(current_context());
    return CUDA_SUCCESS;
}

CUAPI cuCtxPushCurrent_v2(CUcontext ctx) {
    if (CUresult rc = need_init()) return rc;
    if (ctx == nullptr || !is_context(ctx)) return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuCtxPushCurrent: %p is not a context", ctx);
    t_stack.push_back(reinterpret_cast<Context*>(ctx));
    return CUDA_SUCCESS;
}

CUAPI cuCtxPopCurrent_v2(CUcontext* pctx) {
    if (CUresult rc = need_init()) return rc;
    if (t_stack.empty()) return api_error(CUDA_ERROR_INVALID_CONTEXT, "cuCtxPopCurrent: no current context");
    if (pctx != nullptr) *pctx = reinterpret_cast<CUcontext>(t_stack.back());
    t_stack.pop_back();
    return CUDA_SUCCESS;
}

CUAPI cuCtxGetDevice(CUdevice* device) {
    if (CUresult rc = need_context("cuCtxGetDevice")) return rc;
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *device = 0;
    return CUDA_SUCCESS;
}

CUAPI cuCtxSynchronize(void) {
    if (CUresult rc = need_context("cuCtxSynchronize")) return rc;
    count_host_sync();
    return CUDA_SUCCESS;
}

// ---- streams

CUAPI cuStreamCreate(CUstream* ph, unsigned int flags) {
    Context* ctx = nullptr;
    if (CUresult rc = need_context("cuStreamCreate", &ctx)) return rc;
    if (ph == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (flags & ~static_cast<unsigned>(CU_STREAM_NON_BLOCKING)) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuStreamCreate: unknown flags 0x%x", flags);
    }
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    auto* s = new Stream{ctx, true};
    streams().insert(s);
    *ph = reinterpret_cast<CUstream>(s);
    return CUDA_SUCCESS;
}

CUAPI cuStreamCreateWithPriority(CUstream* ph, unsigned int flags, int priority) {
    return cuStreamCreate(ph, flags);
}

CUAPI cuStreamDestroy_v2(CUstream h) {
    if (CUresult rc = need_context("cuStreamDestroy")) return rc;
    if (h == nullptr || h == CU_STREAM_LEGACY || h == CU_STREAM_PER_THREAD) {
        return api_error(CUDA_ERROR_INVALID_HANDLE, "cuStreamDestroy: the default stream cannot be destroyed");
    }
    if (CUresult rc = check_stream(h, "cuStreamDestroy")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    reinterpret_cast<Stream*>(h)->alive = false;
    return CUDA_SUCCESS;
}

CUAPI cuStreamSynchronize(CUstream h) {
    if (CUresult rc = need_context("cuStreamSynchronize")) return rc;
    if (CUresult rc = check_stream(h, "cuStreamSynchronize")) return rc;
    count_host_sync();
    return CUDA_SUCCESS;
}

CUAPI cuStreamQuery(CUstream h) {
    if (CUresult rc = need_context("cuStreamQuery")) return rc;
    return check_stream(h, "cuStreamQuery");  // all work has finished: CUDA_SUCCESS
}

CUAPI cuStreamWaitEvent(CUstream h, CUevent e, unsigned int flags) {
    if (CUresult rc = need_context("cuStreamWaitEvent")) return rc;
    if (CUresult rc = check_stream(h, "cuStreamWaitEvent")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Event* ev = nullptr;
    return check_event(e, "cuStreamWaitEvent", &ev);
}

CUAPI cuStreamGetCtx(CUstream h, CUcontext* pctx) {
    Context* ctx = nullptr;
    if (CUresult rc = need_context("cuStreamGetCtx", &ctx)) return rc;
    if (CUresult rc = check_stream(h, "cuStreamGetCtx")) return rc;
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    bool named = h != nullptr && h != CU_STREAM_LEGACY && h != CU_STREAM_PER_THREAD;
    *pctx = reinterpret_cast<CUcontext>(named ? reinterpret_cast<Stream*>(h)->ctx : ctx);
    return CUDA_SUCCESS;
}

// ---- events

CUAPI cuEventCreate(CUevent* ph, unsigned int flags) {
    Context* ctx = nullptr;
    if (CUresult rc = need_context("cuEventCreate", &ctx)) return rc;
    if (ph == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    auto* e = new Event{ctx, true, flags, false, {}};
    events().insert(e);
    *ph = reinterpret_cast<CUevent>(e);
    return CUDA_SUCCESS;
}

CUAPI cuEventRecord(CUevent h, CUstream s) {
    if (CUresult rc = need_context("cuEventRecord")) return rc;
    if (CUresult rc = check_stream(s, "cuEventRecord")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Event* e = nullptr;
    if (CUresult rc = check_event(h, "cuEventRecord", &e)) return rc;
    e->recorded = true;
    e->when = std::chrono::steady_clock::now();
    return CUDA_SUCCESS;
}

CUAPI cuEventRecordWithFlags(CUevent h, CUstream s, unsigned int flags) { return cuEventRecord(h, s); }

CUAPI cuEventSynchronize(CUevent h) {
    if (CUresult rc = need_context("cuEventSynchronize")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Event* e = nullptr;
    if (CUresult rc = check_event(h, "cuEventSynchronize", &e)) return rc;
    count_host_sync();
    return CUDA_SUCCESS;
}

CUAPI cuEventQuery(CUevent h) {
    if (CUresult rc = need_context("cuEventQuery")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Event* e = nullptr;
    return check_event(h, "cuEventQuery", &e);
}

CUAPI cuEventElapsedTime(float* ms, CUevent start, CUevent end) {
    if (CUresult rc = need_context("cuEventElapsedTime")) return rc;
    if (ms == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Event* a = nullptr;
    Event* b = nullptr;
    if (CUresult rc = check_event(start, "cuEventElapsedTime", &a)) return rc;
    if (CUresult rc = check_event(end, "cuEventElapsedTime", &b)) return rc;
    if ((a->flags | b->flags) & CU_EVENT_DISABLE_TIMING) {
        return api_error(CUDA_ERROR_INVALID_HANDLE, "cuEventElapsedTime: an event was created with CU_EVENT_DISABLE_TIMING");
    }
    if (!a->recorded || !b->recorded) {
        return api_error(CUDA_ERROR_INVALID_HANDLE, "cuEventElapsedTime: an event was never recorded");
    }
    // Host time between the two records: simulator time, never a GPU figure.
    *ms = std::chrono::duration<float, std::milli>(b->when - a->when).count();
    return CUDA_SUCCESS;
}

CUAPI cuEventDestroy_v2(CUevent h) {
    if (CUresult rc = need_context("cuEventDestroy")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Event* e = nullptr;
    if (CUresult rc = check_event(h, "cuEventDestroy", &e)) return rc;
    e->alive = false;
    return CUDA_SUCCESS;
}
