// PTX loader and interpreter: the contract between the simulated driver (src/driver) and the
// interpreter (src/ptx). The driver owns memory, limits and launch checks; the interpreter owns
// parsing and execution of exactly the PTX text handed to cuModuleLoadData.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace jgsim::ptx {

struct Param {
    std::string name;
    uint32_t bytes;  // .u32/.s32/.f32: 4, .u64/.b64: 8, .align N .b8 name[M]: M
    uint32_t align;
};

struct KernelInfo {
    std::string name;
    std::vector<Param> params;
    uint32_t static_shared_bytes = 0;  // sum of the kernel's and the module's .shared arrays
    uint32_t max_threads = 0;          // product of .maxntid / .reqntid, 0 when not given
};

class Module {
public:
    virtual ~Module() = default;
    // nullptr when the module has no .entry of that name.
    virtual const KernelInfo* kernel(const std::string& name) const = 0;
    virtual std::vector<std::string> kernel_names() const = 0;
};

// Parses a whole module. An unknown opcode, type, modifier or directive fails the load: nullptr
// and *error = "line N: unknown opcode 'xyz' in `<source line>`" (or the like).
std::unique_ptr<Module> load(const std::string& ptx_text, std::string* error);

// Global memory as the interpreter sees it; implemented by the driver over its allocation table.
class GlobalMemory {
public:
    virtual ~GlobalMemory() = default;
    // Host address of the device range [addr, addr + bytes), or nullptr with *why set
    // ("0x300000001000 is 16 bytes past the end of a 4096-byte allocation at 0x300000000000",
    // "freed memory", ...) when the range is not inside one live allocation.
    virtual uint8_t* resolve(uint64_t addr, uint32_t bytes, bool write, std::string* why) = 0;
    // Optional, for speed: after resolve succeeded for addr, the whole live allocation holding it
    // as the device range [*begin, *end) and the host address of *begin. The interpreter then
    // checks later accesses inside that range itself (per worker, for the rest of one run(): the
    // driver frees nothing while a launch runs) instead of calling resolve for each. Returning
    // false (the default) keeps every access going through resolve.
    virtual bool allocation(uint64_t addr, uint64_t* begin, uint64_t* end, uint8_t** host) {
        (void)addr, (void)begin, (void)end, (void)host;
        return false;
    }
};

struct Dim3 {
    uint32_t x = 1, y = 1, z = 1;
};

struct Launch {
    const KernelInfo* kernel;
    Dim3 grid, block;
    uint32_t dynamic_shared_bytes = 0;
    void** params = nullptr;  // cuLaunchKernel's kernelParams: one pointer per .param, in order
};

// Runs the whole grid to completion (blocks may run on worker threads; threads of a block run as
// separate contexts in a fixed order and switch at bar.sync, so runs are reproducible). On a fault
// returns false with *error naming kernel, block, thread, PTX line and instruction, and the address
// or what went wrong, e.g.
// "kernel relu_fwd, block (3,0,0), thread (17,0,0), line 212 `st.global.f32 [%rd9], %f3;`:
//  store of 4 bytes at 0x300000004000: 0 bytes past the end of a 16384-byte allocation at 0x300000000000".
// Counts executed instructions into *instructions when not null.
bool run(const Module& module, const Launch& launch, GlobalMemory& memory, std::string* error,
         uint64_t* instructions = nullptr);

}  // namespace jgsim::ptx
