// Launch execution: the parameter space, blocks on a small worker pool, threads of a block as
// separate contexts switched at bar.sync, and the fault report.
//
// Within a block, threads run one after another in linear thread-id order, each until it reaches
// bar.sync or exits. When every thread has stopped, all must wait at the same bar.sync (same
// instruction, so the same barrier id); then they all continue. Anything else (a thread exited
// while others wait, threads at different barriers) is barrier divergence, undefined on a GPU and
// reported here. This order is fixed, so a run is reproducible; a race that a GPU's interleaving
// would expose (a missing __syncthreads) shows up as a read of unwritten shared memory only when
// the reader comes first in this order.
#include "ptx/ptx_internal.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace jgsim::ptx {

namespace {

std::string dim3(uint32_t x, uint32_t y, uint32_t z) {
    return "(" + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z) + ")";
}

enum class ThreadState : uint8_t { Running, Waiting, Exited };

// One worker's reusable buffers and the block being run.
struct Worker {
    const KernelImpl* kernel;
    const Launch* launch;
    uint32_t threads, nslots;
    std::vector<uint64_t> slots;  // threads × nslots register files
    std::vector<uint32_t> pc;
    std::vector<ThreadState> state;
    std::vector<uint8_t> shared, shadow;
    BlockEnv env;

    Worker(const KernelImpl* k, const Launch* l, GlobalMemory* memory, const std::vector<uint8_t>& params, uint64_t shared_bytes)
        : kernel(k), launch(l) {
        threads = l->block.x * l->block.y * l->block.z;
        nslots = (uint32_t)k->initial_slots.size();
        slots.resize((size_t)threads * nslots);
        pc.resize(threads);
        state.resize(threads);
        shared.resize(shared_bytes);
        shadow.resize(shared_bytes);
        env.kernel = k;
        env.memory = memory;
        env.shared = shared.data();
        env.shadow = shadow.data();
        env.shared_bytes = shared_bytes;
        env.params = params.data();
        env.param_bytes = (uint32_t)params.size();
    }

    std::string thread_name(uint32_t t) const {
        const Dim3& b = launch->block;
        return dim3(t % b.x, t / b.x % b.y, t / (b.x * b.y));
    }
    std::string where(const Dim3& block, uint32_t t, uint32_t instr) const {
        return "kernel " + kernel->info.name + ", block " + dim3(block.x, block.y, block.z) + ", thread " + thread_name(t) +
               ", line " + std::to_string(kernel->code[instr].line) + " `" + kernel->text[instr] + "`: ";
    }
    std::string at(uint32_t instr) const {
        return "line " + std::to_string(kernel->code[instr].line) + " `" + kernel->text[instr] + "`";
    }

    // Runs one block to completion; false with *fault on the first fault.
    bool run_block(const Dim3& block, std::string* fault) {
        const Dim3 &bd = launch->block, &gd = launch->grid;
        std::fill(shadow.begin(), shadow.end(), 0);  // shared memory starts unwritten in every block
        for (uint32_t t = 0; t < threads; t++) {
            uint64_t* R = &slots[(size_t)t * nslots];
            std::memcpy(R, kernel->initial_slots.data(), nslots * sizeof(uint64_t));
            uint32_t tid[3] = {t % bd.x, t / bd.x % bd.y, t / (bd.x * bd.y)};
            for (auto [slot, which] : kernel->specials) {
                uint32_t v = 0;
                switch (which) {
                    case Special::TidX: v = tid[0]; break;
                    case Special::TidY: v = tid[1]; break;
                    case Special::TidZ: v = tid[2]; break;
                    case Special::NtidX: v = bd.x; break;
                    case Special::NtidY: v = bd.y; break;
                    case Special::NtidZ: v = bd.z; break;
                    case Special::CtaidX: v = block.x; break;
                    case Special::CtaidY: v = block.y; break;
                    case Special::CtaidZ: v = block.z; break;
                    case Special::NctaidX: v = gd.x; break;
                    case Special::NctaidY: v = gd.y; break;
                    case Special::NctaidZ: v = gd.z; break;
                }
                R[slot] = v;
            }
            pc[t] = 0;
            state[t] = ThreadState::Running;
        }
        for (;;) {
            for (uint32_t t = 0; t < threads; t++) {
                if (state[t] != ThreadState::Running) continue;
                Stop stop = run_thread(env, &slots[(size_t)t * nslots], &pc[t]);
                if (stop == Stop::Fault) {
                    *fault = where(block, t, pc[t] - 1) + env.fault;
                    return false;
                }
                state[t] = stop == Stop::Barrier ? ThreadState::Waiting : ThreadState::Exited;
            }
            uint32_t first = 0;
            while (first < threads && state[first] != ThreadState::Waiting) first++;
            if (first == threads) return true;  // every thread exited
            uint32_t bar = pc[first] - 1;
            for (uint32_t t = 0; t < threads; t++) {
                if (state[t] == ThreadState::Exited) {
                    *fault = where(block, first, bar) + "barrier divergence: thread " + thread_name(t) + " exited (" +
                             at(pc[t] - 1) + ") instead of reaching this bar.sync";
                    return false;
                }
                if (pc[t] - 1 != bar) {
                    *fault = where(block, first, bar) + "barrier divergence: thread " + thread_name(t) +
                             " waits at a different barrier, " + at(pc[t] - 1);
                    return false;
                }
            }
            std::fill(state.begin(), state.end(), ThreadState::Running);
        }
    }
};

unsigned worker_count(uint64_t blocks) {
    unsigned n = std::max(1u, std::thread::hardware_concurrency());
    if (const char* env = std::getenv("JGRAD_SIM_THREADS")) {
        int v = std::atoi(env);
        if (v > 0) n = (unsigned)v;
    }
    return (unsigned)std::min<uint64_t>({n, blocks, 64});
}

}  // namespace

bool run(const Module& module, const Launch& launch, GlobalMemory& memory, std::string* error, uint64_t* instructions) {
    if (instructions) *instructions = 0;
    auto fail = [&](const std::string& what) {
        if (error) *error = what;
        return false;
    };
    const KernelImpl* k = static_cast<const ModuleImpl&>(module).impl_of(launch.kernel);
    if (!k) return fail("launch of a kernel that is not in this module");
    const std::string& name = k->info.name;
    size_t nparams = k->info.params.size();

    const Dim3 &g = launch.grid, &b = launch.block;
    uint64_t threads = (uint64_t)b.x * b.y * b.z, blocks = (uint64_t)g.x * g.y * g.z;
    if (threads == 0 || blocks == 0)
        return fail("kernel " + name + ": empty launch, grid " + dim3(g.x, g.y, g.z) + " block " + dim3(b.x, b.y, b.z));
    if (threads > 1024) return fail("kernel " + name + ": " + std::to_string(threads) + " threads per block exceed 1024");
    if (k->info.max_threads && (k->exact_threads ? threads != k->info.max_threads : threads > k->info.max_threads))
        return fail("kernel " + name + ": block " + dim3(b.x, b.y, b.z) + " has " + std::to_string(threads) + " threads but the kernel " +
                    (k->exact_threads ? "requires exactly " : "allows at most ") + std::to_string(k->info.max_threads) +
                    (k->exact_threads ? " (.reqntid)" : " (.maxntid)"));
    // The param space: each argument copied from its kernelParams pointer to its aligned offset.
    std::vector<uint8_t> params(k->param_space_bytes);
    if (nparams > 0 && !launch.params)
        return fail("kernel " + name + ": kernelParams is NULL but kernel " + name + " has " + std::to_string(nparams) +
                    " parameters");
    for (size_t i = 0; i < nparams; i++) {
        if (!launch.params[i])
            return fail("kernel " + name + ": kernelParams[" + std::to_string(i) + "] is NULL but kernel " + name + " has " +
                        std::to_string(nparams) + " parameters");
        std::memcpy(params.data() + k->param_offsets[i], launch.params[i], k->info.params[i].bytes);
    }

    uint64_t shared_bytes = (uint64_t)k->dynamic_shared_offset + launch.dynamic_shared_bytes;

    // Blocks are independent: workers take them in index order. The reported fault is the one of
    // the lowest faulting block index, whichever worker finds it first, so the message does not
    // depend on scheduling; blocks above a known fault are not started.
    std::atomic<uint64_t> next{0}, fault_block{UINT64_MAX}, executed{0};
    std::mutex fault_mutex;
    std::string fault_message;
    auto work = [&] {
        Worker w(k, &launch, &memory, params, shared_bytes);
        for (;;) {
            uint64_t i = next.fetch_add(1);
            if (i >= blocks || i > fault_block.load()) break;
            Dim3 block{(uint32_t)(i % g.x), (uint32_t)(i / g.x % g.y), (uint32_t)(i / ((uint64_t)g.x * g.y))};
            std::string fault;
            if (!w.run_block(block, &fault)) {
                std::lock_guard<std::mutex> lock(fault_mutex);
                if (i < fault_block.load()) {
                    fault_block = i;
                    fault_message = fault;
                }
            }
        }
        executed += w.env.instructions;
    };
    unsigned nworkers = worker_count(blocks);
    std::vector<std::thread> helpers;
    for (unsigned i = 1; i < nworkers; i++) helpers.emplace_back(work);
    work();
    for (auto& t : helpers) t.join();
    if (instructions) *instructions = executed.load();
    if (fault_block.load() != UINT64_MAX) return fail(fault_message);
    return true;
}

}  // namespace jgsim::ptx
