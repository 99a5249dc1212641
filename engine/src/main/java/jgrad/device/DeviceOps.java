package jgrad.device;

/**
 * The primitive kernels a backend provides. Every buffer is contiguous row-major float32; sizes are
 * passed explicitly so the same call works for a host array or a device pointer. The CPU backend is
 * the reference implementation: every other backend is tested against it op by op.
 *
 * <p>Backward kernels take {@code accumulate}: false overwrites the gradient buffer, true adds to
 * it, so autograd never needs a scratch buffer to sum contributions.
 */
public interface DeviceOps {

    /** C[m×n] = alpha·op(A)·op(B) + beta·C; op(X) is X or Xᵀ; beta == 0 ignores C's old contents. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Storage a, Storage b, float beta, Storage c);

    void fill(Storage x, float value, int n);

    /** dst[dstOff..dstOff+n) = src[srcOff..srcOff+n). */
    void copy(Storage src, int srcOff, Storage dst, int dstOff, int n);

    /** y = f(x). */
    void unary(UnaryOp op, Storage x, Storage y, int n);

    /** dx (= or +=) f'·dy, where {@code saved} is y if {@link UnaryOp#backwardUsesOutput()}, else x. */
    void unaryBackward(UnaryOp op, Storage saved, Storage dy, Storage dx, int n, boolean accumulate);

    /** out = a (op) b. */
    void binary(BinaryOp op, Storage a, Storage b, Storage out, int n);

    /** y = alpha·x + beta·y (beta == 0 ignores y's old contents). */
    void axpby(float alpha, Storage x, float beta, Storage y, int n);

    /** out[i][j] = x[i][j] + bias[j] for an m×n matrix. */
    void addRowVector(Storage x, Storage bias, Storage out, int m, int n);

    /** out[j] (= or +=) Σᵢ x[i][j] for an m×n matrix. */
    void sumRows(Storage x, Storage out, int m, int n, boolean accumulate);

    /** out[0] = Σ x. */
    void sumAll(Storage x, Storage out, int n);

    /**
     * Softmax cross-entropy over m rows of c logits with class indices in {@code labels} (stored as
     * floats): probs = softmax(logits), loss[0] = mean over rows of (logsumexp − logit[label]).
     */
    void softmaxCrossEntropy(Storage logits, Storage labels, Storage probs, Storage loss, int m, int c);

    /** dlogits (= or +=) dloss[0]·(probs − onehot(labels))/m. */
    void softmaxCrossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits,
                                     int m, int c, boolean accumulate);

    /** out[i] = table[index[i]] for i &lt; count, rows of {@code rowLength} floats; indices stored as floats. */
    void gatherRows(Storage table, Storage index, Storage out, int count, int rowLength);

    /** out[i] = argmax_j x[i][j] (first maximum) as a float, for an m×n matrix. */
    void argmaxRows(Storage x, Storage out, int m, int n);

    /**
     * If any of x[0..n) is NaN or ±∞: flags[slot] = min(flags[slot], code); else nothing. Checking
     * several buffers into one slot filled with +∞, with codes 0, 1, 2, …, leaves the code of the
     * first bad one, on the device and without a host sync (the trainer's per-step fault check).
     */
    void flagNonFinite(Storage x, int n, Storage flags, int slot, float code);

    /**
     * Inverted dropout: mask[i] = keep ? 1/(1−p) : 0 with keep decided by a counter-based hash of
     * (seed, i) — the same bits on every device and thread count; y = x·mask.
     */
    void dropout(Storage x, Storage mask, Storage y, int n, float p, long seed);

    /**
     * Batch normalisation of x viewed as [m][c][spatial], statistics per channel c over m·spatial
     * values. Training: normalises with the batch statistics, writes saveMean/saveInvStd for the
     * backward and updates the running statistics with {@code momentum} (PyTorch convention,
     * unbiased running variance). Eval: normalises with the running statistics.
     */
    void batchNormForward(Storage x, Storage gamma, Storage beta, Storage y,
                          Storage saveMean, Storage saveInvStd, Storage runningMean, Storage runningVar,
                          int m, int c, int spatial, float momentum, float eps, boolean training);

    /** Gradients of a training-mode batch norm: dx (= or +=), dgamma and dbeta (= or +=). */
    void batchNormBackward(Storage x, Storage dy, Storage gamma, Storage saveMean, Storage saveInvStd,
                           Storage dx, Storage dgamma, Storage dbeta, int m, int c, int spatial,
                           boolean accumulateDx, boolean accumulateParams);

    /** w −= lr·(g + wd·w). */
    void sgdUpdate(Storage w, Storage g, int n, float lr, float weightDecay);

    /** v = μ·v − lr·(g + wd·w); w += v (the book's Momentum). */
    void momentumUpdate(Storage w, Storage g, Storage v, int n, float lr, float momentum, float weightDecay);

    /** h += g'²; w −= lr·g'/(√h + eps), g' = g + wd·w (the book's AdaGrad, eps 1e-7). */
    void adagradUpdate(Storage w, Storage g, Storage h, int n, float lr, float eps, float weightDecay);

    /**
     * Adam (Kingma &amp; Ba, PyTorch's form) at step t ≥ 1 with L2 weight decay g' = g + wd·w:
     * m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'², w −= lr·m̂/(√v̂ + eps).
     */
    void adamUpdate(Storage w, Storage g, Storage m, Storage v, int n, float lr,
                    float beta1, float beta2, float eps, int t, float weightDecay);

    // ---- convolution and pooling (NCHW; see Conv2dGeometry / Pool2dGeometry) ----

    /** y = conv2d(x, w) (+ bias[oc] broadcast over the plane when bias != null); y is overwritten. */
    void conv2dForward(Conv2dGeometry g, Storage x, Storage w, Storage bias, Storage y);

    /** dx (= or +=) the gradient of conv2d with respect to its input (a transposed convolution of dy with w). */
    void conv2dBackwardData(Conv2dGeometry g, Storage dy, Storage w, Storage dx, boolean accumulate);

    /**
     * dw (= or +=) the gradient with respect to the weights; when dbias != null also
     * dbias[oc] (= or +=) Σ over batch and plane of dy.
     */
    void conv2dBackwardFilter(Conv2dGeometry g, Storage x, Storage dy, Storage dw, Storage dbias, boolean accumulate);

    /** y = max over each window (padding never wins). */
    void maxPool2dForward(Pool2dGeometry g, Storage x, Storage y);

    /**
     * dx (= or +=) dy routed to the first maximum of each window (row-major order inside the
     * window), found again from x and y; backends whose ties break differently document it.
     */
    void maxPool2dBackward(Pool2dGeometry g, Storage x, Storage y, Storage dy, Storage dx, boolean accumulate);

    /** y = window sum / (kernelH·kernelW). */
    void avgPool2dForward(Pool2dGeometry g, Storage x, Storage y);

    /** dx (= or +=) dy / (kernelH·kernelW) spread over each window. */
    void avgPool2dBackward(Pool2dGeometry g, Storage dy, Storage dx, boolean accumulate);
}
