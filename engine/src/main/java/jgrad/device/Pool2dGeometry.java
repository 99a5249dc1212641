package jgrad.device;

/**
 * Shape of a 2-D max or average pooling over NCHW input [batch][channels][height][width], output
 * [batch][channels][outH][outW]. Padding counts as -inf for max and as zeros for average: the
 * average always divides by kernelH·kernelW (PyTorch's count_include_pad=True, cuDNN's
 * AVERAGE_COUNT_INCLUDE_PADDING).
 */
public record Pool2dGeometry(int batch, int channels, int height, int width,
                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    public Pool2dGeometry {
        if (batch < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("pool2d: sizes must be positive: batch " + batch + ", channels " + channels
                    + ", " + height + "x" + width);
        }
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("pool2d: kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW
                    + ", padding " + padH + "x" + padW + " is invalid (kernel and stride >= 1, padding >= 0)");
        }
        if (2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("pool2d: padding " + padH + "x" + padW + " must be at most half the kernel "
                    + kernelH + "x" + kernelW);
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException("pool2d: kernel " + kernelH + "x" + kernelW + " larger than padded input "
                    + (height + 2 * padH) + "x" + (width + 2 * padW));
        }
        if ((long) batch * channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool2d: tensor larger than 2^31-1 elements");
        }
    }

    /** Square window with equal stride and padding. */
    public static Pool2dGeometry of(int batch, int channels, int height, int width, int kernel, int stride, int pad) {
        return new Pool2dGeometry(batch, channels, height, width, kernel, kernel, stride, stride, pad, pad);
    }

    /** Global average pooling: one window covering each whole plane. */
    public static Pool2dGeometry global(int batch, int channels, int height, int width) {
        return new Pool2dGeometry(batch, channels, height, width, height, width, 1, 1, 0, 0);
    }

    public int outH() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW() {
        return (width + 2 * padW - kernelW) / strideW + 1;
    }

    public int inputNumel() {
        return batch * channels * height * width;
    }

    public int outputNumel() {
        return batch * channels * outH() * outW();
    }

    /** First input row of output row r's window, padding excluded. */
    public int windowRowStart(int r) {
        return Math.max(0, r * strideH - padH);
    }

    /** One past the last input row of output row r's window, padding excluded. */
    public int windowRowEnd(int r) {
        return Math.min(height, r * strideH - padH + kernelH);
    }

    /** First input column of output column c's window, padding excluded. */
    public int windowColStart(int c) {
        return Math.max(0, c * strideW - padW);
    }

    /** One past the last input column of output column c's window, padding excluded. */
    public int windowColEnd(int c) {
        return Math.min(width, c * strideW - padW + kernelW);
    }
}
