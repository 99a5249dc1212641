// Modules and functions: cuModuleLoadData hands the PTX text to the interpreter's loader
// (ptx::load); only PTX text is accepted (a cubin or fatbin is CUDA_ERROR_INVALID_IMAGE).
#include <cstring>
#include <set>

#include "driver.h"

namespace jgsim::drv {
namespace {

std::set<Module*>& modules() {
    static auto* s = new std::set<Module*>();
    return *s;
}

std::set<Function*>& functions() {
    static auto* s = new std::set<Function*>();
    return *s;
}

void unload(Module* m) {
    m->alive = false;
    for (auto& [name, f] : m->functions) f->alive = false;
    m->code.reset();
}

CUresult check_module(CUmodule h, const char* who, Module** out) {
    auto* m = reinterpret_cast<Module*>(h);
    if (h == nullptr) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: module is null", who);
    if (modules().count(m) == 0) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: %p is not a module", who, h);
    if (!m->alive) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: module %p was unloaded", who, h);
    *out = m;
    return CUDA_SUCCESS;
}

// Loads PTX text; on a parse error copies the message into log (when given) too.
CUresult load(CUmodule* out, const void* image, const char* who, char* log, size_t log_size) {
    Context* ctx = nullptr;
    if (CUresult rc = need_context(who, &ctx)) return rc;
    if (out == nullptr || image == nullptr) return api_error(CUDA_ERROR_INVALID_VALUE, "%s: null argument", who);
    const auto* bytes = static_cast<const unsigned char*>(image);
    if (memcmp(bytes, "\x7f" "ELF", 4) == 0 || memcmp(bytes, "\x50\xed\x55\xba", 4) == 0) {
        return api_error(CUDA_ERROR_INVALID_IMAGE, "%s: the image is a cubin or fatbin; the simulator runs PTX text only", who);
    }
    std::string error;
    std::unique_ptr<ptx::Module> code = ptx::load(std::string(static_cast<const char*>(image)), &error);
    if (code == nullptr) {
        if (log != nullptr && log_size > 0) {
            strncpy(log, error.c_str(), log_size - 1);
            log[log_size - 1] = '\0';
        }
        return api_error(CUDA_ERROR_INVALID_PTX, "%s: PTX rejected: %s", who, error.c_str());
    }
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    auto* m = new Module{ctx, true, std::move(code), {}};
    modules().insert(m);
    *out = reinterpret_cast<CUmodule>(m);
    return CUDA_SUCCESS;
}

}  // namespace

CUresult check_function(CUfunction h, const char* who, Function** out) {
    auto* f = reinterpret_cast<Function*>(h);
    if (h == nullptr) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: function is null", who);
    if (functions().count(f) == 0) return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: %p is not a function", who, h);
    if (!f->alive) {
        return api_error(CUDA_ERROR_INVALID_HANDLE, "%s: function %s belongs to module %p, which was unloaded", who,
                         f->name.c_str(), static_cast<void*>(f->module));
    }
    *out = f;
    return CUDA_SUCCESS;
}

void module_context_destroyed(Context* ctx) {
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    for (Module* m : modules()) {
        if (m->ctx == ctx && m->alive) unload(m);
    }
}

}  // namespace jgsim::drv

using namespace jgsim::drv;

CUAPI cuModuleLoadData(CUmodule* module, const void* image) {
    return load(module, image, "cuModuleLoadData", nullptr, 0);
}

CUAPI cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int numOptions, CUjit_option* options,
                         void** optionValues) {
    char* log = nullptr;
    size_t log_size = 0;
    for (unsigned i = 0; options != nullptr && optionValues != nullptr && i < numOptions; i++) {
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER) log = static_cast<char*>(optionValues[i]);
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) log_size = reinterpret_cast<uintptr_t>(optionValues[i]);
    }
    return load(module, image, "cuModuleLoadDataEx", log, log_size);  // other JIT options do not apply
}

CUAPI cuModuleUnload(CUmodule h) {
    if (CUresult rc = need_context("cuModuleUnload")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Module* m = nullptr;
    if (CUresult rc = check_module(h, "cuModuleUnload", &m)) return rc;
    unload(m);
    return CUDA_SUCCESS;
}

CUAPI cuModuleGetFunction(CUfunction* hfunc, CUmodule h, const char* name) {
    if (CUresult rc = need_context("cuModuleGetFunction")) return rc;
    if (hfunc == nullptr || name == nullptr) return api_error(CUDA_ERROR_INVALID_VALUE, "cuModuleGetFunction: null argument");
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Module* m = nullptr;
    if (CUresult rc = check_module(h, "cuModuleGetFunction", &m)) return rc;
    auto it = m->functions.find(name);
    if (it != m->functions.end()) {
        *hfunc = reinterpret_cast<CUfunction>(it->second);
        return CUDA_SUCCESS;
    }
    const ptx::KernelInfo* info = m->code->kernel(name);
    if (info == nullptr) {
        std::string have;
        for (const std::string& k : m->code->kernel_names()) have += (have.empty() ? "" : ", ") + k;
        return api_error(CUDA_ERROR_NOT_FOUND, "cuModuleGetFunction: the module has no .entry %s (it has: %s)", name,
                         have.empty() ? "none" : have.c_str());
    }
    uint32_t dyn = info->static_shared_bytes < kSharedPerBlock ? kSharedPerBlock - info->static_shared_bytes : 0;
    auto* f = new Function{m, name, info, true, dyn};
    functions().insert(f);
    m->functions[name] = f;
    *hfunc = reinterpret_cast<CUfunction>(f);
    return CUDA_SUCCESS;
}

CUAPI cuFuncGetModule(CUmodule* hmod, CUfunction h) {
    if (CUresult rc = need_context("cuFuncGetModule")) return rc;
    if (hmod == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Function* f = nullptr;
    if (CUresult rc = check_function(h, "cuFuncGetModule", &f)) return rc;
    *hmod = reinterpret_cast<CUmodule>(f->module);
    return CUDA_SUCCESS;
}

CUAPI cuFuncGetAttribute(int* pi, CUfunction_attribute attrib, CUfunction h) {
    if (CUresult rc = need_context("cuFuncGetAttribute")) return rc;
    if (pi == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Function* f = nullptr;
    if (CUresult rc = check_function(h, "cuFuncGetAttribute", &f)) return rc;
    switch (attrib) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
        *pi = f->info->max_threads != 0 && f->info->max_threads < 1024 ? static_cast<int>(f->info->max_threads) : 1024;
        return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *pi = static_cast<int>(f->info->static_shared_bytes); return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *pi = 0; return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *pi = 0; return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION: *pi = 90; return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *pi = 90; return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_CACHE_MODE_CA: *pi = 0; return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *pi = static_cast<int>(f->max_dynamic_shared); return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT: *pi = -1; return CUDA_SUCCESS;
    default:  // CU_FUNC_ATTRIBUTE_NUM_REGS among them: there is no register allocation to report
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuFuncGetAttribute: attribute %d is not simulated", static_cast<int>(attrib));
    }
}

CUAPI cuFuncSetAttribute(CUfunction h, CUfunction_attribute attrib, int value) {
    if (CUresult rc = need_context("cuFuncSetAttribute")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Function* f = nullptr;
    if (CUresult rc = check_function(h, "cuFuncSetAttribute", &f)) return rc;
    if (attrib == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) {
        if (value < 0 || f->info->static_shared_bytes + static_cast<uint64_t>(value) > kSharedPerBlockOptin) {
            return api_error(CUDA_ERROR_INVALID_VALUE,
                             "cuFuncSetAttribute: %s: %d bytes of dynamic shared memory plus %u static exceed the %u-byte opt-in limit",
                             f->name.c_str(), value, f->info->static_shared_bytes, kSharedPerBlockOptin);
        }
        f->max_dynamic_shared = static_cast<uint32_t>(value);
        return CUDA_SUCCESS;
    }
    if (attrib == CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT) return CUDA_SUCCESS;  // a hint
    return api_error(CUDA_ERROR_INVALID_VALUE, "cuFuncSetAttribute: attribute %d is not simulated", static_cast<int>(attrib));
}

CUAPI cuFuncSetCacheConfig(CUfunction h, CUfunc_cache config) {
    if (CUresult rc = need_context("cuFuncSetCacheConfig")) return rc;
    std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
    Function* f = nullptr;
    return check_function(h, "cuFuncSetCacheConfig", &f);  // a hint: nothing to do
}
