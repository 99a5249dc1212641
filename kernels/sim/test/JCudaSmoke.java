import static jcuda.driver.JCudaDriver.*;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.*;

/**
 * The real JCuda 12.6 natives bound to the simulated libcuda.so.1: run with
 *   kernels/sim/run.sh java -cp JCUDA_JAR:JCUDA_NATIVES_JAR kernels/sim/test/JCudaSmoke.java kernels/sim/test/kernels.ptx
 * (run-jcuda-smoke.sh does that with the jars from ~/.m2).
 */
public class JCudaSmoke {
    public static void main(String[] args) throws Exception {
        setExceptionsEnabled(true);
        cuInit(0);
        int[] n = new int[1];
        cuDeviceGetCount(n);
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, 0);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, dev);
        int[] version = new int[1];
        cuDriverGetVersion(version);
        System.out.println("devices: " + n[0] + ", device 0: " + new String(name).trim() + ", driver " + version[0]);

        CUcontext ctx = new CUcontext();
        cuDevicePrimaryCtxRetain(ctx, dev);
        cuCtxSetCurrent(ctx);
        int count = 1000;
        float[] in = new float[count];
        for (int i = 0; i < count; i++) in[i] = i * 0.25f;
        CUdeviceptr d = new CUdeviceptr();
        cuMemAlloc(d, (long) count * Sizeof.FLOAT);
        cuMemcpyHtoD(d, Pointer.to(in), (long) count * Sizeof.FLOAT);
        float[] out = new float[count];
        cuMemcpyDtoH(Pointer.to(out), d, (long) count * Sizeof.FLOAT);
        System.out.println("round trip: " + java.util.Arrays.equals(in, out));

        CUmodule module = new CUmodule();
        byte[] ptx = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[0]));
        cuModuleLoadData(module, java.util.Arrays.copyOf(ptx, ptx.length + 1));
        CUfunction fill = new CUfunction();
        cuModuleGetFunction(fill, module, "fill");
        Pointer params = Pointer.to(Pointer.to(d), Pointer.to(new int[] {count}), Pointer.to(new float[] {3.0f}));
        cuLaunchKernel(fill, (count + 255) / 256, 1, 1, 256, 1, 1, 0, null, params, null);
        cuCtxSynchronize();
        cuMemcpyDtoH(Pointer.to(out), d, (long) count * Sizeof.FLOAT);
        System.out.println("fill: out[0] = " + out[0] + ", out[999] = " + out[count - 1]);

        CUfunction six = new CUfunction();
        cuModuleGetFunction(six, module, "six");
        try {
            cuLaunchKernel(six, 1, 1, 1, 1, 1, 1, 0, null, Pointer.to(Pointer.to(d)), null);
            System.out.println("short kernelParams: not detected");
        } catch (CudaException e) {
            System.out.println("short kernelParams: " + e.getMessage());
        }
        try {
            cuMemcpyDtoH(Pointer.to(out), d, (long) (count + 1) * Sizeof.FLOAT);
        } catch (CudaException e) {
            System.out.println("copy past the end: " + e.getMessage());
        }
        cuModuleUnload(module);
        cuMemFree(d);
        cuDevicePrimaryCtxRelease(dev);
        System.out.println("ok");
    }
}
