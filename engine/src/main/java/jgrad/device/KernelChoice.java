package jgrad.device;

import java.util.Locale;

/**
 * Which kernels a CUDA device runs ({@code --kernels}). The CPU has one set of kernels, so only
 * {@link #AUTO} is meaningful there.
 */
public enum KernelChoice {
    /** cuBLAS and cuDNN where they load, the own PTX kernels otherwise (the reason is logged once). */
    AUTO,
    /** Only the own PTX kernels, even where cuBLAS/cuDNN would work (tests, benchmarks). */
    OWN,
    /** cuBLAS for GEMM and cuDNN for convolution, pooling and batch norm; opening fails without them. */
    VENDOR;

    public static KernelChoice parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "own" -> OWN;
            case "vendor" -> VENDOR;
            default -> throw new IllegalArgumentException("unknown --kernels '" + s + "' (expected auto, own or vendor)");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
