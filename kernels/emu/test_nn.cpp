// nn.cu against double-precision versions of jgrad.cpu.CpuNnKernels: softmax cross-entropy (both
// passes and the backward, invalid labels → NaN), gather_rows (invalid index → NaN row), dropout
// (bitwise: the mask comes from the same counter hash as the CPU), batch norm forward (training
// and eval) and backward. Block sizes below and above the row/channel length, every schedule.
#include "cuda_emu.h"
#include "nn.cu"
#include "emu_test.h"

#include <limits>

using emutest::expect_close;

namespace {

// 1024-thread blocks run only concurrently: one-at-a-time schedules cost a thread hand-off per
// thread and barrier, and 256 threads already take every step of the reduction trees.
unsigned block_for_schedule(unsigned block) {
    return emu::Runner::get().schedule == emu::Schedule::Concurrent ? block : std::min(block, 256u);
}

const float NaN = std::numeric_limits<float>::quiet_NaN();

bool valid_label(float v, int limit) {
    int k = (int)v;
    return v >= 0 && v < (float)limit && (float)k == v;
}

void softmax_tests(emutest::Rng& rng, const std::string& tag) {
    struct S { int m, c; unsigned block; };
    for (S s : {S{1, 1, 1}, S{4, 10, 32}, S{3, 1000, 128}, S{5, 7, 1}, S{2, 3000, 1024}}) {
        const unsigned blk = block_for_schedule(s.block);
        std::vector<float> logits = rng.uniform((size_t)s.m * s.c, -8, 8), labels(s.m);
        for (int i = 0; i < s.m; i++) labels[i] = (float)rng.below(s.c);
        std::string what = tag + " softmax_xent m=" + std::to_string(s.m) + " c=" + std::to_string(s.c) +
                           " block=" + std::to_string(blk);
        for (bool bad : {false, true}) {
            if (bad) labels[s.m - 1] = s.c == 1 ? 1.0f : 0.5f;  // not a class index: row loss → NaN
            std::vector<float> probs(logits.size(), NaN);
            std::vector<double> rowLoss(s.m, 7.0);
            float loss = 0;
            emu_launch(softmax_xent_rows, dim3(s.m), dim3(blk), blk * sizeof(double), logits.data(),
                       labels.data(), probs.data(), rowLoss.data(), s.m, s.c);
            emu_launch(softmax_xent_mean, dim3(1), dim3(64), 64 * sizeof(double), rowLoss.data(), &loss, s.m);
            std::vector<double> wantP(logits.size()), wantRow(s.m);
            double total = 0;
            for (int i = 0; i < s.m; i++) {
                const float* row = &logits[(size_t)i * s.c];
                double mx = row[0], sum = 0;
                for (int j = 0; j < s.c; j++) mx = std::max(mx, (double)row[j]);
                for (int j = 0; j < s.c; j++) sum += std::exp(row[j] - mx);
                for (int j = 0; j < s.c; j++) wantP[(size_t)i * s.c + j] = std::exp(row[j] - mx) / sum;
                wantRow[i] = valid_label(labels[i], s.c) ? std::log(sum) + mx - row[(int)labels[i]] : NaN;
                total += wantRow[i];
            }
            double wantLoss = total / s.m;
            std::string w2 = what + (bad ? " invalid label" : "");
            expect_close(w2 + " probs", probs.data(), wantP.data(), probs.size(), 1e-7, 1e-6);
            expect_close(w2 + " row loss", rowLoss.data(), wantRow.data(), s.m, 1e-6, 1e-6);
            expect_close(w2 + " mean loss", &loss, &wantLoss, 1, 1e-6, 1e-6);

            float dloss = 1.5f;
            for (int accumulate = 0; accumulate <= 1; accumulate++) {
                std::vector<float> d0 = accumulate ? rng.uniform(probs.size(), -1, 1)
                                                   : std::vector<float>(probs.size(), NaN);
                std::vector<float> d = d0;
                emu_launch(softmax_xent_backward, dim3(3), dim3(64), 0, probs.data(), labels.data(), &dloss, d.data(),
                           s.m, s.c, accumulate);
                std::vector<double> want(d.size());
                for (int i = 0; i < s.m; i++) {
                    bool ok = valid_label(labels[i], s.c);
                    for (int j = 0; j < s.c; j++) {
                        size_t k = (size_t)i * s.c + j;
                        double g = ok ? (double)dloss / s.m * (probs[k] - (j == (int)labels[i] ? 1.0 : 0.0)) : NaN;
                        want[k] = accumulate ? d0[k] + g : g;
                    }
                }
                expect_close(w2 + " backward" + (accumulate ? " +=" : " ="), d.data(), want.data(), d.size(), 1e-7,
                             1e-6);
            }
        }
    }
}

void gather_tests(emutest::Rng& rng, const std::string& tag) {
    const int rows = 6, len = 13;
    std::vector<float> table = rng.uniform(rows * len, -1, 1);
    std::vector<float> index = {0, 5, 2, 2, 6, -1, 1.5f, NaN, 3};  // 6, -1, 1.5, NaN are invalid
    int count = (int)index.size();
    std::vector<float> out((size_t)count * len, 9.0f), want(out.size());
    emu_launch(gather_rows, dim3(2), dim3(32), 0, table.data(), index.data(), out.data(), count, len, rows);
    for (int i = 0; i < count; i++)
        for (int j = 0; j < len; j++)
            want[(size_t)i * len + j] = valid_label(index[i], rows) ? table[(size_t)index[i] * len + j] : NaN;
    emutest::expect_bitwise(tag + " gather_rows", out, want);
}

// CpuNnKernels.uniform: splitmix64 of (seed, i).
float java_uniform(long long seed, long long i) {
    unsigned long long z = (unsigned long long)seed + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * 0x1.0p-24f;
}

void dropout_tests(emutest::Rng& rng, const std::string& tag) {
    const int n = 2001;
    for (float p : {0.0f, 0.3f, 0.9f}) {
        for (long long seed : {42LL, -7046029254386353131LL}) {
            std::vector<float> x = rng.uniform(n, -2, 2), mask(n, NaN), y(n, NaN), wantMask(n), wantY(n);
            emu_launch(dropout_forward, dim3(4), dim3(128), 0, x.data(), mask.data(), y.data(), n, p,
                       (unsigned long long)seed);
            float keep = 1.0f / (1.0f - p);
            int kept = 0;
            for (int i = 0; i < n; i++) {
                wantMask[i] = java_uniform(seed, i) >= p ? keep : 0.0f;
                wantY[i] = x[i] * wantMask[i];
                kept += wantMask[i] != 0;
            }
            std::string what = tag + " dropout p=" + std::to_string(p) + " seed=" + std::to_string(seed);
            emutest::expect_bitwise(what + " mask vs CpuNnKernels", mask, wantMask);
            emutest::expect_bitwise(what + " y vs CpuNnKernels", y, wantY);
            // The hash is a fair coin: the kept fraction is near 1 − p (4σ at n = 2001).
            double frac = (double)kept / n, sd = std::sqrt(p * (1 - p) / n);
            emutest::expect_true(what + " kept fraction " + std::to_string(frac), std::fabs(frac - (1 - p)) <= 4 * sd + 1e-12);
        }
    }
}

void batchnorm_tests(emutest::Rng& rng, const std::string& tag) {
    struct S { int m, c, spatial; unsigned block; };
    for (S s : {S{3, 4, 5, 8}, S{16, 3, 1, 1}, S{2, 2, 300, 256}, S{4, 5, 9, 1024}}) {
        const unsigned blk = block_for_schedule(s.block);
        size_t total = (size_t)s.m * s.c * s.spatial;
        long long count = (long long)s.m * s.spatial;
        auto at = [&](int i, int ch, int k) { return ((size_t)i * s.c + ch) * s.spatial + k; };
        std::string what = tag + " batchnorm m=" + std::to_string(s.m) + " c=" + std::to_string(s.c) +
                           " spatial=" + std::to_string(s.spatial) + " block=" + std::to_string(blk);
        std::vector<float> x = rng.uniform(total, -3, 5), gamma = rng.uniform(s.c, 0.5f, 2),
                           beta = rng.uniform(s.c, -1, 1);
        for (int training = 1; training >= 0; training--) {
            std::vector<float> rm0 = rng.uniform(s.c, -0.5f, 0.5f), rv0 = rng.uniform(s.c, 0.5f, 2);
            std::vector<float> y(total, NaN), sm(s.c, NaN), si(s.c, NaN), rm = rm0, rv = rv0;
            const float momentum = 0.1f, eps = 1e-5f;
            emu_launch(batchnorm_forward, dim3(s.c), dim3(blk), blk * sizeof(double), x.data(), gamma.data(),
                       beta.data(), y.data(), sm.data(), si.data(), rm.data(), rv.data(), s.m, s.c, s.spatial, momentum,
                       eps, training);
            std::vector<double> wy(total), wsm(s.c), wsi(s.c), wrm(rm0.begin(), rm0.end()), wrv(rv0.begin(), rv0.end());
            for (int ch = 0; ch < s.c; ch++) {
                double mean = rm0[ch], var = rv0[ch];
                if (training) {
                    double sum = 0, ss = 0;
                    for (int i = 0; i < s.m; i++)
                        for (int k = 0; k < s.spatial; k++) sum += x[at(i, ch, k)];
                    mean = sum / count;
                    for (int i = 0; i < s.m; i++)
                        for (int k = 0; k < s.spatial; k++) ss += (x[at(i, ch, k)] - mean) * (x[at(i, ch, k)] - mean);
                    var = ss / count;
                    wrm[ch] = (1 - (double)momentum) * rm0[ch] + (double)momentum * mean;
                    wrv[ch] = (1 - (double)momentum) * rv0[ch] + (double)momentum * var * count / (count - 1);
                }
                double invStd = 1 / std::sqrt(var + (double)eps);
                wsm[ch] = mean;
                wsi[ch] = invStd;
                for (int i = 0; i < s.m; i++)
                    for (int k = 0; k < s.spatial; k++)
                        wy[at(i, ch, k)] = (x[at(i, ch, k)] - mean) * invStd * gamma[ch] + beta[ch];
            }
            std::string w2 = what + (training ? " training" : " eval");
            expect_close(w2 + " y", y.data(), wy.data(), total, 2e-6, 2e-6);
            expect_close(w2 + " saveMean", sm.data(), wsm.data(), s.c, 1e-7, 1e-6);
            expect_close(w2 + " saveInvStd", si.data(), wsi.data(), s.c, 1e-7, 1e-6);
            expect_close(w2 + " runningMean", rm.data(), wrm.data(), s.c, 1e-7, 1e-6);
            expect_close(w2 + " runningVar", rv.data(), wrv.data(), s.c, 1e-7, 1e-6);
            if (!training) continue;

            // Backward from the saved statistics just computed.
            std::vector<float> dy = rng.uniform(total, -1, 1);
            for (int acc = 0; acc <= 1; acc++) {
                std::vector<float> dx0 = acc ? rng.uniform(total, -1, 1) : std::vector<float>(total, NaN);
                std::vector<float> dg0 = acc ? rng.uniform(s.c, -1, 1) : std::vector<float>(s.c, NaN);
                std::vector<float> db0 = acc ? rng.uniform(s.c, -1, 1) : std::vector<float>(s.c, NaN);
                std::vector<float> dx = dx0, dg = dg0, db = db0;
                emu_launch(batchnorm_backward, dim3(s.c), dim3(blk), blk * sizeof(double), x.data(), dy.data(),
                           gamma.data(), sm.data(), si.data(), dx.data(), dg.data(), db.data(), s.m, s.c, s.spatial,
                           acc, acc);
                std::vector<double> wdx(total), wdg(s.c), wdb(s.c);
                for (int ch = 0; ch < s.c; ch++) {
                    double mean = sm[ch], invStd = si[ch], sDy = 0, sDyXhat = 0;
                    for (int i = 0; i < s.m; i++)
                        for (int k = 0; k < s.spatial; k++) {
                            sDy += dy[at(i, ch, k)];
                            sDyXhat += dy[at(i, ch, k)] * (x[at(i, ch, k)] - mean) * invStd;
                        }
                    wdb[ch] = acc ? db0[ch] + sDy : sDy;
                    wdg[ch] = acc ? dg0[ch] + sDyXhat : sDyXhat;
                    double k1 = gamma[ch] * invStd / count;
                    for (int i = 0; i < s.m; i++)
                        for (int k = 0; k < s.spatial; k++) {
                            double xhat = (x[at(i, ch, k)] - mean) * invStd;
                            double g = k1 * (count * (double)dy[at(i, ch, k)] - sDy - xhat * sDyXhat);
                            wdx[at(i, ch, k)] = acc ? dx0[at(i, ch, k)] + g : g;
                        }
                }
                std::string w3 = what + " backward" + (acc ? " +=" : " =");
                expect_close(w3 + " dx", dx.data(), wdx.data(), total, 1e-6, 1e-5);
                expect_close(w3 + " dgamma", dg.data(), wdg.data(), s.c, 1e-6, 1e-6);
                expect_close(w3 + " dbeta", db.data(), wdb.data(), s.c, 1e-6, 1e-6);
            }
        }
    }
}

}  // namespace

int main() {
    emutest::Rng rng(3);
    for (emu::Schedule s : {emu::Schedule::Concurrent, emu::Schedule::Ascending, emu::Schedule::Descending}) {
        emu::set_schedule(s);
        std::string tag = std::string("[") + emu::name(s) + "]";
        softmax_tests(rng, tag);
        gather_tests(rng, tag);
        dropout_tests(rng, tag);
        batchnorm_tests(rng, tag);
    }
    return emutest::finish("test_nn");
}
