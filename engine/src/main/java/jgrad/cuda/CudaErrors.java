package jgrad.cuda;

import jcuda.CudaException;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * JCuda's exceptions carry only the error's name (CUDA_ERROR_ILLEGAL_ADDRESS); the driver's own
 * description (cuGetErrorString) says more, and the jgrad CUDA simulator puts the kernel, block,
 * thread, PTX line and address of a fault there. Used where a failure is reported to the user.
 */
final class CudaErrors {
    /** CUresult codes are below this; the lookup runs only on an error path. */
    private static final int MAX_CODE = 1000;

    private CudaErrors() {}

    /** A new exception: {@code context}, the error's name and the driver's description of it. */
    static CudaException withDetail(String context, CudaException e) {
        String name = e.getMessage() == null ? "" : e.getMessage().trim();
        String detail = driverDescription(name);
        return new CudaException(context + ": " + name + (detail == null ? "" : " (" + detail + ")"), e);
    }

    private static String driverDescription(String name) {
        for (int code = 1; code < MAX_CODE; code++) {
            if (CUresult.stringFor(code).equals(name)) {
                try {
                    String[] text = new String[1];
                    return JCudaDriver.cuGetErrorString(code, text) == CUresult.CUDA_SUCCESS ? text[0] : null;
                } catch (RuntimeException | LinkageError ignored) {
                    return null;  // the description is a courtesy; the error itself is reported anyway
                }
            }
        }
        return null;
    }
}
