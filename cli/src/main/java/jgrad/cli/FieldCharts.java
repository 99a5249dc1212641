package jgrad.cli;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import jgrad.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Charts over a plane, for the experiments: a heat map of a function on a rectangle with points on
 * top (a decision boundary), level curves with paths drawn over them (optimizers on a surface), and
 * points coloured by a value (the trials of a search over two hyper-parameters).
 * Both are {@link Charts}' XY charts, so titles, axes and legends look like the training charts.
 */
final class FieldCharts {
    private static final Color LOW = new Color(0x2166ac);
    private static final Color MIDDLE = Color.WHITE;
    private static final Color HIGH = new Color(0xb2182b);
    private static final Color LEVEL_CURVE = new Color(0xbdbdbd);
    /** Colour classes of {@link #colouredPoints}: tenths of [0, 1]. */
    private static final int BINS = 10;
    private static final Color[] VIRIDIS = {new Color(0x440154), new Color(0x3b528b), new Color(0x21918c),
        new Color(0x5ec962), new Color(0xfde725)};

    private FieldCharts() {}

    /**
     * Values of a function on a grid over [x0, x1] × [y0, y1]: {@code values[i][j]} at
     * x = x0 + j·(x1−x0)/(columns−1), y = y0 + i·(y1−y0)/(rows−1), each value in [0, 1].
     */
    record Grid(double x0, double x1, double y0, double y1, double[][] values) {
        double at(double x, double y) {
            int rows = values.length;
            int cols = values[0].length;
            int i = (int) Math.round((y - y0) / (y1 - y0) * (rows - 1));
            int j = (int) Math.round((x - x0) / (x1 - x0) * (cols - 1));
            return values[Math.max(0, Math.min(rows - 1, i))][Math.max(0, Math.min(cols - 1, j))];
        }
    }

    /**
     * The grid's values as colours (blue 0, white ½, red 1: so a 0/1 classifier's boundary is the
     * white band) under the given points, each series a marker colour of its own.
     *
     * @param valueName what the colours mean, for the legend, e.g. "P(output = 1)"
     * @param points    series name to {@code {xs, ys}}, drawn as markers in map order
     */
    static void heatMap(Path png, String title, String xLabel, String yLabel, Grid grid, String valueName,
                        Map<String, double[][]> points) throws IOException {
        XYChart chart = Charts.xyChart(title, xLabel, yLabel);
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS).setLegendLayout(LegendLayout.Horizontal);
        chart.getStyler().setXAxisMin(grid.x0()).setXAxisMax(grid.x1()).setYAxisMin(grid.y0()).setYAxisMax(grid.y1());
        chart.getStyler().setPlotGridLinesVisible(false).setMarkerSize(14);
        Color[] markers = {Color.BLACK, new Color(0xffd700)};
        int colour = 0;
        for (Map.Entry<String, double[][]> e : points.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue()[0], e.getValue()[1]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(colour == 0 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            s.setMarkerColor(markers[colour++ % markers.length]);
        }
        // The colour key as legend entries; XChart has no colour bar for XY charts.
        legendOnly(chart, valueName + " near 0", LOW);
        legendOnly(chart, valueName + " near 1 (white between: 0.5, the boundary)", HIGH);
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        paintUnderPlot(image, chart, grid);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Charts.noImageCache();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }

    /**
     * Level curves (thin, grey, one legend entry) with paths over them (each with its markers, so
     * the steps show), and the minimum as a cross.
     *
     * @param levels closed curves, each {@code {xs, ys}}
     * @param paths  series name to the points visited {@code {xs, ys}}, in map order
     */
    static void pathsOverLevels(Path png, String title, String xLabel, String yLabel, double[] xRange,
                                double[] yRange, List<double[][]> levels, Map<String, double[][]> paths,
                                double[] minimum) throws IOException {
        XYChart chart = Charts.xyChart(title, xLabel, yLabel);
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS).setLegendLayout(LegendLayout.Horizontal);
        chart.getStyler().setXAxisMin(xRange[0]).setXAxisMax(xRange[1]).setYAxisMin(yRange[0]).setYAxisMax(yRange[1]);
        for (int k = 0; k < levels.size(); k++) {
            XYSeries s = Charts.addXY(chart, k == 0 ? "level curves of f" : "level " + k, levels.get(k), LEVEL_CURVE,
                    1.0f);
            s.setShowInLegend(k == 0);
        }
        int colour = 0;
        for (Map.Entry<String, double[][]> e : paths.entrySet()) {
            Color c = Charts.PALETTE[colour++ % Charts.PALETTE.length];
            XYSeries s = Charts.addXY(chart, e.getKey(), e.getValue(), c, 2.0f);
            s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(c);
        }
        XYSeries min = chart.addSeries("minimum", new double[] {minimum[0]}, new double[] {minimum[1]});
        min.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        min.setMarker(SeriesMarkers.CROSS).setMarkerColor(Color.BLACK);
        AtomicFiles.write(png, Charts.render(chart));
    }

    /** Points in a plane, each with a value in [0, 1]. */
    record Points(double[] xs, double[] ys, double[] values) {
        Points {
            if (xs.length != ys.length || xs.length != values.length || xs.length == 0) {
                throw new IllegalArgumentException("points need as many xs, ys and values, at least one");
            }
        }
    }

    /**
     * Points coloured by their value (dark violet low, yellow high, as matplotlib's viridis), binned
     * in tenths so the legend is the colour key: one series per tenth that holds a point.
     *
     * @param xRange    {min, max} of the x axis, e.g. the range a search drew from
     * @param valueName what the colours mean, for the legend, e.g. "validation accuracy"
     */
    static void colouredPoints(Path png, String title, String xLabel, String yLabel, Points points, double[] xRange,
                               double[] yRange, String valueName) throws IOException {
        double[] xs = points.xs();
        double[] ys = points.ys();
        double[] values = points.values();
        XYChart chart = Charts.xyChart(title, xLabel, yLabel);
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE).setMarkerSize(11);
        chart.getStyler().setXAxisMin(xRange[0]).setXAxisMax(xRange[1]).setYAxisMin(yRange[0]).setYAxisMax(yRange[1]);
        for (int bin = BINS - 1; bin >= 0; bin--) {  // the best first, at the top of the legend
            List<double[]> in = new java.util.ArrayList<>();
            for (int i = 0; i < xs.length; i++) {
                if (Math.min(BINS - 1, (int) Math.floor(Math.max(0, values[i]) * BINS)) == bin) {
                    in.add(new double[] {xs[i], ys[i]});
                }
            }
            if (!in.isEmpty()) {
                String name = String.format(java.util.Locale.ROOT, "%s %.1f-%.1f (%d)", valueName, bin / (double) BINS,
                        (bin + 1) / (double) BINS, in.size());
                XYSeries s = chart.addSeries(name, in.stream().mapToDouble(p -> p[0]).toArray(),
                        in.stream().mapToDouble(p -> p[1]).toArray());
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(viridis((bin + 0.5) / BINS));
            }
        }
        AtomicFiles.write(png, Charts.render(chart));
    }

    /** Matplotlib's viridis through five of its colours, for {@code value} in [0, 1]. */
    static Color viridis(double value) {
        double v = Math.max(0, Math.min(1, value)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) Math.floor(v));
        double t = v - i;
        Color a = VIRIDIS[i];
        Color b = VIRIDIS[i + 1];
        return new Color(mix(a.getRed(), b.getRed(), t), mix(a.getGreen(), b.getGreen(), t),
                mix(a.getBlue(), b.getBlue(), t));
    }

    /** A legend entry with nothing drawn: XChart refuses empty series, so one invisible point. */
    private static void legendOnly(XYChart chart, String name, Color colour) {
        XYSeries s = chart.addSeries(name, new double[] {Double.NaN}, new double[] {Double.NaN});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.SQUARE).setMarkerColor(colour);
    }

    /**
     * Colours the plot area's background pixels (pure white after XChart has drawn axes, points and
     * legend) by the grid, so the markers stay on top. Screen positions come from the chart's own
     * axis mapping, which is only laid out once the chart has been painted.
     */
    private static void paintUnderPlot(BufferedImage image, XYChart chart, Grid grid) {
        int left = (int) Math.ceil(chart.getScreenXFromChart(grid.x0()));
        int right = (int) Math.floor(chart.getScreenXFromChart(grid.x1()));
        int top = (int) Math.ceil(chart.getScreenYFromChart(grid.y1()));
        int bottom = (int) Math.floor(chart.getScreenYFromChart(grid.y0()));
        int white = Color.WHITE.getRGB();
        for (int py = Math.max(0, top + 1); py < Math.min(image.getHeight(), bottom); py++) {
            double y = grid.y1() + (grid.y0() - grid.y1()) * (py - top) / (double) (bottom - top);
            for (int px = Math.max(0, left + 1); px < Math.min(image.getWidth(), right); px++) {
                if (image.getRGB(px, py) == white) {
                    double x = grid.x0() + (grid.x1() - grid.x0()) * (px - left) / (double) (right - left);
                    image.setRGB(px, py, colour(grid.at(x, y)).getRGB());
                }
            }
        }
    }

    /** Blue → white → red for 0 → ½ → 1. */
    static Color colour(double value) {
        double v = Math.max(0, Math.min(1, value));
        Color from = v < 0.5 ? LOW : MIDDLE;
        Color to = v < 0.5 ? MIDDLE : HIGH;
        double t = v < 0.5 ? v * 2 : (v - 0.5) * 2;
        return new Color(mix(from.getRed(), to.getRed(), t), mix(from.getGreen(), to.getGreen(), t),
                mix(from.getBlue(), to.getBlue(), t));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }
}
