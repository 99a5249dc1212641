package jgrad.tensor;

import static jgrad.tensor.GradAssert.CPU;
import static jgrad.tensor.GradAssert.check;
import static jgrad.tensor.GradAssert.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Gradient checks and shape handling of the convolution and pooling ops. */
class ConvOpsTest {
    @Test
    void conv2dWithBiasBackward() {
        check("conv2d+bias", in -> ConvOps.conv2d(in[0], in[1], in[2], 2, 1, 1, 0), 1e-2,
                randn(1, 1f, 2, 3, 7, 6), randn(2, 0.5f, 4, 3, 3, 2), randn(3, 1f, 4));
    }

    @Test
    void conv2dWithoutBiasBackward() {
        check("conv2d", in -> ConvOps.conv2d(in[0], in[1], null, 1, 2), 1e-2,
                randn(4, 1f, 3, 2, 5, 5), randn(5, 0.5f, 3, 2, 3, 3));
    }

    @Test
    void conv2dAccumulatesWhenAnInputIsUsedTwice() {
        // x feeds two convolutions and w is shared: both gradients must sum the two paths.
        check("conv2d twice", in -> Ops.add(ConvOps.conv2d(in[0], in[1], in[2], 1, 1),
                ConvOps.conv2d(in[0], in[1], null, 1, 1)), 1e-2,
                randn(6, 1f, 2, 2, 4, 4), randn(7, 0.5f, 3, 2, 3, 3), randn(8, 1f, 3));
    }

    @Test
    void maxPool2dBackward() {
        // Distinct values well apart, so no window has a near-tie within the finite-difference step.
        check("maxPool2d", in -> ConvOps.maxPool2d(in[0], 3, 2, 1), 1e-2, GradAssert.awayFromZero(9, 0.1f, 3f, 2, 3, 7, 7));
        check("maxPool2d 2x2", in -> ConvOps.maxPool2d(in[0], 2, 2, 0), 1e-2, randn(10, 1f, 1, 2, 6, 6));
    }

    @Test
    void avgPool2dBackward() {
        // Each input gets dy/kernel² from a few windows: small gradients, so float32 round-off in the
        // finite difference shows at the 1% level; 2% as for batch norm.
        check("avgPool2d", in -> ConvOps.avgPool2d(in[0], 3, 2, 1), 2e-2, randn(11, 1f, 2, 3, 7, 7));
        check("avgPool2d overlapping", in -> ConvOps.avgPool2d(in[0], 2, 1, 0), 2e-2, randn(12, 1f, 1, 2, 5, 4));
    }

    @Test
    void globalAvgPool2dBackwardAndShape() {
        check("globalAvgPool2d", in -> ConvOps.globalAvgPool2d(in[0]), 2e-2, randn(13, 1f, 3, 4, 5, 3));
        Tensor x = randn(14, 1f, 2, 3, 4, 4);
        Tensor y = ConvOps.globalAvgPool2d(x);
        assertArrayEquals(new int[] {2, 3, 1, 1}, y.shape());
        float[] v = x.toArray();
        double mean = 0;
        for (int i = 0; i < 16; i++) {
            mean += v[16 + i]; // image 0, channel 1
        }
        assertEquals(mean / 16, y.toArray()[1], 1e-6);
    }

    @Test
    void conv2dOutputShapeFollowsThePyTorchFormula() {
        Tensor x = randn(15, 1f, 2, 1, 28, 28);
        assertArrayEquals(new int[] {2, 64, 14, 14}, ConvOps.conv2d(x, randn(16, 1f, 64, 1, 7, 7), null, 2, 3).shape());
        assertArrayEquals(new int[] {2, 30, 24, 24}, ConvOps.conv2d(x, randn(17, 1f, 30, 1, 5, 5), null, 1, 0).shape());
        assertArrayEquals(new int[] {2, 1, 14, 14}, ConvOps.maxPool2d(x, 3, 2, 1).shape());
        assertArrayEquals(new int[] {2, 784}, ConvOps.flatten(x).shape());
    }

    @Test
    void badShapesAreRejectedWithTheReason() {
        Tensor x = randn(18, 1f, 2, 3, 5, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(x, randn(19, 1f, 4, 2, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().contains("weight must be [out, 3, kh, kw]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvOps.conv2d(randn(20, 1f, 2, 75), randn(21, 1f, 4, 3, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().contains("NCHW"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(x, randn(22, 1f, 4, 3, 3, 3), randn(23, 1f, 5), 1, 0));
        assertTrue(e.getMessage().contains("bias must be [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvOps.conv2d(x, randn(24, 1f, 4, 3, 9, 9), null, 1, 1));
        assertTrue(e.getMessage().contains("larger than padded input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvOps.maxPool2d(x, 2, 2, 2));
        assertTrue(e.getMessage().contains("half the kernel"), e.getMessage());
    }
}
