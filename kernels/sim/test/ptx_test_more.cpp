// More shipped kernels against reference loops, for opcode coverage: 64-bit hashing (dropout),
// integer division and remainder (im2col, col2im, pooling), float sqrt/div (adam), the double
// block tree (channel_sum), argmax, the non-finite flag, softmax backward and gather.
#include "ptx_test.h"

#include <random>

namespace ptxtest {

namespace {

std::mt19937 rng2(777);

// common.cuh's jg_uniform: splitmix64 of (seed, i), top 24 bits.
float jg_uniform(uint64_t seed, uint64_t i) {
    uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * 0x1.0p-24f;
}

void optim_and_dropout() {
    auto opt = load_file("optim.ptx");
    auto nn = load_file("nn.ptx");
    if (!opt || !nn) return;
    const int n = 3000;
    TestMemory mem;
    std::vector<float> w = uniform(rng2, n, -1, 1), g = uniform(rng2, n, -1, 1), m = uniform(rng2, n, -0.1f, 0.1f), v = uniform(rng2, n, 0, 0.01f);
    uint64_t dw = mem.upload(w), dg = mem.upload(g), dm = mem.upload(m), dv = mem.upload(v);
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, step = 0.001f / 0.1f, inv = 1.0f / std::sqrt(0.001f), wd = 0.01f;
    Args a;
    a.ptr(dw).ptr(dg).ptr(dm).ptr(dv).i32(n).f32(b1).f32(b2).f32(eps).f32(step).f32(inv).f32(wd);
    std::string err = launch(*opt, "adam_update", grid_for(n), {256, 1, 1}, 0, a, mem);
    check(err.empty(), "adam_update: " + err);
    for (int i = 0; i < n; i++) {
        float gi = g[i] + wd * w[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi, v[i] = vi;
        w[i] -= step * mi / (std::sqrt(vi) * inv + eps);
    }
    std::string where;
    check(bitwise(mem.download<float>(dw, n), w, &where) && bitwise(mem.download<float>(dv, n), v, &where),
          "adam_update bitwise: " + where);

    const float p = 0.3f;
    const uint64_t seed = 0x123456789ABCDEFull;
    uint64_t dmask = mem.alloc(n * 4), dy = mem.alloc(n * 4);
    Args d;
    d.ptr(dg).ptr(dmask).ptr(dy).i32(n).f32(p).u64(seed);
    err = launch(*nn, "dropout_forward", grid_for(n), {256, 1, 1}, 0, d, mem);
    check(err.empty(), "dropout_forward: " + err);
    std::vector<float> mask(n), y(n);
    float keep = 1.0f / (1.0f - p);
    for (int i = 0; i < n; i++) {
        mask[i] = jg_uniform(seed, (uint64_t)i) >= p ? keep : 0.0f;
        y[i] = g[i] * mask[i];
    }
    check(bitwise(mem.download<float>(dmask, n), mask, &where) && bitwise(mem.download<float>(dy, n), y, &where),
          "dropout_forward bitwise (64-bit hash): " + where);
}

void conv_kernels() {
    auto conv = load_file("conv.ptx");
    if (!conv) return;
    const int N = 2, C = 3, H = 7, W = 6, kh = 3, kw = 2, sh = 2, sw = 1, ph = 1, pw = 1;
    const int OH = (H + 2 * ph - kh) / sh + 1, OW = (W + 2 * pw - kw) / sw + 1;
    TestMemory mem;
    std::vector<float> x = uniform(rng2, (size_t)N * C * H * W, -1, 1);
    const long cols = (long)N * OH * OW, rows = (long)C * kh * kw;
    uint64_t dx = mem.upload(x), dcol = mem.alloc((size_t)(rows * cols) * 4);
    Args a;
    a.ptr(dx).ptr(dcol).i32(N).i32(C).i32(H).i32(W).i32(kh).i32(kw).i32(sh).i32(sw).i32(ph).i32(pw).i32(OH).i32(OW);
    std::string err = launch(*conv, "im2col", grid_for(rows * cols), {256, 1, 1}, 0, a, mem);
    check(err.empty(), "im2col: " + err);
    std::vector<float> col((size_t)(rows * cols));
    for (int c = 0; c < C; c++)
        for (int i = 0; i < kh; i++)
            for (int j = 0; j < kw; j++)
                for (int n = 0; n < N; n++)
                    for (int oh = 0; oh < OH; oh++)
                        for (int ow = 0; ow < OW; ow++) {
                            int h = oh * sh - ph + i, w = ow * sw - pw + j;
                            long r = ((long)c * kh + i) * kw + j, q = (long)n * OH * OW + oh * OW + ow;
                            col[(size_t)(r * cols + q)] = h >= 0 && h < H && w >= 0 && w < W ? x[(((size_t)n * C + c) * H + h) * W + w] : 0.0f;
                        }
    std::string where;
    check(bitwise(mem.download<float>(dcol, col.size()), col, &where), "im2col: " + where);

    // col2im of that column matrix: each input summed over its windows in (i, j) order.
    uint64_t ddx = mem.alloc(x.size() * 4);
    Args b;
    b.ptr(dcol).ptr(ddx).i32(N).i32(C).i32(H).i32(W).i32(kh).i32(kw).i32(sh).i32(sw).i32(ph).i32(pw).i32(OH).i32(OW).i32(0);
    err = launch(*conv, "col2im", grid_for((long)x.size()), {256, 1, 1}, 0, b, mem);
    check(err.empty(), "col2im: " + err);
    std::vector<float> want(x.size());
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) {
                    float s = 0.0f;
                    for (int i = 0; i < kh; i++) {
                        int hs = h + ph - i;
                        if (hs < 0 || hs % sh != 0 || hs / sh >= OH) continue;
                        for (int j = 0; j < kw; j++) {
                            int ws = w + pw - j;
                            if (ws < 0 || ws % sw != 0 || ws / sw >= OW) continue;
                            long r = ((long)c * kh + i) * kw + j;
                            s += col[(size_t)(r * cols + (long)n * OH * OW + (hs / sh) * OW + ws / sw)];
                        }
                    }
                    want[(((size_t)n * C + c) * H + h) * W + w] = s;
                }
    check(bitwise(mem.download<float>(ddx, x.size()), want, &where), "col2im bitwise: " + where);

    // maxpool 3x2, stride 2x1, padding 1x1 over the same x.
    uint64_t dy = mem.alloc((size_t)N * C * OH * OW * 4);
    Args c;
    c.ptr(dx).ptr(dy).i32(N).i32(C).i32(H).i32(W).i32(kh).i32(kw).i32(sh).i32(sw).i32(ph).i32(pw).i32(OH).i32(OW);
    err = launch(*conv, "maxpool_forward", grid_for((long)N * C * OH * OW), {256, 1, 1}, 0, c, mem);
    check(err.empty(), "maxpool_forward: " + err);
    std::vector<float> wy((size_t)N * C * OH * OW);
    for (int nc = 0; nc < N * C; nc++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                float best = -INFINITY;
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        int h = oh * sh - ph + i, w = ow * sw - pw + j;
                        if (h >= 0 && h < H && w >= 0 && w < W) best = std::max(best, x[((size_t)nc * H + h) * W + w]);
                    }
                wy[((size_t)nc * OH + oh) * OW + ow] = best;
            }
    check(bitwise(mem.download<float>(dy, wy.size()), wy, &where), "maxpool_forward: " + where);

    // channel_sum: db[k] = Σ dy[n][k][p] in double, one block of 64 threads per channel.
    uint64_t ddb = mem.alloc(C * 4);
    Args s;
    s.ptr(dx).ptr(ddb).i32(N).i32(C).i32(H * W).i32(0);
    err = launch(*conv, "channel_sum", {C, 1, 1}, {64, 1, 1}, 64 * 8, s, mem);
    check(err.empty(), "channel_sum: " + err);
    std::vector<double> db(C, 0.0);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < C; k++)
            for (int q = 0; q < H * W; q++) db[(size_t)k] += x[((size_t)n * C + k) * H * W + q];
    check(close(mem.download<float>(ddb, C).data(), db.data(), C, 1e-6, 1e-6, &where), "channel_sum: " + where);
}

void reduce_and_nn_misc() {
    auto red = load_file("reduce.ptx");
    auto nn = load_file("nn.ptx");
    if (!red || !nn) return;
    TestMemory mem;
    const int m = 50, c = 13;
    std::vector<float> x = uniform(rng2, (size_t)m * c, -3, 3);
    x[5 * c + 7] = 10.0f;
    x[6 * c + 2] = 10.0f, x[6 * c + 9] = 10.0f;  // a tie: the first wins
    uint64_t dx = mem.upload(x), dout = mem.alloc(m * 4);
    Args a;
    a.ptr(dx).ptr(dout).i32(m).i32(c);
    std::string err = launch(*red, "argmax_rows", grid_for(m), {256, 1, 1}, 0, a, mem);
    check(err.empty(), "argmax_rows: " + err);
    auto am = mem.download<float>(dout, m);
    bool ok = true;
    for (int i = 0; i < m; i++) {
        int best = 0;
        for (int j = 1; j < c; j++)
            if (x[(size_t)i * c + j] > x[(size_t)i * c + best]) best = j;
        ok &= am[(size_t)i] == (float)best;
    }
    check(ok && am[5] == 7.0f && am[6] == 2.0f, "argmax_rows");

    // flag_nonfinite: an infinity in x lowers flags[1] from +inf to the code; a clean x does not.
    std::vector<float> flags = {INFINITY, INFINITY};
    uint64_t dflags = mem.upload(flags);
    Args f;
    f.ptr(dx).i32(m * c).ptr(dflags).i32(1).f32(3.0f);
    check(launch(*red, "flag_nonfinite", grid_for(m * c), {256, 1, 1}, 0, f, mem).empty(), "flag_nonfinite runs");
    check(std::isinf(mem.download<float>(dflags, 2)[1]), "flag_nonfinite leaves a finite x unflagged");
    x[100] = -INFINITY;
    uint64_t dx2 = mem.upload(x);
    Args f2;
    f2.ptr(dx2).i32(m * c).ptr(dflags).i32(1).f32(3.0f);
    check(launch(*red, "flag_nonfinite", grid_for(m * c), {256, 1, 1}, 0, f2, mem).empty(), "flag_nonfinite runs");
    check(mem.download<float>(dflags, 2)[1] == 3.0f, "flag_nonfinite flags -inf with the code");

    // softmax_xent_backward: scale·(p − onehot), an invalid label gives a NaN row.
    std::vector<float> probs = uniform(rng2, (size_t)m * c, 0, 1), labels((size_t)m), dloss = {2.5f};
    for (int i = 0; i < m; i++) labels[(size_t)i] = (float)(i % c);
    labels[3] = -1.0f;
    uint64_t dp = mem.upload(probs), dl = mem.upload(labels), dd = mem.upload(dloss), dg = mem.alloc(probs.size() * 4);
    Args s;
    s.ptr(dp).ptr(dl).ptr(dd).ptr(dg).i32(m).i32(c).i32(0);
    err = launch(*nn, "softmax_xent_backward", grid_for(m * c), {256, 1, 1}, 0, s, mem);
    check(err.empty(), "softmax_xent_backward: " + err);
    std::vector<float> want(probs.size());
    float scale = 2.5f / (float)m;
    for (int k = 0; k < m * c; k++) {
        int i = k / c, j = k % c;
        want[(size_t)k] = i == 3 ? NAN : scale * (probs[(size_t)k] - (j == (int)labels[(size_t)i] ? 1.0f : 0.0f));
    }
    auto got = mem.download<float>(dg, want.size());
    ok = true;
    for (size_t k = 0; k < want.size(); k++) ok &= std::isnan(want[k]) ? std::isnan(got[k]) : got[k] == want[k];
    check(ok, "softmax_xent_backward bitwise, invalid label -> NaN row");

    // gather_rows: out[i] = table[index[i]], index 2.5 gives a NaN row.
    std::vector<float> index = {4.0f, 0.0f, 2.5f, 12.0f};
    uint64_t di = mem.upload(index), dgo = mem.alloc(4 * c * 4);
    Args gr;
    gr.ptr(dx).ptr(di).ptr(dgo).i32(4).i32(c).i32(m);
    err = launch(*nn, "gather_rows", grid_for(4 * c), {256, 1, 1}, 0, gr, mem);
    check(err.empty(), "gather_rows: " + err);
    auto go = mem.download<float>(dgo, 4 * c);
    ok = true;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < c; j++)
            ok &= i == 2 ? std::isnan(go[(size_t)i * c + j]) : go[(size_t)i * c + j] == x[(size_t)index[(size_t)i] * c + j];
    check(ok, "gather_rows");
}

}  // namespace

void test_more() {
    optim_and_dropout();
    conv_kernels();
    reduce_and_nn_misc();
}

}  // namespace ptxtest
