package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.train.TrainData;
import org.junit.jupiter.api.Test;

/** predictions.png (issue 14, point 8): a title, a key, the first 64 test images and beside them the mistakes. */
class PredictionGridTest {
    private static final int N = 200;
    private static final ImageShape SHAPE = new ImageShape(1, 8, 8);

    /** Test image i is a flat grey of level (i % 7 + 1) / 8; its label is i % 10. */
    private static TrainData data() {
        float[] x = new float[N * SHAPE.pixels()];
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            java.util.Arrays.fill(x, i * SHAPE.pixels(), (i + 1) * SHAPE.pixels(), (i % 7 + 1) / 8f);
            y[i] = i % 10;
        }
        return new TrainData(new float[SHAPE.pixels()], new float[1], 1, x, y, N, SHAPE.pixels(), 10, SHAPE,
                Normalization.identity(1));
    }

    private static int[] predictions(TrainData d, Set<Integer> wrong) {
        return IntStream.range(0, N).map(i -> wrong.contains(i) ? ((int) d.testY()[i] + 1) % 10 : (int) d.testY()[i])
                .toArray();
    }

    @Test
    void theMistakesStandBesideTheFirst64FramedRed() {
        TrainData d = data();
        Set<Integer> wrong = Set.of(3, 10, 65, 69);
        PredictionLayout layout = PredictionLayout.of("jgrad mlp on cpu: test predictions on mnist", SHAPE,
                predictions(d, wrong), d.testY(), N);
        assertEquals(IntStream.range(0, 64).boxed().toList(), layout.all().stream().map(PredictionLayout.Cell::index)
                .toList());
        assertEquals(List.of(3, 10, 65, 69), layout.mistakes().stream().map(PredictionLayout.Cell::index).toList());
        assertEquals("mistakes: the first 4 of 4 (2.00% of 200 test images)", layout.mistakesHeader());
        assertEquals("the first 64 test images", layout.allHeader());
        int rightOfAll = layout.all().stream().mapToInt(c -> c.x() + layout.imageW()).max().orElseThrow();
        assertTrue(layout.mistakes().stream().allMatch(c -> c.x() > rightOfAll), "the mistakes grid is to the right");

        BufferedImage img = PredictionGrid.render(layout, d, List.of());
        assertEquals(layout.width(), img.getWidth());
        int red = PredictionGrid.WRONG.getRGB() & 0xffffff;
        int framed = 0;
        for (List<PredictionLayout.Cell> grid : List.of(layout.all(), layout.mistakes())) {
            for (PredictionLayout.Cell c : grid) {
                int grey = Math.round((c.index() % 7 + 1) / 8f * 255f);
                assertEquals(grey * 0x010101, rgb(img, c.x() + layout.imageW() / 2, c.y() + layout.imageH() / 2),
                        "test image " + c.index() + " is drawn in its cell");
                int frame = rgb(img, c.x() - 2, c.y() + layout.imageH() / 2);
                assertEquals(c.wrong() ? red : 0xffffff, frame, "frame of test image " + c.index());
                framed += c.wrong() ? 1 : 0;
            }
        }
        assertEquals(2 + 4, framed, "two mistakes in the first 64, four in the mistakes grid");
        assertTrue(inkRows(img, layout.titleY(), layout.keyY()) > 8, "a title is drawn");
        assertTrue(inkRows(img, layout.keyY(), layout.headerY()) > 6, "a key is drawn");
        assertTrue(layout.key().contains("p: predicted") && layout.key().contains("t: true"), layout.key());
    }

    @Test
    void manyMistakesShowTheFirst64AndNoneSaysSo() {
        TrainData d = data();
        PredictionLayout all = PredictionLayout.of("t", SHAPE, predictions(d, IntStream.range(0, N).boxed()
                .collect(java.util.stream.Collectors.toSet())), d.testY(), N);
        assertEquals(64, all.mistakes().size());
        assertEquals(63, all.mistakes().get(63).index());
        assertEquals("mistakes: the first 64 of 200 (100.00% of 200 test images)", all.mistakesHeader());

        PredictionLayout none = PredictionLayout.of("t", SHAPE, predictions(d, Set.of()), d.testY(), N);
        assertTrue(none.mistakes().isEmpty());
        assertEquals("no mistakes among the 200 test images", none.mistakesHeader());
        BufferedImage img = PredictionGrid.render(none, d, List.of());
        int red = PredictionGrid.WRONG.getRGB() & 0xffffff;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                assertTrue(rgb(img, x, y) != red, "no red without a mistake, at " + x + "," + y);
            }
        }
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xffffff;
    }

    /** Rows in [from, to) with a non-white pixel. */
    private static int inkRows(BufferedImage img, int from, int to) {
        int rows = 0;
        for (int y = from; y < to; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (rgb(img, x, y) != 0xffffff) {
                    rows++;
                    break;
                }
            }
        }
        return rows;
    }
}
