import static jcuda.driver.JCudaDriver.*;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import jcuda.Pointer;
import jcuda.driver.*;
import jcuda.jcublas.*;
import jcuda.jcudnn.*;
import jcuda.runtime.cudaStream_t;

/**
 * Binding check of the simulated vendor libraries through the real JCuda 12.6 natives (JCublas2,
 * JCudnn) and JNA, as jgrad binds them: run by run-vendor-test.sh under kernels/sim/run.sh when
 * java and the JCuda jars are available. Small cases with known answers; exits 1 on the first miss.
 */
public class JcudaBindingCheck {
    static void expect(boolean ok, String what) {
        System.out.println((ok ? "ok   " : "FAIL ") + what);
        if (!ok) System.exit(1);
    }

    public static void main(String[] args) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, 0);
        CUcontext ctx = new CUcontext();
        cuDevicePrimaryCtxRetain(ctx, dev);
        cuCtxSetCurrent(ctx);

        JCublas2.initialize();
        JCublas2.setExceptionsEnabled(true);
        cublasHandle h = new cublasHandle();
        JCublas2.cublasCreate(h);
        JCublas2.cublasSetStream(h, new cudaStream_t());
        JCublas2.cublasSetPointerMode(h, cublasPointerMode.CUBLAS_POINTER_MODE_HOST);
        JCublas2.cublasSetAtomicsMode(h, cublasAtomicsMode.CUBLAS_ATOMICS_NOT_ALLOWED);
        JCublas2.cublasSetMathMode(h, cublasMath.CUBLAS_TF32_TENSOR_OP_MATH);
        JCublas2.cublasSetMathMode(h, cublasMath.CUBLAS_DEFAULT_MATH);
        int[] v = new int[1];
        JCublas2.cublasGetVersion(h, v);
        int[] major = new int[1];
        JCublas2.cublasGetProperty(0, major);
        expect(v[0] == 120604 && major[0] == 12, "JCublas2 version " + v[0] + ", major " + major[0]);
        float[] a = {1, 2, 3, 4}, b = {1, 0, 0, 1}, c = new float[4];
        CUdeviceptr da = new CUdeviceptr(), db = new CUdeviceptr(), dc = new CUdeviceptr();
        cuMemAlloc(da, 16);
        cuMemAlloc(db, 16);
        cuMemAlloc(dc, 16);
        cuMemcpyHtoD(da, Pointer.to(a), 16);
        cuMemcpyHtoD(db, Pointer.to(b), 16);
        JCublas2.cublasSgemm(h, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_T, 2, 2, 2,
                Pointer.to(new float[] {2f}), da, 2, db, 2, Pointer.to(new float[] {0f}), dc, 2);
        cuMemcpyDtoH(Pointer.to(c), dc, 16);
        expect(c[0] == 2 && c[1] == 4 && c[2] == 6 && c[3] == 8, "JCublas2.cublasSgemm " + java.util.Arrays.toString(c));
        try {
            JCublas2.cublasSgemm(h, 0, 0, 2, 2, 2, Pointer.to(new float[] {1f}), da, 1, db, 2,
                    Pointer.to(new float[] {0f}), dc, 2);
            expect(false, "lda 1 < m 2 throws");
        } catch (jcuda.CudaException e) {
            expect(e.getMessage().contains("INVALID_VALUE"), "lda < m: " + e.getMessage());
        }
        JCublas2.cublasDestroy(h);

        JCudnn.initialize();
        JCudnn.setExceptionsEnabled(false);
        long ver = JCudnn.cudnnGetVersion();
        expect(ver == 90600, "cudnnGetVersion " + ver + ", " + JCudnn.cudnnGetErrorString(2000));
        cudnnHandle dh = new cudnnHandle();
        expect(JCudnn.cudnnCreate(dh) == 0, "cudnnCreate");
        JCudnn.cudnnSetStream(dh, new cudaStream_t());
        cudnnTensorDescriptor x = new cudnnTensorDescriptor(), y = new cudnnTensorDescriptor();
        JCudnn.cudnnCreateTensorDescriptor(x);
        JCudnn.cudnnCreateTensorDescriptor(y);
        JCudnn.cudnnSetTensor4dDescriptor(x, 0, 0, 2, 3, 9, 9);
        cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        JCudnn.cudnnCreateFilterDescriptor(w);
        JCudnn.cudnnSetFilter4dDescriptor(w, 0, 0, 4, 3, 3, 3);
        cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        JCudnn.cudnnCreateConvolutionDescriptor(conv);
        JCudnn.cudnnSetConvolution2dDescriptor(conv, 1, 1, 1, 1, 1, 1, cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, 0);
        int[] mt = new int[1];
        expect(JCudnn.cudnnSetConvolutionMathType(conv, cudnnMathType.CUDNN_FMA_MATH) == 0
                && JCudnn.cudnnGetConvolutionMathType(conv, mt) == 0 && mt[0] == cudnnMathType.CUDNN_FMA_MATH,
                "convolution math type round trip");
        int[] dims = new int[4];
        JCudnn.cudnnGetConvolution2dForwardOutputDim(conv, x, w, new int[1], new int[1], dims, new int[1]);
        JCudnn.cudnnSetTensor4dDescriptor(y, 0, 0, 2, 4, 9, 9);
        int[] max = new int[1];
        JCudnn.cudnnGetConvolutionForwardAlgorithmMaxCount(dh, max);
        cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[max[0]];
        for (int i = 0; i < perf.length; i++) perf[i] = new cudnnConvolutionFwdAlgoPerf();
        int[] count = new int[1];
        // (JCudnn copies algo, status, time, memory and determinism of a forward perf result back to
        // Java, not mathType: that field stays 0 whatever the library wrote.)
        int st = JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(dh, x, w, conv, y, max[0], count, perf);
        expect(st == 0 && count[0] == 8 && perf[0].algo == 1 && perf[0].status == 0 && perf[0].memory == 8 * 3 * 9
                && perf[0].determinism == 1 && perf[3].status == 3000,
                "cudnnGetConvolutionForwardAlgorithm_v7 through JCudnn: " + perf[0] + " / " + perf[3]);
        long[] ws = new long[1];
        st = JCudnn.cudnnGetConvolutionForwardWorkspaceSize(dh, x, w, conv, y, 2, ws);
        expect(st == 0 && ws[0] == 4L * 3 * 9 * 81, "workspace GEMM " + ws[0]);
        CUdeviceptr dx = new CUdeviceptr(), dw = new CUdeviceptr(), dy = new CUdeviceptr(), dws = new CUdeviceptr();
        cuMemAlloc(dx, 4 * 2 * 3 * 81);
        cuMemAlloc(dw, 4 * 4 * 3 * 9);
        cuMemAlloc(dy, 4 * 2 * 4 * 81);
        cuMemAlloc(dws, ws[0]);
        float[] ones = new float[2 * 3 * 81];
        java.util.Arrays.fill(ones, 1f);
        cuMemcpyHtoD(dx, Pointer.to(ones), ones.length * 4);
        cuMemcpyHtoD(dw, Pointer.to(ones), 4 * 3 * 9 * 4);
        Pointer one = Pointer.to(new float[] {1f}), zero = Pointer.to(new float[] {0f});
        st = JCudnn.cudnnConvolutionForward(dh, one, x, dx, w, dw, conv, 2, dws, ws[0], zero, y, dy);
        float[] out = new float[2 * 4 * 81];
        cuMemcpyDtoH(Pointer.to(out), dy, out.length * 4);
        expect(st == 0 && out[0] == 12 && out[10] == 27, "cudnnConvolutionForward corner " + out[0] + ", inside " + out[10]);
        st = JCudnn.cudnnConvolutionForward(dh, one, x, dx, w, dw, conv, 2, dws, ws[0] - 1, zero, y, dy);
        expect(st == 2000, "short workspace -> " + st + " " + JCudnn.cudnnGetErrorString(st));
        JCudnn.cudnnDestroy(dh);

        NativeLibrary nvml = NativeLibrary.getInstance("libnvidia-ml.so.1");
        expect(nvml.getFunction("nvmlInit_v2").invokeInt(new Object[0]) == 0, "nvmlInit_v2 through JNA");
        try (Memory name = new Memory(96)) {
            com.sun.jna.ptr.PointerByReference ref = new com.sun.jna.ptr.PointerByReference();
            nvml.getFunction("nvmlDeviceGetHandleByIndex_v2").invokeInt(new Object[] {0, ref});
            nvml.getFunction("nvmlDeviceGetName").invokeInt(new Object[] {ref.getValue(), name, 96});
            expect(name.getString(0).equals("jgrad CUDA simulator (sm_90)"), "NVML name " + name.getString(0));
        }
    }
}
