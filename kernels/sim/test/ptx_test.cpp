// Standalone test of the PTX interpreter (kernels/sim/src/ptx): loads the shipped PTX, runs real
// kernels against C++ reference loops, checks that hand-written faulty PTX fails with the right
// message, and pins float edge cases. Run through kernels/sim/test/run-ptx-test.sh.
#include "ptx_test.h"

#include <chrono>
#include <fstream>
#include <limits>
#include <sstream>

namespace ptxtest {

int failures = 0, checks = 0;
static std::string kernel_dir;

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::unique_ptr<Module> load_file(const std::string& name) {
    std::string err;
    auto m = load(read_text(kernel_dir + "/" + name), &err);
    check(m != nullptr, "load " + name + ": " + err);
    return m;
}

std::string launch(const Module& m, const std::string& name, Dim3 grid, Dim3 block, uint32_t shared, Args& args,
                   GlobalMemory& mem, uint64_t* instructions) {
    const KernelInfo* k = m.kernel(name);
    if (!k) return "no kernel " + name;
    Launch l{k, grid, block, shared, args.get()};
    std::string err;
    if (!run(m, l, mem, &err, instructions)) return err.empty() ? "failed without a message" : err;
    return "";
}

bool close(const float* got, const double* want, size_t n, double atol, double rtol, std::string* where) {
    for (size_t i = 0; i < n; i++) {
        bool ok = std::isnan(want[i]) ? std::isnan(got[i]) : std::fabs(got[i] - want[i]) <= atol + rtol * std::fabs(want[i]);
        if (!ok) {
            *where = "element " + std::to_string(i) + ": got " + std::to_string(got[i]) + ", want " + std::to_string(want[i]);
            return false;
        }
    }
    return true;
}

void test_load() {
    const char* files[] = {"conv.ptx", "elementwise.ptx", "gemm.ptx", "nn.ptx", "optim.ptx", "reduce.ptx"};
    size_t total = 0;
    for (const char* f : files) {
        auto m = load_file(f);
        if (!m) continue;
        auto names = m->kernel_names();
        total += names.size();
        std::string list;
        for (auto& n : names) list += " " + n;
        std::printf("  %-16s %2zu kernels:%s\n", f, names.size(), list.c_str());
    }
    check(total == 32, "32 .entry kernels in the shipped PTX, found " + std::to_string(total));
    auto g = load_file("gemm.ptx");
    if (g) {
        const KernelInfo* k = g->kernel("sgemm_tiled");
        check(k && k->params.size() == 13 && k->static_shared_bytes == 2 * 8448 && k->max_threads == 256,
              "sgemm_tiled: 13 params, 16896 bytes of static shared memory, .maxntid 256");
        check(g->kernel("nope") == nullptr, "kernel() of an unknown name is nullptr");
    }
    auto r = load_file("reduce.ptx");
    if (r) {
        const KernelInfo* k = r->kernel("flag_nonfinite");
        check(k && k->params.size() == 5 && k->params[4].bytes == 4 && k->params[0].bytes == 8 && k->static_shared_bytes == 0,
              "flag_nonfinite: 5 params (u64 ... f32)");
    }
}

// A kernel computing a row of float edge-case results per thread from (a, b, c) inputs.
static const char* EDGE_PTX = R"(
.version 8.0
.target sm_75
.address_size 64

.visible .entry edges(
	.param .u64 edges_param_0,
	.param .u64 edges_param_1,
	.param .u32 edges_param_2
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<8>;
	.reg .f32 	%f<16>;
	.reg .b64 	%rd<8>;

	mov.u32 	%r1, %tid.x;
	ld.param.u32 	%r2, [edges_param_2];
	setp.ge.u32 	%p1, %r1, %r2;
	@%p1 bra 	$L__done;
	ld.param.u64 	%rd1, [edges_param_0];
	ld.param.u64 	%rd2, [edges_param_1];
	mul.wide.u32 	%rd3, %r1, 12;
	add.s64 	%rd4, %rd1, %rd3;
	ld.global.f32 	%f1, [%rd4];
	ld.global.f32 	%f2, [%rd4+4];
	ld.global.f32 	%f3, [%rd4+8];
	min.f32 	%f4, %f1, %f2;
	max.f32 	%f5, %f1, %f2;
	cvt.rzi.s32.f32 	%r3, %f1;
	div.rn.f32 	%f6, %f1, %f2;
	fma.rn.f32 	%f7, %f1, %f2, %f3;
	mul.rn.f32 	%f8, %f1, %f2;
	add.rn.f32 	%f9, %f8, %f3;
	cvt.rzi.u32.f32 	%r4, %f1;
	sqrt.rn.f32 	%f10, %f1;
	add.ftz.f32 	%f11, %f1, %f2;
	cvt.rni.s32.f32 	%r5, %f1;
	mul.wide.u32 	%rd5, %r1, 44;
	add.s64 	%rd6, %rd2, %rd5;
	st.global.f32 	[%rd6], %f4;
	st.global.f32 	[%rd6+4], %f5;
	st.global.u32 	[%rd6+8], %r3;
	st.global.f32 	[%rd6+12], %f6;
	st.global.f32 	[%rd6+16], %f7;
	st.global.f32 	[%rd6+20], %f9;
	st.global.u32 	[%rd6+24], %r4;
	st.global.f32 	[%rd6+28], %f10;
	st.global.f32 	[%rd6+32], %f11;
	st.global.u32 	[%rd6+36], %r5;
	setp.neu.f32 	%p1, %f1, %f2;
	selp.u32 	%r6, 1, 0, %p1;
	st.global.u32 	[%rd6+40], %r6;
$L__done:
	ret;
}
)";

static uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

void test_float_edges() {
    std::string err;
    auto m = load(EDGE_PTX, &err);
    check(m != nullptr, "load edge-case PTX: " + err);
    if (!m) return;
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const float e = 1.0f + 0x1p-12f;  // e·e = 1 + 2^-11 + 2^-24: the 2^-24 survives only when fused
    std::vector<float> in = {nan, 1.0f, 0.0f,   1.0f, nan, 0.0f,   nan, nan, 0.0f,   3e9f, 2.0f, 0.0f,
                             -3e9f, 2.0f, 0.0f, -1.5f, 3.0f, 0.0f, 1.0f, 3.0f, 0.0f,  e, e, -(1.0f + 0x1p-11f),
                             1e-40f, 0.0f, 0.0f, -0.0f, 0.0f, 0.0f, 2.5f, inf, 0.0f,   5e9f, -inf, 0.0f};
    const uint32_t cases = (uint32_t)in.size() / 3;
    TestMemory mem;
    uint64_t din = mem.upload(in), dout = mem.alloc(cases * 44);
    Args a;
    a.ptr(din).ptr(dout).i32((int)cases);
    err = launch(*m, "edges", {1, 1, 1}, {64, 1, 1}, 0, a, mem);
    check(err.empty(), "edge kernel runs: " + err);
    auto out = mem.download<uint32_t>(dout, cases * 11);
    auto f = [&](uint32_t c, int i) { float v; std::memcpy(&v, &out[c * 11 + i], 4); return v; };
    auto u = [&](uint32_t c, int i) { return out[c * 11 + i]; };
    // min/max ignore one NaN, NaN only when both are.
    check(f(0, 0) == 1.0f && f(0, 1) == 1.0f, "min/max(NaN, 1) = 1");
    check(f(1, 0) == 1.0f && f(1, 1) == 1.0f, "min/max(1, NaN) = 1");
    check(std::isnan(f(2, 0)) && std::isnan(f(2, 1)), "min/max(NaN, NaN) = NaN");
    check(bits(f(9, 0)) == 0x80000000u && bits(f(9, 1)) == 0, "min(-0, +0) = -0, max = +0");
    // cvt float -> int saturates, NaN -> 0, rzi truncates, rni rounds to nearest even.
    check(u(0, 2) == 0 && u(2, 2) == 0, "cvt.rzi.s32.f32(NaN) = 0");
    check((int32_t)u(3, 2) == INT32_MAX && (int32_t)u(4, 2) == INT32_MIN, "cvt.rzi.s32.f32 saturates 3e9, -3e9");
    check((int32_t)u(5, 2) == -1 && (int32_t)u(5, 9) == -2, "cvt.rzi.s32(-1.5) = -1, cvt.rni.s32(-1.5) = -2");
    check((int32_t)u(10, 9) == 2, "cvt.rni.s32(2.5) = 2 (ties to even)");
    check(u(5, 6) == 0 && u(11, 6) == UINT32_MAX && u(3, 6) == 3000000000u, "cvt.rzi.u32.f32: -1.5 -> 0, 5e9 -> max, 3e9 exact");
    // div.rn is correctly rounded: 1/3 is 0x3EAAAAAB.
    check(bits(f(6, 3)) == 0x3EAAAAABu, "div.rn.f32 1/3 = 0x3EAAAAAB");
    check(f(10, 3) == 0.0f && !std::signbit(f(10, 3)), "div.rn.f32 2.5/inf = +0");
    // fma is fused: e·e - (1 + 2^-11) = 2^-24 exactly; mul then add rounds the product first: 0.
    check(f(7, 4) == 0x1p-24f, "fma.rn.f32 keeps the product exact (2^-24), got " + std::to_string(f(7, 4)));
    check(f(7, 5) == 0.0f, "mul.rn then add.rn rounds twice (0), got " + std::to_string(f(7, 5)));
    check(std::isnan(f(5, 7)) && f(6, 7) == 1.0f, "sqrt.rn(-1.5) = NaN, sqrt(1) = 1");
    // add.ftz flushes the subnormal input 1e-40 to zero.
    check(bits(f(8, 8)) == 0 && bits(f(6, 8)) == bits(4.0f), "add.ftz.f32 flushes subnormals");
    check(u(0, 10) == 1 && u(2, 10) == 1 && u(6, 10) == 1 && u(9, 10) == 0, "setp.neu: true on NaN, false on -0 vs +0");
}

// Syntax that nvcc did not emit for the shipped kernels but PTX allows and the loader accepts:
// a struct parameter (.align 8 .b8 [16]), .reqntid, block comments, hex and negative
// immediates, [reg+-N] addresses, a shared array's address in a 64-bit register, nested scopes.
static const char* SYNTAX_PTX = R"(
.version 8.0
.target sm_75
.address_size 64

.visible .entry syntax_mix(
	.param .align 8 .b8 syntax_mix_param_0[16],
	.param .f64 syntax_mix_param_1
)
.reqntid 4, 1, 1
{
	.reg .pred 	%p<3>;
	.reg .b32 	%r<10>;
	.reg .b64 	%rd<12>;
	.reg .f64 	%fd<5>;
	.shared .align 8 .b8 tile[32];
	/* the struct: { u64 out; s32 a; u32 b; } */
	ld.param.u64 	%rd1, [syntax_mix_param_0];
	ld.param.s32 	%rd2, [syntax_mix_param_0+8];
	ld.param.u32 	%r1, [syntax_mix_param_0+12];
	ld.param.f64 	%fd1, [syntax_mix_param_1];
	mov.u32 	%r2, %tid.x;
	mov.u64 	%rd3, tile;
	cvt.u64.u32 	%rd4, %r2;
	shl.b64 	%rd5, %rd4, 3;
	add.s64 	%rd6, %rd3, %rd5;
	cvt.rn.f64.s64 	%fd2, %rd4;
	add.rn.f64 	%fd2, %fd2, %fd1;
	st.shared.f64 	[%rd6], %fd2;
	bar.sync 	0;
	setp.eq.s32 	%p1, %r2, 0;
	@!%p1 bra 	$L__end;
	{
	.reg .b32 %temp;
	mov.b64 	{%temp, %r3}, %fd1;
	}
	st.global.u64 	[%rd1], %rd2;
	add.s32 	%r4, %r1, 0x10;
	cvt.u64.u32 	%rd7, %r4;
	st.global.u64 	[%rd1+8], %rd7;
	ld.shared.f64 	%fd3, [tile+24];
	st.global.f64 	[%rd1+16], %fd3;
	add.s64 	%rd8, %rd3, 16;
	ld.shared.f64 	%fd4, [%rd8+-8];
	st.global.f64 	[%rd1+24], %fd4;
	add.s32 	%r5, %r3, -1;
	st.global.u32 	[%rd1+32], %r5;
$L__end:
}
)";

void test_syntax() {
    std::string err;
    auto m = load(SYNTAX_PTX, &err);
    check(m != nullptr, "load syntax PTX: " + err);
    if (!m) return;
    const KernelInfo* k = m->kernel("syntax_mix");
    check(k && k->params.size() == 2 && k->params[0].bytes == 16 && k->params[0].align == 8 && k->max_threads == 4,
          "struct parameter of 16 bytes, .reqntid 4");
    TestMemory mem;
    uint64_t out = mem.alloc(40);
    struct { uint64_t out; int32_t a; uint32_t b; } arg{out, -5, 7};
    double base = 2.5;
    void* params[] = {&arg, &base};
    Launch l{k, {1, 1, 1}, {4, 1, 1}, 0, params};
    check(run(*m, l, mem, &err), "syntax_mix runs: " + err);
    auto o = mem.download<uint64_t>(out, 5);
    double d2, d3;
    std::memcpy(&d2, &o[2], 8);
    std::memcpy(&d3, &o[3], 8);
    check(o[0] == (uint64_t)-5, "ld.param.s32 into a 64-bit register sign-extends");
    check(o[1] == 7 + 16, "hex immediate");
    check(d2 == 5.5 && d3 == 3.5, "shared array address in a register, [tile+24], [%rd+-8]");
    check((uint32_t)o[4] == 0x40040000u - 1, "mov.b64 {%temp, %r} unpack in a nested scope, negative immediate");
    Launch l8{k, {1, 1, 1}, {8, 1, 1}, 0, params};
    check(!run(*m, l8, mem, &err) && err.find("requires exactly 4 (.reqntid)") != std::string::npos, ".reqntid enforced: " + err);
}

}  // namespace ptxtest

int main(int argc, char** argv) {
    using namespace ptxtest;
    kernel_dir = argc > 1 ? argv[1] : "kernels/src/main/resources/jgrad/kernels";
    struct T { const char* name; void (*fn)(); };
    T tests[] = {{"load", test_load},       {"float edges", test_float_edges}, {"syntax", test_syntax}, {"elementwise", test_elementwise},
                 {"reduce", test_reduce},   {"gemm", test_gemm},               {"nn", test_nn},
                 {"more kernels", test_more}, {"faults", test_faults}};
    for (auto& t : tests) {
        int before = failures;
        auto t0 = std::chrono::steady_clock::now();
        t.fn();
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-12s %s (%.2f s)\n", t.name, failures == before ? "ok" : "FAILED", s);
    }
    std::printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
