package jgrad.cuda;

import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationBackward;
import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationForwardTraining;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreatePoolingDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroy;
import static jcuda.jcudnn.JCudnn.cudnnDestroyPoolingDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnGetErrorString;
import static jcuda.jcudnn.JCudnn.cudnnPoolingBackward;
import static jcuda.jcudnn.JCudnn.cudnnPoolingForward;
import static jcuda.jcudnn.JCudnn.cudnnSetPooling2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetStream;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBatchNormMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnPoolingMode;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;
import jgrad.device.Pool2dGeometry;

/**
 * cuDNN on the device's stream: the handle, descriptor caches, pooling and training-mode batch
 * norm (convolution is in {@link CudnnConv}). Descriptors are made once per shape and kept for the
 * life of the device, so a training step only launches.
 *
 * <p>Statuses are checked here rather than by JCudnn's exceptions: the Java API is 11.7 while the
 * natives bind cuDNN 9, whose error codes the 11.7 enum does not know; cudnnGetErrorString comes
 * from the loaded library and does.
 *
 * <p>Conventions checked against DeviceOps: cudnnBatchNormalizationForwardTraining updates the
 * running mean with factor {@code momentum} (PyTorch's convention) and the running variance with
 * the unbiased batch variance — PyTorch hands its running_var straight to this call — and saves
 * 1/√(biased var + eps), which is DeviceOps' saveInvStd. Pooling uses MAX_DETERMINISTIC (padding
 * never wins) and AVERAGE_COUNT_INCLUDE_PADDING (divides by kh·kw), as Pool2dGeometry defines.
 */
final class Cudnn implements AutoCloseable {
    static final Pointer ONE = Pointer.to(new float[] {1f});
    static final Pointer ZERO = Pointer.to(new float[] {0f});
    /**
     * CUDNN_BN_MIN_EPSILON of cuDNN 8 and 9 (cudnn_ops.h): 0.0. It was 1e-5 in cuDNN 7, and comparing
     * jgrad's float eps 1e-5f (widened: 9.9999997e-6) with that double sent every batch norm to the
     * own kernel; a test pins the cuDNN path for the default eps.
     */
    static final double BN_MIN_EPSILON = 0.0;

    final cudnnHandle handle = new cudnnHandle();
    private final Map<List<Integer>, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<List<Integer>, cudnnPoolingDescriptor> pools = new HashMap<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private boolean closed;

    Cudnn(CUstream stream) {
        JCudnn.setExceptionsEnabled(false);  // statuses are checked by check(), see the class comment
        check(cudnnCreate(handle), "cudnnCreate");
        try {
            check(cudnnSetStream(handle, new cudaStream_t(stream)), "cudnnSetStream");
        } catch (RuntimeException e) {
            cudnnDestroy(handle);
            throw e;
        }
    }

    static void check(int status, String call) {
        if (status != 0) {
            String text;
            try {
                text = cudnnGetErrorString(status);
            } catch (Throwable t) {
                text = "status " + status;
            }
            throw new CudaException(call + " failed: " + text + " (cuDNN status " + status + ")");
        }
    }

    /** A float NCHW tensor descriptor, made once per shape. */
    cudnnTensorDescriptor tensor(int n, int c, int h, int w) {
        return tensors.computeIfAbsent(List.of(n, c, h, w), k -> {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            check(cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            owned.add(() -> cudnnDestroyTensorDescriptor(d));
            check(cudnnSetTensor4dDescriptor(d, cudnnTensorFormat.CUDNN_TENSOR_NCHW, cudnnDataType.CUDNN_DATA_FLOAT,
                    n, c, h, w), "cudnnSetTensor4dDescriptor " + k);
            return d;
        });
    }

    /** Registers a native resource to be released with the handle. */
    void own(AutoCloseable resource) {
        owned.add(resource);
    }

    private cudnnPoolingDescriptor pooling(Pool2dGeometry g, boolean max) {
        List<Integer> key = List.of(max ? 1 : 0, g.kernelH(), g.kernelW(), g.padH(), g.padW(), g.strideH(), g.strideW());
        return pools.computeIfAbsent(key, k -> {
            cudnnPoolingDescriptor d = new cudnnPoolingDescriptor();
            check(cudnnCreatePoolingDescriptor(d), "cudnnCreatePoolingDescriptor");
            owned.add(() -> cudnnDestroyPoolingDescriptor(d));
            int mode = max ? cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC
                    : cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
            check(cudnnSetPooling2dDescriptor(d, mode, cudnnNanPropagation.CUDNN_NOT_PROPAGATE_NAN, g.kernelH(),
                    g.kernelW(), g.padH(), g.padW(), g.strideH(), g.strideW()), "cudnnSetPooling2dDescriptor " + g);
            return d;
        });
    }

    void poolForward(Pool2dGeometry g, boolean max, CudaStorage x, CudaStorage y) {
        check(cudnnPoolingForward(handle, pooling(g, max), ONE, inputOf(g), x.pointer(), ZERO, outputOf(g),
                y.pointer()), "cudnnPoolingForward " + g);
    }

    /** cuDNN's pooling backward reads y and x for max (to find the winner) and ignores them for average. */
    void poolBackward(Pool2dGeometry g, boolean max, CudaStorage x, CudaStorage y, CudaStorage dy, CudaStorage dx,
                      boolean accumulate) {
        check(cudnnPoolingBackward(handle, pooling(g, max), ONE, outputOf(g), y.pointer(), outputOf(g), dy.pointer(),
                inputOf(g), x.pointer(), accumulate ? ONE : ZERO, inputOf(g), dx.pointer()),
                "cudnnPoolingBackward " + g);
    }

    private cudnnTensorDescriptor inputOf(Pool2dGeometry g) {
        return tensor(g.batch(), g.channels(), g.height(), g.width());
    }

    private cudnnTensorDescriptor outputOf(Pool2dGeometry g) {
        return tensor(g.batch(), g.channels(), g.outH(), g.outW());
    }

    /** Training-mode batch norm of x viewed as [m][c][spatial][1], SPATIAL mode: per-channel statistics. */
    void batchNormForwardTraining(CudaStorage x, CudaStorage gamma, CudaStorage beta, CudaStorage y,
                                  CudaStorage saveMean, CudaStorage saveInvStd, CudaStorage runningMean,
                                  CudaStorage runningVar, int m, int c, int spatial, float momentum, float eps) {
        cudnnTensorDescriptor xd = tensor(m, c, spatial, 1);
        check(cudnnBatchNormalizationForwardTraining(handle, cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL, ONE, ZERO,
                xd, x.pointer(), xd, y.pointer(), tensor(1, c, 1, 1), gamma.pointer(), beta.pointer(), momentum,
                runningMean.pointer(), runningVar.pointer(), eps, saveMean.pointer(), saveInvStd.pointer()),
                "cudnnBatchNormalizationForwardTraining");
    }

    /**
     * Batch-norm gradients from the saved mean and 1/std. DeviceOps passes no epsilon to the
     * backward: with the saved statistics given, cuDNN does not recompute them, and the minimum
     * epsilon is passed only to satisfy the parameter check.
     */
    void batchNormBackward(CudaStorage x, CudaStorage dy, CudaStorage gamma, CudaStorage saveMean,
                           CudaStorage saveInvStd, CudaStorage dx, CudaStorage dgamma, CudaStorage dbeta,
                           int m, int c, int spatial, boolean accumulateDx, boolean accumulateParams) {
        cudnnTensorDescriptor xd = tensor(m, c, spatial, 1);
        check(cudnnBatchNormalizationBackward(handle, cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL, ONE,
                accumulateDx ? ONE : ZERO, ONE, accumulateParams ? ONE : ZERO, xd, x.pointer(), xd, dy.pointer(), xd,
                dx.pointer(), tensor(1, c, 1, 1), gamma.pointer(), dgamma.pointer(), dbeta.pointer(), BN_MIN_EPSILON,
                saveMean.pointer(), saveInvStd.pointer()), "cudnnBatchNormalizationBackward");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // destroying a descriptor cannot fail in a way that matters at shutdown
            }
        }
        owned.clear();
        tensors.clear();
        pools.clear();
        cudnnDestroy(handle);
    }
}
