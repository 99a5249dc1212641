package jgrad.cuda;

import jcuda.Pointer;
import jgrad.device.BinaryOp;
import jgrad.device.Conv2dGeometry;
import jgrad.device.DeviceOps;
import jgrad.device.Pool2dGeometry;
import jgrad.device.Storage;
import jgrad.device.UnaryOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeviceOps on one CUDA device: own PTX kernels for every op, cuBLAS for GEMM and cuDNN for
 * convolution, pooling and batch norm when the device has them. Every op validates its arguments
 * on the host like the CPU reference (IllegalArgumentException), then queues its kernels and
 * returns: nothing here waits for the GPU. Checks that need the data itself (a label or gather
 * index that is not a valid integer) cannot throw from a kernel; those rows become NaN instead,
 * which the trainer reports at its next loss read.
 */
final class CudaOps implements DeviceOps {
    private static final Logger LOG = LoggerFactory.getLogger(CudaOps.class);
    /** Output tile of sgemm_tiled (gemm.cu): grid = (ceil(n/128), ceil(m/128)), 256 threads. */
    static final int SGEMM_TILE = 128;
    static final int SGEMM_THREADS = 256;
    /** Threads of the one-block-per-row/channel reductions (power of two, see common.cuh). */
    private static final int REDUCE_THREADS = 256;

    private final CudaDevice device;
    private final CudaKernels k;
    private final Cublas cublas;
    private final Cudnn cudnn;
    /** cuDNN's convolution and pooling where the device has cuDNN, else the own kernels: chosen here, once. */
    private final ConvPoolKernels conv;
    private boolean loggedBatchNormEps;

    CudaOps(CudaDevice device, CudaKernels kernels, Cublas cublas, Cudnn cudnn, CudnnConv cudnnConv) {
        this.device = device;
        this.k = kernels;
        this.cublas = cublas;
        this.cudnn = cudnn;
        this.conv = cudnnConv != null ? cudnnConv : new CudaConvOps(device, kernels, this);
    }

    /**
     * The storage as this device's buffer, checked to hold at least n floats. Also makes the
     * device's context current on this thread: every op passes here before touching CUDA.
     */
    CudaStorage buf(Storage s, long n, String what) {
        if (!(s instanceof CudaStorage c) || c.device() != device) {
            throw new IllegalArgumentException(what + " is not a buffer of " + device.name() + ": "
                    + (s == null ? "null" : s.device().name()));
        }
        if (n < 0 || c.numel() < n) {
            throw new IllegalArgumentException(what + " has " + c.numel() + " elements, op needs " + n);
        }
        device.bind();
        return c;
    }

    static void nonNegative(String op, int... sizes) {
        for (int s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException(op + ": negative size " + s);
            }
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, Storage b,
                     float beta, Storage c) {
        nonNegative("gemm", m, n, k);
        gemmAt(transA, transB, m, n, k, alpha, buf(a, (long) m * k, "A"), 0, buf(b, (long) k * n, "B"), 0, beta,
                buf(c, (long) m * n, "C"), 0);
    }

    /** gemm on sub-buffers starting at element offsets (the own conv path works on image chunks). */
    void gemmAt(boolean transA, boolean transB, int m, int n, int kk, float alpha, CudaStorage a, long aOff,
                CudaStorage b, long bOff, float beta, CudaStorage c, long cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        if (cublas != null) {
            cublas.sgemm(transA, transB, m, n, kk, alpha, at(a, aOff), at(b, bOff), beta, at(c, cOff));
            return;
        }
        long gridY = (m + SGEMM_TILE - 1) / SGEMM_TILE;
        if (gridY > 65_535) {
            throw new IllegalArgumentException("gemm: m = " + m + " exceeds the own kernel's grid limit ("
                    + 65_535 * SGEMM_TILE + " rows)");
        }
        k.sgemm.args().i32(transA).i32(transB).i32(m).i32(n).i32(kk).f32(alpha)
                .ptr(a, aOff).i32(transA ? m : kk).ptr(b, bOff).i32(transB ? kk : n).f32(beta).ptr(c, cOff).i32(n)
                .launch((n + SGEMM_TILE - 1) / SGEMM_TILE, (int) gridY, SGEMM_THREADS, 0);
    }

    private static Pointer at(CudaStorage s, long offset) {
        return offset == 0 ? s.pointer() : s.pointer().withByteOffset(4L * offset);
    }

    @Override
    public void fill(Storage x, float value, int n) {
        nonNegative("fill", n);
        k.fill.args().ptr(buf(x, n, "x")).f32(value).i32(n).launchFor(n);
    }

    @Override
    public void copy(Storage src, int srcOff, Storage dst, int dstOff, int n) {
        nonNegative("copy", srcOff, dstOff, n);
        CudaStorage s = buf(src, (long) srcOff + n, "copy source");
        CudaStorage d = buf(dst, (long) dstOff + n, "copy destination");
        if (s == d && srcOff < dstOff + n && dstOff < srcOff + n && srcOff != dstOff) {
            throw new IllegalArgumentException("copy: overlapping ranges in one buffer ([" + srcOff + ", "
                    + (srcOff + n) + ") to [" + dstOff + ", " + (dstOff + n) + ")) are not supported on CUDA");
        }
        k.copy.args().ptr(s).i32(srcOff).ptr(d).i32(dstOff).i32(n).launchFor(n);
    }

    @Override
    public void unary(UnaryOp op, Storage x, Storage y, int n) {
        nonNegative("unary", n);
        k.unaryForward.args().i32(op.ordinal()).ptr(buf(x, n, "x")).ptr(buf(y, n, "y")).i32(n).launchFor(n);
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage saved, Storage dy, Storage dx, int n, boolean accumulate) {
        nonNegative("unaryBackward", n);
        k.unaryBackward.args().i32(op.ordinal()).ptr(buf(saved, n, "saved")).ptr(buf(dy, n, "dy"))
                .ptr(buf(dx, n, "dx")).i32(n).i32(accumulate).launchFor(n);
    }

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Storage out, int n) {
        nonNegative("binary", n);
        k.binary.args().i32(op.ordinal()).ptr(buf(a, n, "a")).ptr(buf(b, n, "b")).ptr(buf(out, n, "out")).i32(n)
                .launchFor(n);
    }

    @Override
    public void axpby(float alpha, Storage x, float beta, Storage y, int n) {
        nonNegative("axpby", n);
        k.axpby.args().f32(alpha).ptr(buf(x, n, "x")).f32(beta).ptr(buf(y, n, "y")).i32(n).launchFor(n);
    }

    @Override
    public void addRowVector(Storage x, Storage bias, Storage out, int m, int n) {
        nonNegative("addRowVector", m, n);
        long total = (long) m * n;
        k.addRowVector.args().ptr(buf(x, total, "x")).ptr(buf(bias, n, "bias")).ptr(buf(out, total, "out")).i32(m)
                .i32(n).launchFor(total);
    }

    @Override
    public void sumRows(Storage x, Storage out, int m, int n, boolean accumulate) {
        nonNegative("sumRows", m, n);
        k.sumRows.args().ptr(buf(x, (long) m * n, "x")).ptr(buf(out, n, "out")).i32(m).i32(n).i32(accumulate)
                .launchFor(n);
    }

    @Override
    public void sumAll(Storage x, Storage out, int n) {
        nonNegative("sumAll", n);
        // One block: a fixed reduction tree, so the sum has the same bits on every run.
        k.sumAll.args().ptr(buf(x, n, "x")).ptr(buf(out, 1, "out")).i32(n).launch(1, 1024, 1024 * 8);
    }

    /** Threads for one block per row of c values: a power of two from 32 to REDUCE_THREADS. */
    private static int rowThreads(int c) {
        int t = 32;
        while (t < c && t < REDUCE_THREADS) {
            t <<= 1;
        }
        return t;
    }

    @Override
    public void flagNonFinite(Storage x, int n, Storage flags, int slot, float code) {
        nonNegative("flagNonFinite", n, slot);
        if (Float.isNaN(code)) {
            throw new IllegalArgumentException("flag code must not be NaN");
        }
        k.flagNonFinite.args().ptr(buf(x, n, "x")).i32(n).ptr(buf(flags, (long) slot + 1, "flags")).i32(slot)
                .f32(code).launchFor(n);
    }

    @Override
    public void softmaxCrossEntropy(Storage logits, Storage labels, Storage probs, Storage loss, int m, int c) {
        nonNegative("softmaxCrossEntropy", m, c);
        if (m == 0) {
            throw new IllegalArgumentException("cross-entropy of an empty batch");
        }
        if (c == 0) {
            throw new IllegalArgumentException("cross-entropy over zero classes");
        }
        CudaStorage lg = buf(logits, (long) m * c, "logits");
        CudaStorage lb = buf(labels, m, "labels");
        CudaStorage pr = buf(probs, (long) m * c, "probs");
        CudaStorage ls = buf(loss, 1, "loss");
        CudaAllocator.Block rowLoss = device.allocator().take(8L * m);  // one double per row
        try {
            int threads = rowThreads(c);
            k.softmaxXentRows.args().ptr(lg).ptr(lb).ptr(pr).address(rowLoss.ptr().address()).i32(m).i32(c)
                    .launch(m, threads, threads * 8);
            k.softmaxXentMean.args().address(rowLoss.ptr().address()).ptr(ls).i32(m).launch(1, 1024, 1024 * 8);
        } finally {
            device.allocator().release(rowLoss);  // one stream: the next user queues behind these kernels
        }
    }

    @Override
    public void softmaxCrossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits, int m,
                                            int c, boolean accumulate) {
        nonNegative("softmaxCrossEntropyBackward", m, c);
        long total = (long) m * c;
        k.softmaxXentBackward.args().ptr(buf(probs, total, "probs")).ptr(buf(labels, m, "labels"))
                .ptr(buf(dloss, 1, "dloss")).ptr(buf(dlogits, total, "dlogits")).i32(m).i32(c).i32(accumulate)
                .launchFor(total);
    }

    @Override
    public void gatherRows(Storage table, Storage index, Storage out, int count, int rowLength) {
        nonNegative("gatherRows", count, rowLength);
        CudaStorage t = buf(table, 0, "table");
        int rows = rowLength == 0 ? 0 : t.numel() / rowLength;
        long total = (long) count * rowLength;
        k.gatherRows.args().ptr(t).ptr(buf(index, count, "index")).ptr(buf(out, total, "out")).i32(count)
                .i32(rowLength).i32(rows).launchFor(total);
    }

    @Override
    public void argmaxRows(Storage x, Storage out, int m, int n) {
        nonNegative("argmaxRows", m, n);
        k.argmaxRows.args().ptr(buf(x, (long) m * n, "x")).ptr(buf(out, m, "out")).i32(m).i32(n).launchFor(m);
    }

    @Override
    public void dropout(Storage x, Storage mask, Storage y, int n, float p, long seed) {
        nonNegative("dropout", n);
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        k.dropout.args().ptr(buf(x, n, "x")).ptr(buf(mask, n, "mask")).ptr(buf(y, n, "y")).i32(n).f32(p).i64(seed)
                .launchFor(n);
    }

    @Override
    public void batchNormForward(Storage x, Storage gamma, Storage beta, Storage y, Storage saveMean,
                                 Storage saveInvStd, Storage runningMean, Storage runningVar, int m, int c,
                                 int spatial, float momentum, float eps, boolean training) {
        nonNegative("batchNormForward", m, c, spatial);
        long total = (long) m * c * spatial;
        long count = (long) m * spatial;
        if (training && count < 2) {
            throw new IllegalArgumentException("batch norm in training needs more than one value per channel, got "
                    + count);
        }
        CudaStorage xs = buf(x, total, "x");
        CudaStorage ys = buf(y, total, "y");
        CudaStorage g = buf(gamma, c, "gamma");
        CudaStorage b = buf(beta, c, "beta");
        CudaStorage sm = buf(saveMean, c, "saveMean");
        CudaStorage si = buf(saveInvStd, c, "saveInvStd");
        CudaStorage rm = buf(runningMean, c, "runningMean");
        CudaStorage rv = buf(runningVar, c, "runningVar");
        if (c == 0) {
            return;
        }
        // cuDNN's inference call writes no saveMean/saveInvStd, which DeviceOps defines in eval mode
        // too; eval is not a training hot path, so it stays on the own kernel.
        if (cudnn != null && training && eps >= Cudnn.BN_MIN_EPSILON) {
            cudnn.batchNormForwardTraining(xs, g, b, ys, sm, si, rm, rv, m, c, spatial, momentum, eps);
            return;
        }
        if (cudnn != null && training && !loggedBatchNormEps) {
            loggedBatchNormEps = true;
            LOG.info("batch norm eps {} is below cuDNN's minimum {}; it runs on the own kernel", eps,
                    Cudnn.BN_MIN_EPSILON);
        }
        k.batchNormForward.args().ptr(xs).ptr(g).ptr(b).ptr(ys).ptr(sm).ptr(si).ptr(rm).ptr(rv).i32(m).i32(c)
                .i32(spatial).f32(momentum).f32(eps).i32(training).launch(c, REDUCE_THREADS, REDUCE_THREADS * 8);
    }

    @Override
    public void batchNormBackward(Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                                  Storage dx, Storage dgamma, Storage dbeta, int m, int c, int spatial,
                                  boolean accumulateDx, boolean accumulateParams) {
        nonNegative("batchNormBackward", m, c, spatial);
        long total = (long) m * c * spatial;
        CudaStorage xs = buf(x, total, "x");
        CudaStorage dys = buf(dy, total, "dy");
        CudaStorage dxs = buf(dx, total, "dx");
        CudaStorage g = buf(gamma, c, "gamma");
        CudaStorage sm = buf(saveMean, c, "saveMean");
        CudaStorage si = buf(saveInvStd, c, "saveInvStd");
        CudaStorage dg = buf(dgamma, c, "dgamma");
        CudaStorage db = buf(dbeta, c, "dbeta");
        if (c == 0 || total == 0) {
            return;
        }
        if (cudnn != null) {
            cudnn.batchNormBackward(xs, dys, g, sm, si, dxs, dg, db, m, c, spatial, accumulateDx, accumulateParams);
            return;
        }
        k.batchNormBackward.args().ptr(xs).ptr(dys).ptr(g).ptr(sm).ptr(si).ptr(dxs).ptr(dg).ptr(db).i32(m).i32(c)
                .i32(spatial).i32(accumulateDx).i32(accumulateParams)
                .launch(c, REDUCE_THREADS, REDUCE_THREADS * 8);
    }

    @Override
    public void sgdUpdate(Storage w, Storage g, int n, float lr, float weightDecay) {
        nonNegative("sgdUpdate", n);
        k.sgd.args().ptr(buf(w, n, "w")).ptr(buf(g, n, "g")).i32(n).f32(lr).f32(weightDecay).launchFor(n);
    }

    @Override
    public void momentumUpdate(Storage w, Storage g, Storage v, int n, float lr, float momentum, float weightDecay) {
        nonNegative("momentumUpdate", n);
        k.momentum.args().ptr(buf(w, n, "w")).ptr(buf(g, n, "g")).ptr(buf(v, n, "v")).i32(n).f32(lr).f32(momentum)
                .f32(weightDecay).launchFor(n);
    }

    @Override
    public void adagradUpdate(Storage w, Storage g, Storage h, int n, float lr, float eps, float weightDecay) {
        nonNegative("adagradUpdate", n);
        k.adagrad.args().ptr(buf(w, n, "w")).ptr(buf(g, n, "g")).ptr(buf(h, n, "h")).i32(n).f32(lr).f32(eps)
                .f32(weightDecay).launchFor(n);
    }

    @Override
    public void adamUpdate(Storage w, Storage g, Storage m, Storage v, int n, float lr, float beta1, float beta2,
                           float eps, int t, float weightDecay) {
        nonNegative("adamUpdate", n);
        if (t < 1) {
            throw new IllegalArgumentException("Adam step must be >= 1, got " + t);
        }
        // The bias corrections exactly as CpuOptimKernels.adam computes them, so both devices agree.
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        float stepSize = lr / c1;
        float invSqrtC2 = (float) (1 / Math.sqrt(c2));
        k.adam.args().ptr(buf(w, n, "w")).ptr(buf(g, n, "g")).ptr(buf(m, n, "m")).ptr(buf(v, n, "v")).i32(n)
                .f32(beta1).f32(beta2).f32(eps).f32(stepSize).f32(invSqrtC2).f32(weightDecay).launchFor(n);
    }

    // ---- convolution and pooling: checked here, run by the ConvPoolKernels chosen when the device opened ----

    @Override
    public void conv2dForward(Conv2dGeometry g, Storage x, Storage w, Storage bias, Storage y) {
        CudaStorage xs = buf(x, g.inputNumel(), "x");
        CudaStorage ws = buf(w, g.weightNumel(), "w");
        CudaStorage bs = bias == null ? null : buf(bias, g.outChannels(), "bias");
        CudaStorage ys = buf(y, g.outputNumel(), "y");
        conv.forward(g, xs, ws, bs, ys);
    }

    @Override
    public void conv2dBackwardData(Conv2dGeometry g, Storage dy, Storage w, Storage dx, boolean accumulate) {
        CudaStorage dys = buf(dy, g.outputNumel(), "dy");
        CudaStorage ws = buf(w, g.weightNumel(), "w");
        CudaStorage dxs = buf(dx, g.inputNumel(), "dx");
        conv.backwardData(g, dys, ws, dxs, accumulate);
    }

    @Override
    public void conv2dBackwardFilter(Conv2dGeometry g, Storage x, Storage dy, Storage dw, Storage dbias,
                                     boolean accumulate) {
        CudaStorage xs = buf(x, g.inputNumel(), "x");
        CudaStorage dys = buf(dy, g.outputNumel(), "dy");
        CudaStorage dws = buf(dw, g.weightNumel(), "dw");
        CudaStorage dbs = dbias == null ? null : buf(dbias, g.outChannels(), "dbias");
        conv.backwardFilter(g, xs, dys, dws, dbs, accumulate);
    }

    @Override
    public void maxPool2dForward(Pool2dGeometry g, Storage x, Storage y) {
        CudaStorage xs = buf(x, g.inputNumel(), "x");
        CudaStorage ys = buf(y, g.outputNumel(), "y");
        conv.maxPoolForward(g, xs, ys);
    }

    @Override
    public void maxPool2dBackward(Pool2dGeometry g, Storage x, Storage y, Storage dy, Storage dx, boolean accumulate) {
        CudaStorage xs = buf(x, g.inputNumel(), "x");
        CudaStorage ys = buf(y, g.outputNumel(), "y");
        CudaStorage dys = buf(dy, g.outputNumel(), "dy");
        CudaStorage dxs = buf(dx, g.inputNumel(), "dx");
        conv.maxPoolBackward(g, xs, ys, dys, dxs, accumulate);
    }

    @Override
    public void avgPool2dForward(Pool2dGeometry g, Storage x, Storage y) {
        CudaStorage xs = buf(x, g.inputNumel(), "x");
        CudaStorage ys = buf(y, g.outputNumel(), "y");
        conv.avgPoolForward(g, xs, ys);
    }

    @Override
    public void avgPool2dBackward(Pool2dGeometry g, Storage dy, Storage dx, boolean accumulate) {
        CudaStorage dys = buf(dy, g.outputNumel(), "dy");
        CudaStorage dxs = buf(dx, g.inputNumel(), "dx");
        conv.avgPoolBackward(g, dys, dxs, accumulate);
    }
}
