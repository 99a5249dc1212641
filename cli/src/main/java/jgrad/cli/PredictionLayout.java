package jgrad.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jgrad.data.ImageShape;

/**
 * Where everything of {@code predictions.png} goes, as the seed's figure intends: a title, a key for the
 * labels, then two 8×8 grids side by side, the first 64 test images (an honest sample: mostly right)
 * and the first 64 mistakes (every one framed red), each under a header. Kept apart from the drawing
 * so that tests can check what is placed where.
 *
 * @param scale    each image pixel is a scale×scale block
 * @param cellW    the width of a cell (image, label, gap)
 * @param cellH    the height of a cell
 * @param imageW   the drawn image's width (image width × scale)
 * @param imageH   the drawn image's height
 * @param all      the first 64 test images, in order
 * @param mistakes the first 64 wrong predictions, in test-set order
 * @param wrong    how many of the test images are wrong in all
 */
record PredictionLayout(String title, String key, String allHeader, String mistakesHeader, int width, int height,
                        int scale, int cellW, int cellH, int imageW, int imageH, int headerY, int titleY, int keyY,
                        int mistakesX, List<Cell> all, List<Cell> mistakes, int wrong) {
    static final int SIDE = 8;
    static final int GAP = 6;
    static final int LABEL_HEIGHT = 16;
    static final int TITLE_HEIGHT = 26;
    static final int KEY_HEIGHT = 20;
    static final int HEADER_HEIGHT = 20;
    /** Between the two grids. */
    static final int PANEL_GAP = 30;
    static final String KEY = "p: predicted class   t: true class   red frame and text: wrong prediction";

    /** One image of a grid: test image {@code index}, its top-left corner at (x, y). */
    record Cell(int index, int x, int y, int predicted, int truth) {
        boolean wrong() {
            return predicted != truth;
        }
    }

    static PredictionLayout of(String title, ImageShape s, int[] predictions, float[] truth, int testCount) {
        if (s.height() < 2 || s.width() < 2) {
            throw new IllegalArgumentException("a prediction grid needs image data, got " + s);
        }
        int scale = Math.max(1, 96 / Math.max(s.height(), s.width()));
        int imageW = s.width() * scale;
        int imageH = s.height() * scale;
        int cellW = Math.max(imageW, 96) + GAP;
        int cellH = imageH + LABEL_HEIGHT + GAP;
        int gridW = SIDE * cellW;
        int titleY = GAP;
        int keyY = titleY + TITLE_HEIGHT;
        int headerY = keyY + KEY_HEIGHT;
        int gridY = headerY + HEADER_HEIGHT;
        int mistakesX = GAP + gridW + PANEL_GAP;
        List<Cell> all = new ArrayList<>();
        List<Cell> mistakes = new ArrayList<>();
        int wrong = 0;
        for (int i = 0; i < testCount; i++) {
            int t = (int) truth[i];
            if (i < SIDE * SIDE) {
                all.add(new Cell(i, GAP + (i % SIDE) * cellW, gridY + (i / SIDE) * cellH, predictions[i], t));
            }
            if (predictions[i] != t) {
                int k = mistakes.size();
                if (k < SIDE * SIDE) {
                    mistakes.add(new Cell(i, mistakesX + (k % SIDE) * cellW, gridY + (k / SIDE) * cellH,
                            predictions[i], t));
                }
                wrong++;
            }
        }
        String allHeader = "the first " + all.size() + " test images";
        String mistakesHeader = wrong == 0 ? "no mistakes among the " + testCount + " test images"
                : String.format(Locale.ROOT, "mistakes: the first %d of %d (%.2f%% of %d test images)",
                mistakes.size(), wrong, 100.0 * wrong / testCount, testCount);
        return new PredictionLayout(title, KEY, allHeader, mistakesHeader, mistakesX + gridW + GAP,
                gridY + SIDE * cellH + GAP, scale, cellW, cellH, imageW, imageH, headerY, titleY, keyY, mistakesX,
                List.copyOf(all), List.copyOf(mistakes), wrong);
    }
}
