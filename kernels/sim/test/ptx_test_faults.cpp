// Hand-written PTX that must fail, at load or at run time, with a message naming the kernel,
// block, thread, PTX line, instruction and what went wrong.
#include "ptx_test.h"

namespace ptxtest {

namespace {

const char* HEADER = ".version 8.0\n.target sm_75\n.address_size 64\n";

// Every message is printed, so the test log shows what users will see.
void expect_message(const std::string& what, const std::string& msg, std::initializer_list<const char*> parts) {
    bool ok = !msg.empty();
    for (const char* p : parts) ok &= msg.find(p) != std::string::npos;
    std::printf("  %s -> %s\n", what.c_str(), msg.c_str());
    std::string want;
    for (const char* p : parts) want += std::string(" [") + p + "]";
    check(ok, what + ": message lacks" + want);
}

std::unique_ptr<Module> load_ok(const std::string& body, const std::string& what) {
    std::string err;
    auto m = load(HEADER + body, &err);
    check(m != nullptr, what + ": load failed: " + err);
    return m;
}

std::string load_error(const std::string& body) {
    std::string err;
    auto m = load(HEADER + body, &err);
    return m ? "" : err;
}

// st.global.u8 [base + tid.x]: thread n of a launch with more than n threads writes byte n.
const char* STORE_BYTES = R"(
.visible .entry store_bytes(
	.param .u64 store_bytes_param_0
)
{
	.reg .b32 	%r<4>;
	.reg .b64 	%rd<4>;

	ld.param.u64 	%rd1, [store_bytes_param_0];
	mov.u32 	%r1, %tid.x;
	mov.u32 	%r2, %ctaid.x;
	mad.lo.s32 	%r3, %r2, 4, %r1;
	cvt.u64.u32 	%rd2, %r3;
	add.s64 	%rd3, %rd1, %rd2;
	st.global.u8 	[%rd3], %r1;
	ret;
}
)";

void global_faults() {
    auto m = load_ok(STORE_BYTES, "store_bytes");
    if (!m) return;
    for (bool cache : {true, false}) {
        TestMemory mem;
        mem.allow_cache = cache;
        uint64_t buf = mem.alloc(16);
        Args a;
        a.ptr(buf);
        std::string err = launch(*m, "store_bytes", {1, 1, 1}, {17, 1, 1}, 0, a, mem);
        expect_message(std::string("store 1 byte past the end") + (cache ? "" : " (no allocation cache)"), err,
                       {"kernel store_bytes, block (0,0,0), thread (16,0,0), line 18 `st.global.u8 [%rd3], %r1;`: ",
                        "store of 1 byte at 0x300000000010", "1 bytes past the end of a 16-byte allocation"});
        if (!cache) check(mem.resolves == 17, "without the cache every access calls resolve");
    }
    {
        // The reported fault is the one of the lowest faulting block, however workers interleave:
        // blocks of 4 threads write bytes 4b..4b+3 of 13 bytes, so blocks 3.. fault, 3 first.
        for (int rep = 0; rep < 5; rep++) {
            TestMemory mem;
            uint64_t buf = mem.alloc(13);
            Args a;
            a.ptr(buf);
            std::string err = launch(*m, "store_bytes", {64, 1, 1}, {4, 1, 1}, 0, a, mem);
            check(err.find("block (3,0,0), thread (1,0,0)") != std::string::npos, "lowest faulting block is reported: " + err);
        }
    }
    {
        TestMemory mem;
        uint64_t buf = mem.alloc(64);
        mem.free(buf);
        Args a;
        a.ptr(buf);
        expect_message("store to freed memory", launch(*m, "store_bytes", {1, 1, 1}, {1, 1, 1}, 0, a, mem), {"freed memory"});
    }
    auto v4 = load_ok(R"(
.visible .entry load_v4(
	.param .u64 load_v4_param_0
)
{
	.reg .f32 	%f<5>;
	.reg .b64 	%rd<2>;

	ld.param.u64 	%rd1, [load_v4_param_0];
	ld.global.v4.f32 	{%f1, %f2, %f3, %f4}, [%rd1+4];
	st.global.f32 	[%rd1], %f1;
	ret;
}
)", "load_v4");
    if (v4) {
        TestMemory mem;
        uint64_t buf = mem.alloc(64);
        Args a;
        a.ptr(buf);
        expect_message("misaligned ld.global.v4.f32", launch(*v4, "load_v4", {1, 1, 1}, {1, 1, 1}, 0, a, mem),
                       {"line 13 `ld.global.v4.f32 {%f1, %f2, %f3, %f4}, [%rd1+4];`", "misaligned load of 16 bytes at 0x300000000004",
                        "multiple of 16"});
    }
}

// Shared memory: thread 0 writes word 0 of a 16-byte array, then every thread reads word tid.x
// after the barrier (thread 1 reads a word nobody wrote), or thread 0 writes past its end.
const char* SHARED = R"(
.visible .entry shared_read(
	.param .u64 shared_read_param_0
)
{
	.reg .pred 	%p<2>;
	.reg .f32 	%f<3>;
	.reg .b32 	%r<4>;
	.reg .b64 	%rd<2>;
	.shared .align 4 .b8 arr[16];

	mov.u32 	%r1, %tid.x;
	setp.ne.s32 	%p1, %r1, 0;
	mov.f32 	%f1, 0f3F800000;
	@%p1 bra 	$L__skip;
	st.shared.f32 	[arr], %f1;
$L__skip:
	bar.sync 	0;
	shl.b32 	%r2, %r1, 2;
	mov.u32 	%r3, arr;
	add.s32 	%r3, %r3, %r2;
	ld.shared.f32 	%f2, [%r3];
	ret;
}

.visible .entry shared_oob(
	.param .u64 shared_oob_param_0
)
{
	.reg .f32 	%f<2>;
	.shared .align 4 .b8 arr[16];

	mov.f32 	%f1, 0f3F800000;
	st.shared.f32 	[arr+12], %f1;
	st.shared.f32 	[arr+16], %f1;
	ret;
}
)";

void shared_faults() {
    auto m = load_ok(SHARED, "shared");
    if (!m) return;
    TestMemory mem;
    Args a;
    a.ptr(0);
    expect_message("read of unwritten shared memory", launch(*m, "shared_read", {2, 1, 1}, {4, 1, 1}, 0, a, mem),
                   {"kernel shared_read, block (0,0,0), thread (1,0,0), line 25 `ld.shared.f32 %f2, [%r3];`",
                    "shared load of 4 bytes at offset 0x4", "never written"});
    check(launch(*m, "shared_read", {2, 1, 1}, {1, 1, 1}, 0, a, mem).empty(), "one thread reads only what it wrote");
    expect_message("shared store out of bounds", launch(*m, "shared_oob", {1, 1, 1}, {1, 1, 1}, 0, a, mem),
                   {"line 38 `st.shared.f32 [arr+16], %f1;`", "shared store of 4 bytes at offset 0x10", "outside the block's 16 bytes"});
}

// Barrier divergence: threads with tid.x >= 16 return before the barrier, or take another one.
const char* BARRIERS = R"(
.visible .entry half_return(
	.param .u32 half_return_param_0
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<2>;

	mov.u32 	%r1, %tid.x;
	setp.ge.u32 	%p1, %r1, 16;
	@%p1 bra 	$L__out;
	bar.sync 	0;
$L__out:
	ret;
}

.visible .entry two_barriers(
	.param .u32 two_barriers_param_0
)
{
	.reg .pred 	%p<2>;
	.reg .b32 	%r<2>;

	mov.u32 	%r1, %tid.x;
	setp.ge.u32 	%p1, %r1, 16;
	@%p1 bra 	$L__other;
	bar.sync 	0;
	ret;
$L__other:
	bar.sync 	0;
	ret;
}
)";

void barrier_faults() {
    auto m = load_ok(BARRIERS, "barriers");
    if (!m) return;
    TestMemory mem;
    Args a;
    a.i32(0);
    expect_message("half the threads return before bar.sync", launch(*m, "half_return", {1, 1, 1}, {32, 1, 1}, 0, a, mem),
                   {"kernel half_return, block (0,0,0), thread (0,0,0), line 15 `bar.sync 0;`: barrier divergence",
                    "thread (16,0,0) exited (line 17 `ret;`)"});
    check(launch(*m, "half_return", {1, 1, 1}, {16, 1, 1}, 0, a, mem).empty(), "16 threads all reach the barrier");
    expect_message("threads at two different bar.sync", launch(*m, "two_barriers", {1, 1, 1}, {32, 1, 1}, 0, a, mem),
                   {"thread (0,0,0), line 30 `bar.sync 0;`: barrier divergence", "thread (16,0,0) waits at a different barrier, line 33 `bar.sync 0;`"});
}

void load_faults() {
    expect_message("unknown opcode", load_error(R"(
.visible .entry k(
	.param .u32 k_param_0
)
{
	.reg .f32 	%f<3>;
	frobnicate.f32 	%f1, %f2;
	ret;
}
)"),
                   {"line 10: unknown opcode 'frobnicate.f32' in `frobnicate.f32 %f1, %f2;`"});
    expect_message("undeclared register", load_error(R"(
.visible .entry k()
{
	.reg .f32 	%f<3>;
	add.rn.f32 	%f1, %f2, %f3;
	ret;
}
)"),
                   {"line 8: undeclared register '%f3'"});
    expect_message("unknown modifier", load_error(".visible .entry k()\n{\n.reg .b32 %r<3>;\nadd.sat.s32 %r1, %r2, %r2;\n}\n"),
                   {"line 7:", "unsupported modifier '.sat'"});
    expect_message("atomics", load_error(".visible .entry k(.param .u64 p)\n{\n.reg .b64 %rd<3>;\n.reg .f32 %f<3>;\n"
                                         "atom.global.add.f32 %f1, [%rd1], %f2;\n}\n"),
                   {"line 8:", "unsupported opcode 'atom.global.add.f32'"});
    expect_message("unknown directive", load_error(".global .align 4 .u32 counter;\n"), {"line 4:", "'.global'"});
    expect_message("unknown label", load_error(".visible .entry k()\n{\nbra $L__nowhere;\n}\n"), {"line 6:", "unknown label"});
}

void param_faults() {
    auto m = load_ok(R"(
.visible .entry params(
	.param .u32 params_param_0,
	.param .u64 params_param_1
)
{
	.reg .b32 	%r<3>;

	ld.param.u32 	%r1, [params_param_1+8];
	ret;
}
)", "params");
    if (!m) return;
    TestMemory mem;
    Args a;
    a.i32(1).null();
    expect_message("null kernel parameter", launch(*m, "params", {1, 1, 1}, {1, 1, 1}, 0, a, mem),
                   {"kernelParams[1] is NULL but kernel params has 2 parameters"});
    Args b;
    b.i32(1).u64(2);
    expect_message("ld.param past the parameters", launch(*m, "params", {1, 1, 1}, {1, 1, 1}, 0, b, mem),
                   {"line 12 `ld.param.u32 %r1, [params_param_1+8];`", "parameter offset 16", "16 bytes of parameters"});
    Launch l{m->kernel("params"), {1, 1, 1}, {1, 1, 1}, 0, nullptr};
    std::string err;
    check(!run(*m, l, mem, &err) && err.find("kernelParams is NULL") != std::string::npos, "kernelParams NULL: " + err);
    // sum_all's tree needs blockDim·8 bytes of dynamic shared memory; half of that is too little.
    auto r = load_file("reduce.ptx");
    if (r) {
        uint64_t x = mem.alloc(4096 * 4), out = mem.alloc(4);
        Args s;
        s.ptr(x).ptr(out).i32(4096);
        expect_message("sum_all with too little dynamic shared memory", launch(*r, "sum_all", {1, 1, 1}, {1024, 1, 1}, 1024 * 4, s, mem),
                       {"kernel sum_all, block (0,0,0), thread (512,0,0)", "st.shared.f64", "outside the block's 4096 bytes of shared memory"});
    }
    auto g = load_file("gemm.ptx");
    if (g) {
        Args c;
        Launch big{g->kernel("sgemm_tiled"), {1, 1, 1}, {512, 1, 1}, 0, c.get()};
        check(!run(*g, big, mem, &err) && err.find(".maxntid") != std::string::npos, "block above .maxntid: " + err);
    }
}

}  // namespace

void test_faults() {
    global_faults();
    shared_faults();
    barrier_faults();
    load_faults();
    param_faults();
}

}  // namespace ptxtest
