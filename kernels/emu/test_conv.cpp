// conv.cu against independent formulations of its header contract (there is no Java reference
// yet): im2col checked through a direct convolution (y = W·col against the sum over taps), col2im
// and both pooling backwards against scatter loops (each window adds into the input it touched;
// the kernels gather instead), max pooling against a plain window scan. Geometries with stride,
// padding, dilation, stride > kernel, and pooling padding large enough to leave windows empty.
#include "cuda_emu.h"
#include "conv.cu"
#include "emu_test.h"

#include <limits>

using emutest::expect_close;

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();

struct Geo {
    int N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw;
    int OH() const { return (H + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }
    int OW() const { return (W + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }
    std::string str() const {
        char s[160];
        std::snprintf(s, sizeof s, "N%d C%d %dx%d k%dx%d s%dx%d p%dx%d d%dx%d", N, C, H, W, kh, kw, sh, sw, ph, pw, dh,
                      dw);
        return s;
    }
};

const dim3 GRID(3), BLOCK(64);

void im2col_tests(emutest::Rng& rng, const Geo& g, const std::string& tag) {
    const int OH = g.OH(), OW = g.OW(), K = 4, rows = g.C * g.kh * g.kw, plane = OH * OW;
    std::vector<float> x = rng.uniform((size_t)g.N * g.C * g.H * g.W, -1, 1);
    std::vector<float> col((size_t)g.N * rows * plane, NaN);
    emu_launch(im2col, GRID, BLOCK, 0, x.data(), col.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
               g.dh, g.dw, OH, OW);
    // y[n][k][q] = Σ_r Wt[k][r]·col[n][r][q] must equal the direct convolution.
    std::vector<float> wt = rng.uniform((size_t)K * rows, -1, 1);
    std::vector<double> viaCol((size_t)g.N * K * plane), direct(viaCol.size());
    for (int n = 0; n < g.N; n++)
        for (int k = 0; k < K; k++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double a = 0, b = 0;
                    for (int c = 0; c < g.C; c++)
                        for (int i = 0; i < g.kh; i++)
                            for (int j = 0; j < g.kw; j++) {
                                int r = (c * g.kh + i) * g.kw + j;
                                double w = wt[(size_t)k * rows + r];
                                a += w * col[((size_t)n * rows + r) * plane + oh * OW + ow];
                                int h = oh * g.sh - g.ph + i * g.dh, ww = ow * g.sw - g.pw + j * g.dw;
                                if (h >= 0 && h < g.H && ww >= 0 && ww < g.W)
                                    b += w * x[(((size_t)n * g.C + c) * g.H + h) * g.W + ww];
                            }
                    size_t o = ((size_t)n * K + k) * plane + oh * OW + ow;
                    viaCol[o] = a;
                    direct[o] = b;
                }
    expect_close(tag + " im2col: W·col = direct conv " + g.str(), viaCol.data(), direct.data(), direct.size(), 1e-12,
                 1e-12);

    // col2im: the scatter adjoint, = and +=.
    std::vector<float> gcol = rng.uniform(col.size(), -1, 1);
    for (int acc = 0; acc <= 1; acc++) {
        std::vector<float> dx0 = acc ? rng.uniform(x.size(), -1, 1) : std::vector<float>(x.size(), NaN), dx = dx0;
        emu_launch(col2im, GRID, BLOCK, 0, gcol.data(), dx.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph,
                   g.pw, g.dh, g.dw, OH, OW, acc);
        std::vector<double> want(x.size(), 0.0);
        for (int n = 0; n < g.N; n++)
            for (int c = 0; c < g.C; c++)
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++)
                        for (int oh = 0; oh < OH; oh++)
                            for (int ow = 0; ow < OW; ow++) {
                                int h = oh * g.sh - g.ph + i * g.dh, w = ow * g.sw - g.pw + j * g.dw;
                                if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                                int r = (c * g.kh + i) * g.kw + j;
                                want[(((size_t)n * g.C + c) * g.H + h) * g.W + w] +=
                                    gcol[((size_t)n * rows + r) * plane + oh * OW + ow];
                            }
        if (acc)
            for (size_t t = 0; t < want.size(); t++) want[t] += dx0[t];
        expect_close(tag + " col2im " + (acc ? "+= " : "= ") + g.str(), dx.data(), want.data(), want.size(), 1e-6,
                     1e-6);
    }
}

void pool_tests(emutest::Rng& rng, Geo g, const std::string& tag) {
    g.dh = g.dw = 1;
    const int OH = g.OH(), OW = g.OW();
    const size_t in = (size_t)g.N * g.C * g.H * g.W, out = (size_t)g.N * g.C * OH * OW;
    // Small integers make ties common: the first maximum in window order must win.
    std::vector<float> x = rng.small_ints(in, -3, 3);
    std::vector<float> y(out, NaN), am(out, NaN), wy(out), wam(out);
    emu_launch(maxpool_forward, GRID, BLOCK, 0, x.data(), y.data(), am.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh,
               g.sw, g.ph, g.pw, OH, OW);
    std::vector<float> ay(out, NaN), way(out);
    emu_launch(avgpool_forward, GRID, BLOCK, 0, x.data(), ay.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph,
               g.pw, OH, OW);
    std::vector<float> dy = rng.uniform(out, -1, 1);
    std::vector<double> wdxMax(in, 0.0), wdxAvg(in, 0.0);
    const float inv = 1.0f / (float)(g.kh * g.kw);
    for (int nc = 0; nc < g.N * g.C; nc++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                size_t o = ((size_t)nc * OH + oh) * OW + ow;
                float best = -INFINITY;
                int bi = -1;
                double sum = 0;
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++) {
                        int h = oh * g.sh - g.ph + i, w = ow * g.sw - g.pw + j;
                        if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                        float v = x[((size_t)nc * g.H + h) * g.W + w];
                        if (bi < 0 || v > best) best = v, bi = h * g.W + w;
                        sum += v;
                        wdxAvg[((size_t)nc * g.H + h) * g.W + w] += (double)dy[o] * inv;
                    }
                wy[o] = best;
                wam[o] = (float)bi;
                way[o] = (float)(sum * inv);
                if (bi >= 0) wdxMax[(size_t)nc * g.H * g.W + bi] += dy[o];
            }
    emutest::expect_bitwise(tag + " maxpool_forward y " + g.str(), y, wy);
    emutest::expect_bitwise(tag + " maxpool_forward argmax " + g.str(), am, wam);
    expect_close(tag + " avgpool_forward " + g.str(), ay.data(), way.data(), out, 1e-6, 1e-6);
    for (int acc = 0; acc <= 1; acc++) {
        std::vector<float> dx0 = acc ? rng.uniform(in, -1, 1) : std::vector<float>(in, NaN);
        std::vector<float> dxm = dx0, dxa = dx0;
        emu_launch(maxpool_backward, GRID, BLOCK, 0, dy.data(), am.data(), dxm.data(), g.N, g.C, g.H, g.W, g.kh, g.kw,
                   g.sh, g.sw, g.ph, g.pw, OH, OW, acc);
        emu_launch(avgpool_backward, GRID, BLOCK, 0, dy.data(), dxa.data(), g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw,
                   g.ph, g.pw, OH, OW, acc);
        std::vector<double> wm = wdxMax, wa = wdxAvg;
        for (size_t t = 0; acc && t < in; t++) wm[t] += dx0[t], wa[t] += dx0[t];
        std::string sfx = std::string(acc ? " += " : " = ") + g.str();
        expect_close(tag + " maxpool_backward" + sfx, dxm.data(), wm.data(), in, 1e-6, 1e-6);
        expect_close(tag + " avgpool_backward" + sfx, dxa.data(), wa.data(), in, 1e-6, 1e-6);
    }
}

}  // namespace

int main() {
    emutest::Rng rng(13);
    const Geo geos[] = {
        {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},   // 1×1 everything
        {2, 3, 7, 6, 3, 2, 2, 1, 1, 0, 1, 2},   // stride, padding, dilation in one axis each
        {1, 2, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1},   // "same" 3×3
        {2, 2, 10, 9, 2, 3, 3, 4, 0, 2, 2, 1},  // stride > kernel, padding in w only
        {1, 1, 4, 5, 2, 2, 2, 2, 2, 2, 1, 1},   // padding = kernel: border windows see only padding
    };
    for (emu::Schedule s : {emu::Schedule::Concurrent, emu::Schedule::Ascending, emu::Schedule::Descending}) {
        emu::set_schedule(s);
        std::string tag = std::string("[") + emu::name(s) + "]";
        for (const Geo& g : geos) {
            im2col_tests(rng, g, tag);
            pool_tests(rng, g, tag);
        }
    }
    return emutest::finish("test_conv");
}
