package jgrad.cuda;

import jgrad.device.Conv2dGeometry;
import jgrad.device.Pool2dGeometry;

/**
 * Convolution and pooling on buffers {@link CudaOps} has already checked: cuDNN's ({@link CudnnConv})
 * or the own im2col + GEMM kernels ({@link CudaConvOps}), chosen once when the device opens, so no
 * op asks again which one it has.
 */
interface ConvPoolKernels {
    void forward(Conv2dGeometry g, CudaStorage x, CudaStorage w, CudaStorage bias, CudaStorage y);

    void backwardData(Conv2dGeometry g, CudaStorage dy, CudaStorage w, CudaStorage dx, boolean accumulate);

    /** @param dbias null for a convolution without bias */
    void backwardFilter(Conv2dGeometry g, CudaStorage x, CudaStorage dy, CudaStorage dw, CudaStorage dbias,
                        boolean accumulate);

    void maxPoolForward(Pool2dGeometry g, CudaStorage x, CudaStorage y);

    void maxPoolBackward(Pool2dGeometry g, CudaStorage x, CudaStorage y, CudaStorage dy, CudaStorage dx,
                         boolean accumulate);

    void avgPoolForward(Pool2dGeometry g, CudaStorage x, CudaStorage y);

    void avgPoolBackward(Pool2dGeometry g, CudaStorage dy, CudaStorage dx, boolean accumulate);
}
