package jgrad.device;

/**
 * Shape of a 2-D convolution over NCHW input with OIHW weights (PyTorch's layout): input
 * [batch][inChannels][height][width], weights [outChannels][inChannels][kernelH][kernelW], output
 * [batch][outChannels][outH][outW]. No dilation, no groups.
 */
public record Conv2dGeometry(int batch, int inChannels, int height, int width, int outChannels,
                             int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    public Conv2dGeometry {
        if (batch < 1 || inChannels < 1 || height < 1 || width < 1 || outChannels < 1) {
            throw new IllegalArgumentException("conv2d: sizes must be positive: " + describe(batch, inChannels, height, width, outChannels));
        }
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW
                    + ", padding " + padH + "x" + padW + " is invalid (kernel and stride >= 1, padding >= 0)");
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException("conv2d: kernel " + kernelH + "x" + kernelW + " larger than padded input "
                    + (height + 2 * padH) + "x" + (width + 2 * padW));
        }
        long out = (long) batch * outChannels * ((height + 2L * padH - kernelH) / strideH + 1) * ((width + 2L * padW - kernelW) / strideW + 1);
        long in = (long) batch * inChannels * height * width;
        if (out > Integer.MAX_VALUE || in > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: tensor larger than 2^31-1 elements");
        }
    }

    /** Square kernel, equal stride and padding in both directions. */
    public static Conv2dGeometry of(int batch, int inChannels, int height, int width, int outChannels,
                                    int kernel, int stride, int pad) {
        return new Conv2dGeometry(batch, inChannels, height, width, outChannels, kernel, kernel, stride, stride, pad, pad);
    }

    private static String describe(int n, int c, int h, int w, int o) {
        return "batch " + n + ", in " + c + ", " + h + "x" + w + ", out " + o;
    }

    public int outH() {
        return (height + 2 * padH - kernelH) / strideH + 1;
    }

    public int outW() {
        return (width + 2 * padW - kernelW) / strideW + 1;
    }

    public int inputNumel() {
        return batch * inChannels * height * width;
    }

    public int weightNumel() {
        return outChannels * inChannels * kernelH * kernelW;
    }

    public int outputNumel() {
        return batch * outChannels * outH() * outW();
    }
}
