package jgrad.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A CUdeviceptr whose address can be read as a long. Kernel launches pass addresses through
 * preallocated {@code long[1]} slots (see {@link CudaKernels.Kernel}), so a launch allocates no
 * JCuda Pointer objects; JCuda keeps the address itself protected, hence this subclass.
 */
final class DevicePointer extends CUdeviceptr {
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
