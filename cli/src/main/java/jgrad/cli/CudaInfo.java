package jgrad.cli;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_PCI_BUS_ID;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;
import jcuda.runtime.JCuda;
import jgrad.cli.DeviceReport.CudaGpu;
import jgrad.cli.DeviceReport.CudaSection;
import jgrad.cuda.CudaProbe;

/**
 * The JCuda section of {@code jgrad devices}: after {@link CudaProbe} says CUDA works, the driver
 * and runtime versions, each device's attributes, and the cuBLAS and cuDNN versions (or the
 * probe's reason why each library does not load). Never throws.
 */
final class CudaInfo {
    /** libraryPropertyType: MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL. */
    private static final int[] VERSION_PARTS = {0, 1, 2};

    private CudaInfo() {}

    static CudaSection read() {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) {
            return CudaSection.unavailable(probe.driver().reason());
        }
        try {
            int[] v = new int[1];
            JCudaDriver.cuDriverGetVersion(v);
            String driver = NvmlStructs.cudaVersion(v[0]);
            List<CudaGpu> gpus = new ArrayList<>();
            for (int i = 0; i < probe.deviceCount(); i++) {
                gpus.add(gpu(i));
            }
            return new CudaSection(true, null, driver, runtimeVersion(), cublasVersion(probe), cudnnVersion(probe),
                    gpus);
        } catch (RuntimeException | LinkageError e) {
            return CudaSection.unavailable("CUDA device query failed: " + e.getMessage());
        }
    }

    private static CudaGpu gpu(int index) {
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, index);
        byte[] name = new byte[256];
        JCudaDriver.cuDeviceGetName(name, name.length, dev);
        long[] total = new long[1];
        JCudaDriver.cuDeviceTotalMem(total, dev);
        String busId = String.format("%08X:%02X:%02X.0", attribute(dev, CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID),
                attribute(dev, CU_DEVICE_ATTRIBUTE_PCI_BUS_ID), attribute(dev, CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID));
        return new CudaGpu(index, NvmlStructs.cString(name), attribute(dev, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                + "." + attribute(dev, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(dev, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), attribute(dev, CU_DEVICE_ATTRIBUTE_CLOCK_RATE) / 1000,
                attribute(dev, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE) / 1000,
                attribute(dev, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH), total[0], busId);
    }

    private static int attribute(CUdevice dev, int attribute) {
        int[] v = new int[1];
        JCudaDriver.cuDeviceGetAttribute(v, attribute, dev);
        return v[0];
    }

    /** The CUDA runtime JCuda's natives were built against (cudaRuntimeGetVersion). */
    private static String runtimeVersion() {
        try {
            int[] v = new int[1];
            int status = JCuda.cudaRuntimeGetVersion(v); // JCuda's runtime exceptions may be off: check the status
            return status == 0 ? NvmlStructs.cudaVersion(v[0]) : "unavailable: " + JCuda.cudaGetErrorString(status);
        } catch (RuntimeException | LinkageError e) {
            return "unavailable: " + e.getMessage();
        }
    }

    static String cublasVersion(CudaProbe.Result probe) {
        if (!probe.cublas().available()) {
            return "unavailable: " + probe.cublas().reason();
        }
        try {
            int[] parts = new int[3];
            int[] v = new int[1];
            for (int i = 0; i < 3; i++) {
                int status = JCublas2.cublasGetProperty(VERSION_PARTS[i], v);
                if (status != 0) {
                    return "loaded, version unknown: cublasGetProperty returned " + status;
                }
                parts[i] = v[0];
            }
            return parts[0] + "." + parts[1] + "." + parts[2];
        } catch (RuntimeException | LinkageError e) {
            return "loaded, version unknown: " + e.getMessage();
        }
    }

    static String cudnnVersion(CudaProbe.Result probe) {
        if (!probe.cudnn().available()) {
            return "unavailable: " + probe.cudnn().reason();
        }
        try {
            return cudnnVersionString(JCudnn.cudnnGetVersion());
        } catch (RuntimeException | LinkageError e) {
            return "loaded, version unknown: " + e.getMessage();
        }
    }

    /** cuDNN 9 encodes major·10000 + minor·100 + patch (90100 is 9.1.0); cuDNN 8 major·1000 + minor·100 + patch. */
    static String cudnnVersionString(long v) {
        return v >= 90000 ? v / 10000 + "." + v % 10000 / 100 + "." + v % 100
                : v / 1000 + "." + v % 1000 / 100 + "." + v % 100;
    }
}
