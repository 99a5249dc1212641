package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;
import jgrad.cli.GridCharts.Curve;
import jgrad.cli.GridCharts.Look;
import jgrad.cli.GridCharts.Panel;
import jgrad.cli.GridCharts.Style;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid figures, drawn to files and read back: their layout, dashes, bars and legend, by pixel. */
class GridChartsTest {
    /** Palette 0 (blue, 0x1f77b4) or a blend of it with white or grey: blue well above red. */
    private static final IntPredicate BLUE = rgb -> blue(rgb) - red(rgb) > 60;
    /** Palette 1 (orange, 0xff7f0e) or a blend of it with white: red well above blue and green. */
    private static final IntPredicate ORANGE = rgb -> red(rgb) - blue(rgb) > 80 && red(rgb) > green(rgb) + 30;

    @TempDir
    Path dir;

    private BufferedImage drawn(Look look, List<Panel> panels) throws IOException {
        Path png = dir.resolve("grid.png");
        GridCharts.draw(png, look, panels);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO could not decode " + png);
        return image;
    }

    private static double[] range(int n) {
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i + 1;
        }
        return xs;
    }

    private static double[] constant(int n, double v) {
        double[] ys = new double[n];
        Arrays.fill(ys, v);
        return ys;
    }

    private static Panel twoLines(String title, double first, double second) {
        return twoLines(title, first, second, 40);
    }

    private static Panel twoLines(String title, double first, double second, int points) {
        return new Panel(title, List.of(new Curve("first", range(points), constant(points, first)),
                new Curve("second", range(points), constant(points, second))));
    }

    private static Panel oneLine(String title) {
        return new Panel(title, List.of(new Curve(title, range(40), constant(40, 0.5))));
    }

    @Test
    void imageSizeFollowsColumnsAndRows() throws IOException {
        List<Panel> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(oneLine("panel " + i));
        }
        Look look = Look.of("five panels", "x", "y");
        BufferedImage twoColumns = drawn(look.columns(2), five);
        assertEquals(GridCharts.LEFT + 2 * GridCharts.PANEL_WIDTH + GridCharts.RIGHT, twoColumns.getWidth());
        assertEquals(GridCharts.TOP + 3 * GridCharts.PANEL_HEIGHT + GridCharts.BOTTOM, twoColumns.getHeight(),
                "5 panels in 2 columns take 3 rows, and one curve a panel needs no legend row");
        BufferedImage oneRow = drawn(look.columns(9), five);
        assertEquals(GridCharts.LEFT + 5 * GridCharts.PANEL_WIDTH + GridCharts.RIGHT, oneRow.getWidth(),
                "more columns than panels: as wide as the panels");
        assertEquals(GridCharts.TOP + GridCharts.PANEL_HEIGHT + GridCharts.BOTTOM, oneRow.getHeight());
        BufferedImage withLegend = drawn(look.columns(2), List.of(twoLines("a", 0.3, 0.7), twoLines("b", 0.4, 0.6)));
        assertEquals(GridCharts.TOP + GridCharts.PANEL_HEIGHT + GridCharts.BOTTOM + GridCharts.LEGEND_HEIGHT,
                withLegend.getHeight(), "the same two curves in every panel: a legend row under the grid");
    }

    @Test
    void theSecondCurveIsDashedAndTheFirstSolid() throws IOException {
        // 10 points: the dash pattern starts again at every point (see Style.SECOND_DASHED)
        BufferedImage image = drawn(Look.of("dashes", "x", "y").sharedY(0, 1).style(Style.SECOND_DASHED),
                List.of(twoLines("solid and dashed", 0.3, 0.7, 10)));
        int[] solid = columnGaps(image, BLUE, 0);
        int[] dashed = columnGaps(image, ORANGE, 0);
        assertTrue(solid[1] > GridCharts.PANEL_WIDTH / 2, "the solid line spans the plot: " + solid[1] + " px");
        assertEquals(0, solid[0], "a solid line has no gaps");
        assertTrue(dashed[1] > GridCharts.PANEL_WIDTH / 2, "the dashed line spans the plot: " + dashed[1] + " px");
        assertTrue(dashed[0] > dashed[1] / 6, "a dashed line leaves gaps along its path: " + dashed[0] + " of "
                + dashed[1] + " columns empty");

        BufferedImage plain = drawn(Look.of("no dashes", "x", "y").sharedY(0, 1),
                List.of(twoLines("both solid", 0.3, 0.7, 10)));
        assertEquals(0, columnGaps(plain, ORANGE, 0)[0], "Style.LINES draws the second curve solid");
    }

    @Test
    void barsFillTheirArea() throws IOException {
        double[] centres = new double[10];
        for (int i = 0; i < 10; i++) {
            centres[i] = (i + 0.5) / 10;
        }
        List<Panel> histogram = List.of(new Panel("counts", List.of(new Curve("counts", centres, constant(10, 5)))));
        long bars = count(drawn(Look.of("bars", "x", "count").style(Style.BARS), histogram), BLUE, 0);
        long line = count(drawn(Look.of("line", "x", "count"), histogram), BLUE, 0);
        assertTrue(bars > 0.3 * GridCharts.PANEL_WIDTH * GridCharts.PANEL_HEIGHT,
                "bars up to 5 on an axis to 5 fill most of the panel: " + bars + " blue pixels");
        assertTrue(bars > 10 * line, "bars fill what a line only traces: " + bars + " vs " + line);
    }

    @Test
    void aLegendOnlyForTheSameCurvesInEveryPanel() throws IOException {
        BufferedImage same = drawn(Look.of("same", "x", "y").sharedY(0, 1).columns(2),
                List.of(twoLines("a", 0.3, 0.7), twoLines("b", 0.4, 0.6)));
        int gridBottom = GridCharts.TOP + GridCharts.PANEL_HEIGHT;
        assertTrue(countBelow(same, ORANGE, gridBottom) > 20, "the legend names the second curve in its colour");

        Panel renamed = new Panel("c", List.of(new Curve("other", range(40), constant(40, 0.3)),
                new Curve("names", range(40), constant(40, 0.7))));
        BufferedImage differ = drawn(Look.of("differ", "x", "y").sharedY(0, 1).columns(2),
                List.of(twoLines("a", 0.3, 0.7), renamed));
        assertEquals(gridBottom + GridCharts.BOTTOM, differ.getHeight());
        assertEquals(0, countBelow(differ, ORANGE, gridBottom) + countBelow(differ, BLUE, gridBottom),
                "curves named differently from panel to panel: no legend");
        assertEquals(List.of(), GridCharts.legendNames(List.of(oneLine("p"), oneLine("p"))),
                "one curve a panel: its title says what it is");
    }

    @Test
    void nanAndEmptyCurvesAreSkipped() throws IOException {
        Panel nothing = new Panel("diverged", List.of(new Curve("first", range(3), constant(3, Double.NaN)),
                new Curve("second", new double[0], new double[0])));
        double[] partly = constant(40, 0.7);
        partly[20] = Double.POSITIVE_INFINITY;
        Panel some = new Panel("half", List.of(new Curve("first", range(40), constant(40, 0.3)),
                new Curve("second", range(40), partly)));
        BufferedImage image = drawn(Look.of("skipped", "x", "y").columns(2), List.of(nothing, some));
        assertEquals(0, count(image, BLUE, 0) + count(image, ORANGE, 0), "nothing finite to draw in the first panel");
        assertTrue(count(image, BLUE, 1) > 100 && count(image, ORANGE, 1) > 100, "the second panel draws both curves");
    }

    @Test
    void yAxisIsSharedOrEachPanelsOwn() {
        Panel accuracy = new Panel("acc", List.of(new Curve("a", range(3), new double[] {0.12, Double.NaN, 0.47})));
        Panel counts = new Panel("counts", List.of(new Curve("c", range(3), new double[] {36_000, 0, 12})));
        assertArrayEquals(new double[] {0.1, 0.5, 0.1}, GridCharts.yAxis(accuracy, Look.of("t", "x", "y")), 1e-12,
                "own range: round ticks around the finite values");
        assertArrayEquals(new double[] {0, 40_000, 5_000},
                GridCharts.yAxis(counts, Look.of("t", "x", "y").style(Style.BARS)), 1e-9, "bars stand on 0");
        assertArrayEquals(new double[] {0, 1, 0.5}, GridCharts.yAxis(counts, Look.of("t", "x", "y").sharedY(0, 1)),
                1e-12, "a shared range holds whatever the data");
        assertEquals("0.0#", Charts.decimalPattern(GridCharts.yAxis(accuracy, Look.of("t", "x", "y"))[2]));
    }

    @Test
    void histogramBarsRiseStrictlyForXChartsAreaStyle() {
        double[][] bars = GridCharts.bars(new double[][] {{0.25, 0.75}, {3, 5}});
        assertEquals(0, bars[0][0]);
        assertEquals(1, bars[0][bars[0].length - 1]);
        for (int i = 1; i < bars[0].length; i++) {
            assertTrue(bars[0][i] > bars[0][i - 1], "x rises at point " + i);
        }
        assertArrayEquals(new double[] {0, 3, 3, 5, 5, 0}, bars[1]);
    }

    @Test
    void badInputIsRefusedInOneLine() {
        Look look = Look.of("t", "x", "y");
        assertEquals("a grid needs at least one column, not 0",
                assertThrows(IllegalArgumentException.class, () -> look.columns(0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> look.sharedY(1, 0)).getMessage()
                .contains("min < max"));
        assertEquals("curve 'c' needs as many xs as ys", assertThrows(IllegalArgumentException.class,
                () -> new Curve("c", new double[2], new double[3])).getMessage());
        Curve twice = new Curve("c", new double[1], new double[1]);
        assertEquals("panel 'p' has two curves of one name", assertThrows(IllegalArgumentException.class,
                () -> new Panel("p", List.of(twice, twice))).getMessage());
        assertEquals("a grid needs at least one panel", assertThrows(IllegalArgumentException.class,
                () -> GridCharts.draw(dir.resolve("none.png"), look, List.of())).getMessage());
    }

    /**
     * {empty columns, spanned columns} of a curve in the panel at the top left + {@code column}
     * panels: between its first and last column holding a pixel of its colour, how many hold none.
     */
    private static int[] columnGaps(BufferedImage image, IntPredicate colour, int column) {
        int first = -1;
        int last = -1;
        List<Boolean> hit = new ArrayList<>();
        int x0 = GridCharts.LEFT + column * GridCharts.PANEL_WIDTH;
        for (int x = x0; x < x0 + GridCharts.PANEL_WIDTH; x++) {
            boolean any = false;
            for (int y = GridCharts.TOP; y < GridCharts.TOP + GridCharts.PANEL_HEIGHT && !any; y++) {
                any = colour.test(image.getRGB(x, y));
            }
            hit.add(any);
            if (any) {
                first = first < 0 ? x - x0 : first;
                last = x - x0;
            }
        }
        int empty = 0;
        for (int x = first; x >= 0 && x <= last; x++) {
            empty += hit.get(x) ? 0 : 1;
        }
        return new int[] {empty, last - first + 1};
    }

    /** Pixels of a colour in the first row's panel number {@code column}. */
    private static long count(BufferedImage image, IntPredicate colour, int column) {
        long n = 0;
        int x0 = GridCharts.LEFT + column * GridCharts.PANEL_WIDTH;
        for (int x = x0; x < x0 + GridCharts.PANEL_WIDTH; x++) {
            for (int y = GridCharts.TOP; y < GridCharts.TOP + GridCharts.PANEL_HEIGHT; y++) {
                n += colour.test(image.getRGB(x, y)) ? 1 : 0;
            }
        }
        return n;
    }

    private static long countBelow(BufferedImage image, IntPredicate colour, int top) {
        long n = 0;
        for (int y = top; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += colour.test(image.getRGB(x, y)) ? 1 : 0;
            }
        }
        return n;
    }

    private static int red(int rgb) {
        return (rgb >> 16) & 0xff;
    }

    private static int green(int rgb) {
        return (rgb >> 8) & 0xff;
    }

    private static int blue(int rgb) {
        return rgb & 0xff;
    }
}
