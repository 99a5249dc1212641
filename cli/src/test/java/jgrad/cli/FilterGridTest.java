package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** filters.png's grid (the book's filter_show) and the filters experiment's measure of structure. */
class FilterGridTest {
    /** A 3×3 filter rising from left to right: 0, 1, 2 in every row. */
    private static final float[] RAMP = {0, 1, 2, 0, 1, 2, 0, 1, 2};

    @Test
    void eachFilterIsScaledOnItsOwnInReversedGrey() {
        // two filters of very different scale: each gets the full range, the smallest weight white
        float[] w = new float[18];
        for (int i = 0; i < 9; i++) {
            w[i] = RAMP[i];
            w[9 + i] = 1e-3f * RAMP[i];
        }
        FilterGrid.Panel p = new FilterGrid.Panel("two", w, new int[] {2, 1, 3, 3});
        for (int f = 0; f < 2; f++) {
            int[] px = FilterGrid.pixels(p, f);
            assertEquals(0xffffff, px[0], "smallest weight: white");
            assertEquals(0x7f7f7f, px[1], "middle: mid grey (255 - round(127.5))");
            assertEquals(0x000000, px[2], "largest: black");
        }
        float[] flat = new float[9];
        assertEquals(0x7f7f7f, FilterGrid.pixels(new FilterGrid.Panel("flat", flat, new int[] {1, 1, 3, 3}), 0)[4],
                "a constant filter is mid grey, not a division by zero");
    }

    @Test
    void threeChannelFiltersAreInColour() {
        float[] w = new float[27];
        w[0] = 1;         // R of pixel 0
        w[9 + 1] = 1;     // G of pixel 1
        w[18 + 2] = 1;    // B of pixel 2
        int[] px = FilterGrid.pixels(new FilterGrid.Panel("rgb", w, new int[] {1, 3, 3, 3}), 0);
        assertEquals(0xff0000, px[0]);
        assertEquals(0x00ff00, px[1]);
        assertEquals(0x0000ff, px[2]);
        assertEquals(0x000000, px[3]);
    }

    @Test
    void badShapesAreRefused() {
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> new FilterGrid.Panel("x", new float[9], new int[] {9}));
        assertEquals("filters must be [filters, channels, k, k], got [9]", rank.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new FilterGrid.Panel("x", new float[8], new int[] {1, 1, 3, 3}));
        assertEquals("filters of shape [1, 1, 3, 3] need 9 weights, got 8", size.getMessage());
    }

    @Test
    void gridsSitSideBySideEightToARow() {
        float[] w = new float[30 * 25];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i * 7919) % 13;
        }
        FilterGrid.Panel p = new FilterGrid.Panel("thirty", w, new int[] {30, 1, 5, 5});
        assertEquals(8, p.columns());
        assertEquals(4, p.rows());
        BufferedImage one = FilterGrid.render("one grid", List.of(p));
        BufferedImage two = FilterGrid.render("two grids", List.of(p, p));
        assertTrue(two.getWidth() > 2 * p.width() && two.getWidth() > one.getWidth(), two.getWidth() + " px");
        assertTrue(one.getHeight() > p.height(), one.getHeight() + " px");
    }

    @Test
    void neighbourCorrelationTellsSmoothFiltersFromNoise() {
        assertEquals(0.5, FiltersExperiment.neighbourCorrelation(RAMP, 0, 3), 1e-9,
                "a ramp centred on its mean (-1, 0, 1 in each row): the 6 vertical pairs give 2/3 of the variance "
                        + "each on average, the 6 horizontal pairs 0");
        float[] checker = {1, -1, 1, -1, 1, -1, 1, -1, 1};
        assertTrue(FiltersExperiment.neighbourCorrelation(checker, 0, 3) < -0.9, "a checkerboard: every pair differs");
        float[] edge = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        assertTrue(FiltersExperiment.neighbourCorrelation(edge, 0, 5) > 0.5, "a horizontal edge");
        assertEquals(0, FiltersExperiment.neighbourCorrelation(new float[9], 0, 3), "constant: no structure");
    }
}
