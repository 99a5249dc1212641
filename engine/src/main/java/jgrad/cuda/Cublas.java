package jgrad.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasDestroy;
import static jcuda.jcublas.JCublas2.cublasSetAtomicsMode;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSetPointerMode;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemm;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasAtomicsMode;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasPointerMode;
import jcuda.runtime.cudaStream_t;

/**
 * cuBLAS SGEMM on the device's stream, in jgrad's row-major convention. cuBLAS is column-major: a
 * row-major m×n matrix is, to cuBLAS, its n×m transpose, so C = op(A)·op(B) is computed as
 * Cᵀ = op(B)ᵀ·op(A)ᵀ — the same call with A and B swapped and m and n swapped, no copies.
 *
 * <p>Reproducibility: cuBLAS routines give the same bits on every run on GPUs of the same
 * architecture and SM count, provided one stream is active (cuBLAS manual, "Results
 * reproducibility"); with several concurrent streams it may pick different workspaces, which is what
 * CUBLAS_WORKSPACE_CONFIG works around. jgrad has one handle on the device's one stream, so that
 * setting is not needed, and atomics (the manual's other exception) are disallowed explicitly.
 */
final class Cublas implements AutoCloseable {
    private final cublasHandle handle = new cublasHandle();
    private final boolean tf32;
    // Host scalars, read by cuBLAS during the call (host pointer mode): preallocated, no garbage.
    private final float[] alpha = new float[1];
    private final float[] beta = new float[1];
    private final Pointer alphaPtr = Pointer.to(alpha);
    private final Pointer betaPtr = Pointer.to(beta);
    private boolean closed;

    /** Creates the handle, binds it to {@code stream}; TF32 tensor-core math only when asked for. */
    Cublas(CUstream stream, boolean tf32) {
        JCublas2.setExceptionsEnabled(true);
        cublasCreate(handle);
        this.tf32 = tf32;
        try {
            cublasSetStream(handle, new cudaStream_t(stream));
            cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_HOST);
            cublasSetAtomicsMode(handle, cublasAtomicsMode.CUBLAS_ATOMICS_NOT_ALLOWED);  // the default, made explicit
            // DEFAULT keeps full FP32 (no TF32 unless NVIDIA_TF32_OVERRIDE says so); TF32 rounds the
            // inputs to 10 mantissa bits: ~8x the tensor throughput, ~1e-3 relative error.
            cublasSetMathMode(handle, tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
        } catch (RuntimeException e) {
            cublasDestroy(handle);
            throw e;
        }
    }

    boolean tf32() {
        return tf32;
    }

    /**
     * Row-major C[m×n] = alpha·op(A)·op(B) + beta·C with lda = transA ? m : k, ldb = transB ? k : n,
     * ldc = n (DeviceOps.gemm); beta == 0 never reads C (the BLAS rule).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alphaValue, Pointer a, Pointer b,
               float betaValue, Pointer c) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        alpha[0] = alphaValue;
        beta[0] = betaValue;
        // cuBLAS requires every leading dimension >= 1 even when the matrix is empty (k == 0).
        cublasSgemm(handle, transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                n, m, k, alphaPtr, b, Math.max(1, ldb), a, Math.max(1, lda), betaPtr, c, Math.max(1, n));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cublasDestroy(handle);
        }
    }
}
