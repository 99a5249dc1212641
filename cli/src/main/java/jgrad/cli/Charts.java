package jgrad.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import jgrad.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts for training runs (loss curves, accuracy curves, CPU-vs-GPU bars), rendered headless with
 * XChart and written atomically so a viewer never sees half a PNG.
 *
 * <p>Long series are downsampled before drawing: a 1000-px-wide plot cannot show more than ~1000
 * distinct x positions, and XChart's cost grows with the point count. Noisy series keep each bucket's
 * minimum and maximum (so spikes stay visible); smooth series keep every k-th point.
 */
public final class Charts {

    static {
        // Must be set before AWT initialises; rendering to a BufferedImage needs no display, and without
        // this a server with DISPLAY unset (or set to a dead X server) fails or hangs.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public static final int WIDTH = 1000;
    public static final int HEIGHT = 500;

    /** Points drawn per series at most; ~2 per horizontal pixel of the plot area. */
    static final int MAX_POINTS = 2000;
    /** Series with at most this many points get markers, so sparse data (per epoch) stays legible. */
    private static final int MARKER_LIMIT = 60;

    /** Fraction of each category's width covered by its bars. */
    private static final double BAR_FILL = 0.8;

    private static final Color RAW_LOSS = new Color(0x9ecae1);
    private static final Color SMOOTH_LOSS = new Color(0x08519c);
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Charts() {
    }

    /**
     * Training loss per step, with a moving average over {@code max(1, n/100)} steps (centred, so it does
     * not lag the raw curve). Steps are numbered from 1. Non-finite losses (a diverged run) are left out
     * and counted in the legend.
     *
     * @param title e.g. {@code "training loss - mlp on mnist, cuda:0"}
     * @throws IllegalArgumentException if {@code lossPerStep} is empty
     */
    public static void lossCurve(Path png, float[] lossPerStep, String title) throws IOException {
        Objects.requireNonNull(png, "png");
        if (lossPerStep == null || lossPerStep.length == 0) {
            throw new IllegalArgumentException("no loss values to plot");
        }
        int n = lossPerStep.length;
        double[] steps = new double[n];
        double[] loss = new double[n];
        int nonFinite = 0;
        for (int i = 0; i < n; i++) {
            steps[i] = i + 1;
            loss[i] = lossPerStep[i];
            if (!Double.isFinite(loss[i])) {
                nonFinite++;
            }
        }
        int window = Math.max(1, n / 100);

        XYChart chart = xyChart(title, "step", "loss (cross-entropy)");
        chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
        // From 0, so the round-number ticks start at a round number; wider spacing keeps "1,000"-style
        // labels apart.
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) Math.max(n, 2));
        chart.getStyler().setXAxisTickMarkSpacingHint(100);

        if (nonFinite == n) {
            // A run that diverged at once still gets a chart, saying so, rather than an exception after
            // the training itself finished. XChart refuses empty series, so the note is an invisible one.
            XYSeries note = addXY(chart, "no finite loss values: all " + n + " steps are NaN or infinite",
                    new double[][] {{1, Math.max(n, 2)}, {0, 0}}, new Color(0, 0, 0, 0), 1.0f);
            note.setShowInLegend(true);
            save(png, chart);
            return;
        }
        String rawName = "loss per step" + (nonFinite > 0 ? " (" + nonFinite + " non-finite steps omitted)" : "");
        double[][] raw = minMaxDownsample(steps, loss, MAX_POINTS);
        XYSeries rawSeries = addXY(chart, rawName, raw, RAW_LOSS, window > 1 ? 1.0f : 2.0f);
        if (raw[0].length <= MARKER_LIMIT) {
            rawSeries.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(SMOOTH_LOSS);
        }
        if (window > 1) {
            double[][] smooth = strideDownsample(steps, movingAverage(loss, window), MAX_POINTS);
            addXY(chart, "moving average (" + window + " steps)", smooth, SMOOTH_LOSS, 2.5f);
        }
        // XChart uses the x values themselves as ticks when every series' x values are equally spaced
        // (a run short enough not to be downsampled gets ticks at 1, 80, 159, ...); one invisible
        // point off that grid makes it choose round numbers (0, 200, 400, ...) instead.
        XYSeries offGrid = addXY(chart, "off-grid anchor", new double[][] {{0.5}, {raw[1][0]}}, new Color(0, 0, 0, 0),
                1.0f);
        offGrid.setShowInLegend(false);
        setYPattern(chart, raw[1]);
        save(png, chart);
    }

    /**
     * A general line chart, e.g. train/test accuracy per epoch.
     *
     * @param series name to {@code {xs, ys}} (two arrays of equal length); drawn in map order, so pass a
     *               {@code LinkedHashMap} for a stable legend. Non-finite points are skipped.
     */
    public static void lineChart(Path png, String title, String xLabel, String yLabel,
                                 Map<String, double[][]> series) throws IOException {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(series, "series");
        XYChart chart = xyChart(title, xLabel, yLabel);
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS).setLegendLayout(LegendLayout.Horizontal);
        int colour = 0;
        List<double[]> allYs = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] xy = e.getValue();
            if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null || xy[0].length != xy[1].length) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' must be {xs, ys} of equal length");
            }
            double[][] drawn = minMaxDownsample(xy[0], xy[1], MAX_POINTS);
            XYSeries s = addXY(chart, e.getKey(), drawn, PALETTE[colour++ % PALETTE.length], 2.0f);
            if (drawn[0].length <= MARKER_LIMIT) {
                s.setMarker(SeriesMarkers.CIRCLE);
            }
            allYs.add(drawn[1]);
        }
        double[][] longest = series.values().stream().max(java.util.Comparator.comparingInt(xy -> xy[0].length))
                .orElse(null);
        if (longest != null && longest[0].length > 20 && Double.isFinite(longest[0][0] + longest[0][1] + longest[1][0])) {
            // As in lossCurve: with equally spaced x values (epochs 1..100) XChart makes every one a tick,
            // which run together; one invisible point off that grid makes it choose round numbers.
            double between = (longest[0][0] + longest[0][1]) / 2;
            XYSeries offGrid = addXY(chart, "off-grid anchor", new double[][] {{between}, {longest[1][0]}},
                    new Color(0, 0, 0, 0), 1.0f);
            offGrid.setShowInLegend(false);
        }
        setYPattern(chart, allYs.stream().flatMapToDouble(Arrays::stream).toArray());
        double[] xs = series.values().stream().flatMapToDouble(xy -> Arrays.stream(xy[0])).toArray();
        if (xs.length > 0 && Arrays.stream(xs).min().getAsDouble() == Arrays.stream(xs).max().getAsDouble()) {
            // one x (one epoch): XChart would make a zero-width axis; one unit either side, whole ticks
            chart.getStyler().setXAxisMin(xs[0] - 1).setXAxisMax(xs[0] + 1).setXAxisDecimalPattern("0");
        }
        save(png, chart);
    }

    /**
     * Grouped bars, e.g. categories = operations, series = {"cpu": .., "gpu": ..}. Each bar is labelled
     * with its value.
     *
     * @param series name to one value per category, in category order
     */
    public static void barChart(Path png, String title, String yLabel, List<String> categories,
                                Map<String, double[]> series) throws IOException {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(categories, "categories");
        Objects.requireNonNull(series, "series");
        if (categories.isEmpty() || series.isEmpty()) {
            throw new IllegalArgumentException("a bar chart needs at least one category and one series");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(nonNull(title)).xAxisTitle("").yAxisTitle(nonNull(yLabel)).build();
        styleAxes(chart.getStyler());
        chart.getStyler().setLegendPosition(LegendPosition.OutsideS).setLegendLayout(LegendLayout.Horizontal);
        // XChart can only put value labels inside the bars, where short bars cut them in half; we draw
        // them above the bars ourselves (see drawBarLabels) and leave headroom for them.
        chart.getStyler().setLabelsVisible(false).setAvailableSpaceFill(BAR_FILL);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setSeriesColors(PALETTE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] values = e.getValue();
            if (values == null || values.length != categories.size()) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' needs one value per category ("
                        + categories.size() + ")");
            }
            List<Number> ys = new ArrayList<>(values.length);
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("series '" + e.getKey() + "' has a non-finite value");
                }
                ys.add(v);
            }
            chart.addSeries(e.getKey(), categories, ys);
        }
        double max = series.values().stream().flatMapToDouble(Arrays::stream).max().orElse(0);
        chart.getStyler().setYAxisMax(max > 0 ? max * 1.08 : 1.0);
        if (max >= 10_000) {
            chart.getStyler().setYAxisDecimalPattern("#,##0"); // XChart's default turns these into "9E5"
        }
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        drawBarLabels(image, chart, categories.size(), series);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        noImageCache();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }

    /**
     * Writes each bar's value just above it. Bar geometry mirrors XChart 3.8's side-by-side layout:
     * category i spans one grid step from screen x(i), and the bars fill {@link #BAR_FILL} of it,
     * centred. Only valid after the chart has been painted (axes are laid out during painting).
     */
    private static void drawBarLabels(BufferedImage image, CategoryChart chart, int categories,
                                      Map<String, double[]> series) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            FontMetrics fm = g.getFontMetrics();
            double x0 = chart.getScreenXFromChart(0);
            double step = chart.getScreenXFromChart(1) - x0;
            double barWidth = step * BAR_FILL / series.size();
            int s = 0;
            for (double[] values : series.values()) {
                for (int i = 0; i < categories; i++) {
                    String label = formatValue(values[i]);
                    double centre = x0 + i * step + step * (1 - BAR_FILL) / 2 + (s + 0.5) * barWidth;
                    int x = (int) Math.round(centre - fm.stringWidth(label) / 2.0);
                    int y = (int) Math.round(chart.getScreenYFromChart(values[i])) - 4;
                    if (x >= 0 && x + fm.stringWidth(label) <= image.getWidth() && y - fm.getAscent() >= 0) {
                        g.drawString(label, x, y);
                    }
                }
                s++;
            }
        } finally {
            g.dispose();
        }
    }

    /** Four significant digits, no exponent, no trailing zeros: 812.5, 1210, 3.9, 0.001234. */
    static String formatValue(double v) {
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    // ---------------------------------------------------------------------------------- shared style

    static XYChart xyChart(String title, String xLabel, String yLabel) {
        return xyChart(title, xLabel, yLabel, WIDTH, HEIGHT);
    }

    /** An XY chart of another size (the small plots of a grid), styled as the others. */
    static XYChart xyChart(String title, String xLabel, String yLabel, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title(nonNull(title)).xAxisTitle(nonNull(xLabel)).yAxisTitle(nonNull(yLabel)).build();
        styleAxes(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    /** XChart's defaults are small and grey; make text readable at 1000x500 and the plot clean. */
    static void styleAxes(AxesChartStyler s) {
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.GRAY);
        s.setPlotGridLinesColor(new Color(0xe0e0e0));
        s.setChartTitleBoxVisible(false);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setChartFontColor(Color.BLACK);
        s.setAxisTickLabelsColor(Color.BLACK);
        s.setAntiAlias(true);
        s.setChartPadding(12);
    }

    /**
     * The y axis from rounded ends, so that XChart's ticks fall on round values (97.96 alone once gave a
     * single tick "97.96000000000001"; two epochs, ticks only on the two values), and labels with as
     * many decimals as the tick spacing needs. A one-point series gets a range around its value.
     */
    private static void setYPattern(XYChart chart, double[] ys) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double y : ys) {
            if (Double.isFinite(y)) {
                min = Math.min(min, y);
                max = Math.max(max, y);
            }
        }
        if (!(min <= max)) {
            return; // no finite value: XChart's own axis
        }
        double[] axis = niceRange(min, max);
        chart.getStyler().setYAxisMin(axis[0]).setYAxisMax(axis[1]);
        chart.getStyler().setYAxisDecimalPattern(decimalPattern(axis[2]));
    }

    /**
     * {lo, hi, step}: lo &lt; min and max &lt; hi on multiples of a step of 1, 2 or 5 × 10^k near a
     * quarter of the data's range (for a single value, a quarter of 2% of the value).
     */
    static double[] niceRange(double min, double max) {
        double span = max - min;
        if (!(span > 0)) {
            span = Math.max(Math.abs(max) * 0.02, 1e-3);
        }
        double step = niceStep(span / 4);
        double lo = Math.floor(min / step) * step;
        double hi = Math.ceil(max / step) * step;
        if (lo >= min) {
            lo -= step;
        }
        if (hi <= max) {
            hi += step;
        }
        return new double[] {round(lo, step), round(hi, step), step};
    }

    /** The nearest of 1, 2, 5 × 10^k at or above {@code raw}. */
    static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    /** {@code v} to the decimals of {@code step}, so 97.5 does not come out as 97.50000000000001. */
    private static double round(double v, double step) {
        return new java.math.BigDecimal(v).setScale(decimals(step), java.math.RoundingMode.HALF_UP).doubleValue();
    }

    private static int decimals(double step) {
        return (int) Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
    }

    /** A label pattern with the decimals the tick spacing needs, plus one optional (ticks like 0.25). */
    static String decimalPattern(double step) {
        int d = decimals(step);
        return d == 0 ? "#,##0.#" : "0." + "0".repeat(d) + "#";
    }

    static XYSeries addXY(XYChart chart, String name, double[][] xy, Color colour, float width) {
        XYSeries s = chart.addSeries(name, xy[0], xy[1]);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setLineStyle(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        return s;
    }

    private static void save(Path png, Chart<?, ?> chart) throws IOException {
        byte[] bytes = render(chart);
        AtomicFiles.write(png, bytes);
    }

    static byte[] render(Chart<?, ?> chart) throws IOException {
        noImageCache();
        return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    }

    /**
     * PNGs are encoded in memory: ImageIO's default disk cache registers a shutdown hook per stream,
     * which fails (IllegalStateException) while Ctrl-C's hook waits for an epoch's charts.
     */
    static void noImageCache() {
        ImageIO.setUseCache(false);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    // ------------------------------------------------------------------------------- data reduction

    /**
     * Centred moving average over {@code window} points, ignoring non-finite values; near the ends the
     * window shrinks rather than padding. Prefix sums make it O(n) for any window.
     */
    static double[] movingAverage(double[] ys, int window) {
        int n = ys.length;
        double[] sum = new double[n + 1];
        int[] count = new int[n + 1];
        for (int i = 0; i < n; i++) {
            boolean ok = Double.isFinite(ys[i]);
            sum[i + 1] = sum[i] + (ok ? ys[i] : 0.0);
            count[i + 1] = count[i] + (ok ? 1 : 0);
        }
        double[] out = new double[n];
        int before = (window - 1) / 2;
        int after = window / 2;
        for (int i = 0; i < n; i++) {
            int lo = Math.max(0, i - before);
            int hi = Math.min(n, i + after + 1);
            int c = count[hi] - count[lo];
            out[i] = c == 0 ? Double.NaN : (sum[hi] - sum[lo]) / c;
        }
        return out;
    }

    /**
     * Drops non-finite points, then, if more than {@code maxPoints} remain, keeps per bucket the minimum
     * and the maximum in their original order, so the drawn envelope equals the true one.
     */
    static double[][] minMaxDownsample(double[] xs, double[] ys, int maxPoints) {
        double[][] finite = finitePoints(xs, ys);
        double[] fx = finite[0];
        double[] fy = finite[1];
        int n = fx.length;
        if (n <= maxPoints) {
            return finite;
        }
        int buckets = Math.max(1, maxPoints / 2);
        double[] ox = new double[2 * buckets];
        double[] oy = new double[2 * buckets];
        int m = 0;
        for (int b = 0; b < buckets; b++) {
            int lo = (int) ((long) b * n / buckets);
            int hi = (int) ((long) (b + 1) * n / buckets);
            int iMin = lo;
            int iMax = lo;
            for (int i = lo + 1; i < hi; i++) {
                if (fy[i] < fy[iMin]) {
                    iMin = i;
                }
                if (fy[i] > fy[iMax]) {
                    iMax = i;
                }
            }
            int first = Math.min(iMin, iMax);
            int second = Math.max(iMin, iMax);
            ox[m] = fx[first];
            oy[m++] = fy[first];
            if (second != first) {
                ox[m] = fx[second];
                oy[m++] = fy[second];
            }
        }
        return new double[][] {Arrays.copyOf(ox, m), Arrays.copyOf(oy, m)};
    }

    /** Drops non-finite points, then keeps every k-th point (and the last) to stay under {@code maxPoints}. */
    static double[][] strideDownsample(double[] xs, double[] ys, int maxPoints) {
        double[][] finite = finitePoints(xs, ys);
        int n = finite[0].length;
        if (n <= maxPoints) {
            return finite;
        }
        int stride = (n + maxPoints - 2) / (maxPoints - 1);
        int m = (n - 1) / stride + 1;
        boolean addLast = (n - 1) % stride != 0;
        double[] ox = new double[m + (addLast ? 1 : 0)];
        double[] oy = new double[ox.length];
        for (int j = 0; j < m; j++) {
            ox[j] = finite[0][j * stride];
            oy[j] = finite[1][j * stride];
        }
        if (addLast) {
            ox[m] = finite[0][n - 1];
            oy[m] = finite[1][n - 1];
        }
        return new double[][] {ox, oy};
    }

    private static double[][] finitePoints(double[] xs, double[] ys) {
        int n = 0;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                n++;
            }
        }
        if (n == xs.length) {
            return new double[][] {xs, ys};
        }
        double[] fx = new double[n];
        double[] fy = new double[n];
        int j = 0;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                fx[j] = xs[i];
                fy[j++] = ys[i];
            }
        }
        return new double[][] {fx, fy};
    }
}
