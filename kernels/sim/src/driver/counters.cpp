// Counters of what a run asked of the device, as JSON: through jgsim_counters_json (JNA) and, when
// JGRAD_SIM_COUNTERS names a file, written there (tmp file + rename) whenever the primary context
// is released and at process exit.
//
//   launches       kernel name -> cuLaunchKernel calls that ran (including one that faulted)
//   instructions   PTX instructions executed, summed over all threads of all launches
//   kernel_instructions   kernel name -> its share of instructions (where simulated time goes)
//   bytes_htod / bytes_dtoh / bytes_dtod   bytes copied by cuMemcpy* (sync and async alike)
//   host_syncs     cuStreamSynchronize + cuCtxSynchronize + cuEventSynchronize + synchronous
//                  cuMemcpyDtoH calls (the points where a real host waits for the device)
//   library_calls  counter -> n from jgsim_count (cuBLAS / cuDNN calls)
//   allocations    successful cuMemAlloc calls
//   peak_bytes     the most device memory live at once (256-byte granules)
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "driver.h"

namespace jgsim::drv {
namespace {

struct Counters {
    std::mutex mutex;
    std::map<std::string, uint64_t> launches;
    std::map<std::string, uint64_t> kernel_instructions;
    std::map<std::string, uint64_t> library;
    uint64_t instructions = 0, htod = 0, dtoh = 0, dtod = 0, syncs = 0, allocations = 0, peak = 0, live = 0;
};

Counters& counters() {
    static auto* c = new Counters();  // never destroyed: written from the exit handler
    return *c;
}

void append_map(std::string& out, const std::map<std::string, uint64_t>& m) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ", ";
        first = false;
        out += '"';
        for (char c : k) {
            if (c == '"' || c == '\\') out += '\\';
            if (static_cast<unsigned char>(c) >= 0x20) out += c;
        }
        out += "\": " + std::to_string(v);
    }
    out += '}';
}

std::string to_json() {
    Counters& c = counters();
    std::lock_guard<std::mutex> lock(c.mutex);
    std::string s = "{\"launches\": ";
    append_map(s, c.launches);
    s += ", \"instructions\": " + std::to_string(c.instructions);
    s += ", \"kernel_instructions\": ";
    append_map(s, c.kernel_instructions);
    s += ", \"bytes_htod\": " + std::to_string(c.htod);
    s += ", \"bytes_dtoh\": " + std::to_string(c.dtoh);
    s += ", \"bytes_dtod\": " + std::to_string(c.dtod);
    s += ", \"host_syncs\": " + std::to_string(c.syncs);
    s += ", \"library_calls\": ";
    append_map(s, c.library);
    s += ", \"allocations\": " + std::to_string(c.allocations);
    s += ", \"peak_bytes\": " + std::to_string(c.peak);
    s += "}\n";
    return s;
}

__attribute__((destructor)) void at_exit() {
    report_leaks_at_exit();
    write_counters_file();
}

}  // namespace

void count_launch(const std::string& kernel, uint64_t instructions) {
    Counters& c = counters();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.launches[kernel]++;
    c.kernel_instructions[kernel] += instructions;
    c.instructions += instructions;
}

void count_bytes_htod(uint64_t n) {
    std::lock_guard<std::mutex> lock(counters().mutex);
    counters().htod += n;
}

void count_bytes_dtoh(uint64_t n) {
    std::lock_guard<std::mutex> lock(counters().mutex);
    counters().dtoh += n;
}

void count_bytes_dtod(uint64_t n) {
    std::lock_guard<std::mutex> lock(counters().mutex);
    counters().dtod += n;
}

void count_host_sync() {
    std::lock_guard<std::mutex> lock(counters().mutex);
    counters().syncs++;
}

void count_allocation(uint64_t live_bytes_after) {
    Counters& c = counters();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.allocations++;
    c.live = live_bytes_after;
    if (c.live > c.peak) c.peak = c.live;
}

void note_live_bytes(uint64_t live_bytes) {
    std::lock_guard<std::mutex> lock(counters().mutex);
    counters().live = live_bytes;
}

void write_counters_file() {
    const char* path = getenv("JGRAD_SIM_COUNTERS");
    if (path == nullptr || *path == '\0') return;
    std::string json = to_json();
    std::string tmp = std::string(path) + ".tmp." + std::to_string(getpid());
    FILE* f = fopen(tmp.c_str(), "w");
    bool ok = f != nullptr && fwrite(json.data(), 1, json.size(), f) == json.size();
    if (f != nullptr && fclose(f) != 0) ok = false;
    if (!ok || rename(tmp.c_str(), path) != 0) {
        fprintf(stderr, "jgrad CUDA simulator: cannot write the counters file %s\n", path);
        remove(tmp.c_str());
    }
}

}  // namespace jgsim::drv

using namespace jgsim::drv;

JGSIM_EXPORT void jgsim_count(const char* counter, uint64_t n) {
    if (counter == nullptr) return;
    std::lock_guard<std::mutex> lock(counters().mutex);
    counters().library[counter] += n;
}

// The counters as one JSON object (see the top of this file). The text stays valid until the
// calling thread's next call.
JGSIM_EXPORT const char* jgsim_counters_json(void) {
    thread_local std::string text;
    text = to_json();
    return text.c_str();
}

// Zeroes every counter; peak_bytes restarts from the memory live now.
JGSIM_EXPORT void jgsim_counters_reset(void) {
    Counters& c = counters();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.launches.clear();
    c.kernel_instructions.clear();
    c.library.clear();
    c.instructions = c.htod = c.dtoh = c.dtod = c.syncs = c.allocations = 0;
    c.peak = c.live;
}
