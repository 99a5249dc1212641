package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentTest {
    private static final ImageShape RGB = new ImageShape(3, 4, 5);
    private static final float[] BLACK = {0f, 0f, 0f};

    private static float[] image(ImageShape s, long seed) {
        float[] x = new float[s.pixels()];
        Random r = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return x;
    }

    @Test
    void specsAreValidatedAndPutInApplicationOrder() {
        assertEquals("crop,rotate", Augment.canonical("rotate, crop"));
        assertEquals("crop,flip,rotate", Augment.canonical("FLIP,rotate,crop"));
        assertEquals("none", Augment.canonical("none"));
        assertThrows(IllegalArgumentException.class, () -> Augment.canonical("rotate,shear"));
        assertThrows(IllegalArgumentException.class,
                () -> Augment.of("crop", ImageShape.flat(784), Normalization.identity(1)));
        assertEquals(4, Augment.of("crop", new ImageShape(3, 32, 32), Normalization.identity(3)).cropPadding());
        assertEquals(2, Augment.of("crop", new ImageShape(1, 28, 28), Normalization.identity(1)).cropPadding());
    }

    @Test
    void rotationByZeroIsTheIdentityAndByNinetyDegreesTurnsTheGrid() {
        ImageShape sq = new ImageShape(2, 5, 5);
        float[] x = image(sq, 1);
        float[] out = new float[x.length];
        Augment.rotate(x, out, sq, 0, new float[2]);
        assertArrayEquals(x, out, 1e-6f);
        Augment.rotate(x, out, sq, 90, new float[2]);
        // Counter-clockwise as displayed: the top row's right end lands at the top-left corner,
        // so out(y, x) = in(x, w-1-y).
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 5; y++) {
                for (int xx = 0; xx < 5; xx++) {
                    assertEquals(x[c * 25 + xx * 5 + (4 - y)], out[c * 25 + y * 5 + xx], 1e-5f);
                }
            }
        }
    }

    @Test
    void smallRotationInterpolatesAndFillsCornersWithBlack() {
        ImageShape s = new ImageShape(1, 9, 9);
        float[] ones = new float[81];
        Arrays.fill(ones, 1f);
        float[] out = new float[81];
        Augment.rotate(ones, out, s, 10, new float[] {-0.5f});
        assertEquals(1f, out[4 * 9 + 4], 1e-6f, "the centre stays");
        assertTrue(out[0] < 1f && out[0] >= -0.5f, "a corner sees the fill: " + out[0]);
        for (float v : out) {
            assertTrue(v >= -0.5f - 1e-6f && v <= 1f + 1e-6f, "bilinear stays within the inputs' range");
        }
    }

    @Test
    void cropShiftsAndPadsFlipMirrors() {
        float[] x = image(RGB, 2);
        float[] out = new float[x.length];
        Augment.crop(x, out, RGB, 2, 1, -2, new float[] {-1f, -2f, -3f});
        // out(y, x) = in(y - 2, x + 1): the top two rows are padding, the last column too.
        assertEquals(-2f, out[20 + 0 * 5 + 3]);
        assertEquals(x[40 + 0 * 5 + 2], out[40 + 2 * 5 + 1]);
        assertEquals(-3f, out[40 + 3 * 5 + 4]);
        float[] back = new float[x.length];
        Augment.flip(x, out, RGB);
        assertEquals(x[5 + 0], out[5 + 4]);
        Augment.flip(out, back, RGB);
        assertArrayEquals(x, back);
    }

    @Test
    void batchesAreSeededByRunStepAndPosition() {
        ImageShape s = new ImageShape(1, 28, 28);
        Augment a = Augment.of("rotate,crop", s, Normalization.identity(1));
        float[] batch = new float[3 * s.pixels()];
        for (int i = 0; i < s.pixels(); i++) {
            batch[i] = batch[s.pixels() + i] = batch[2 * s.pixels() + i] = (i % 28) / 27f;
        }
        float[] b1 = batch.clone();
        float[] b2 = batch.clone();
        float[] b3 = batch.clone();
        a.apply(b1, 3, 7, 100);
        a.apply(b2, 3, 7, 100);
        a.apply(b3, 3, 7, 101);
        assertArrayEquals(b1, b2, "same seed and step: same images");
        assertFalse(Arrays.equals(b1, b3), "another step: other transforms");
        assertFalse(Arrays.equals(Arrays.copyOfRange(b1, 0, 784), Arrays.copyOfRange(b1, 784, 1568)),
                "each image of the batch draws its own transform");
        assertTrue(Augment.of("none", s, Normalization.identity(1)).isNone());
    }

    @Test
    void normalizationUsesTrainingStatisticsAndMapsBlack() {
        float[] px = {0f, 0.5f, 1f, 0.5f, /* channel 1 */ 0.2f, 0.2f, 0.2f, 0.2f};
        ImageSplit split = new ImageSplit(px, new int[] {0}, 1, 2, 2, 2);
        Normalization n = Normalization.fromTraining(split);
        assertEquals(0.5f, n.mean()[0], 1e-6f);
        assertEquals((float) Math.sqrt(0.125), n.std()[0], 1e-6f);
        float[] copy = px.clone();
        n.applyInPlace(copy, split.shape());
        assertEquals(0f, copy[1], 1e-6f);
        assertEquals(-0.5f / (float) Math.sqrt(0.125), n.black(0), 1e-5f);
        assertEquals(1f, n.restore(0, copy[2]), 1e-6f);
        assertTrue(Normalization.identity(3).isIdentity());
    }
}
