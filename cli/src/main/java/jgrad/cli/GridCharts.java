package jgrad.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import jgrad.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Many small charts in a grid under one title, one pair of axis labels and one legend, as the
 * book's subplot figures draw many runs at once (the best trials of a search, one run per weight
 * scale, each layer's activations). The i-th curve of every panel has the i-th colour of {@link
 * Charts#PALETTE}, named once in the legend under the grid; a grid whose panels have one curve
 * each, or curves of other names from panel to panel, has no legend (its panel titles say what
 * each is).
 */
final class GridCharts {
    static final int PANEL_WIDTH = 300;
    static final int PANEL_HEIGHT = 210;
    static final int TOP = 56;
    static final int LEFT = 36;
    static final int RIGHT = 12;
    /** Under the grid: the x label, then the legend's row when there is one. */
    static final int BOTTOM = 44;
    static final int LEGEND_HEIGHT = 32;
    private static final float LINE_WIDTH = 1.5f;
    private static final float[] DASH = {6f, 4f};
    /** The bars' fill: their outline's colour, see-through enough that overlapping bars both show. */
    private static final int BAR_ALPHA = 160;

    private GridCharts() {}

    /** How the panels draw their curves. */
    enum Style {
        /** Lines, each curve in its palette colour. */
        LINES,
        /**
         * Lines, the second curve (and every other one after it) dashed, as the book's solid/dashed
         * pairs: two curves that cross or coincide still read apart. XChart draws a curve segment by
         * segment, each starting the dash pattern again, so the dashes show where points lie at least
         * ~10 px apart (20 epochs across a panel); denser curves come out nearly solid.
         */
        SECOND_DASHED,
        /** Filled bars: a curve's xs are the centres of equal-width bins, its ys the counts. */
        BARS
    }

    /**
     * One curve of a panel: {@code ys[i]} at {@code xs[i]}. Non-finite points are left out; a curve
     * with none left (a run that diverged at once) is not drawn, but keeps its colour and legend entry.
     */
    record Curve(String name, double[] xs, double[] ys) {
        Curve {
            Objects.requireNonNull(name, "name");
            if (xs == null || ys == null || xs.length != ys.length) {
                throw new IllegalArgumentException("curve '" + name + "' needs as many xs as ys");
            }
        }
    }

    /** One small chart: its title and its curves, in legend order, each of its own name. */
    record Panel(String title, List<Curve> curves) {
        Panel {
            Objects.requireNonNull(title, "title");
            curves = List.copyOf(curves);
            if (curves.stream().map(Curve::name).distinct().count() < curves.size()) {
                throw new IllegalArgumentException("panel '" + title + "' has two curves of one name");
            }
        }
    }

    /**
     * The grid's title, axis labels and style. {@code yRange} {min, max} is every panel's y axis, so
     * heights compare across the grid; null lets each panel fit its own data (from 0 for bars).
     */
    record Look(String title, String xLabel, String yLabel, double[] yRange, Style style, int columns) {
        Look {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(xLabel, "xLabel");
            Objects.requireNonNull(yLabel, "yLabel");
            Objects.requireNonNull(style, "style");
            if (yRange != null && (yRange.length != 2 || !(yRange[0] < yRange[1])
                    || !Double.isFinite(yRange[1] - yRange[0]))) {
                throw new IllegalArgumentException("a grid's y range must be {min, max} with min < max, both finite");
            }
            if (columns <= 0) {
                throw new IllegalArgumentException("a grid needs at least one column, not " + columns);
            }
        }

        /** Lines, each panel its own y range, four panels a row. */
        static Look of(String title, String xLabel, String yLabel) {
            return new Look(title, xLabel, yLabel, null, Style.LINES, 4);
        }

        Look sharedY(double min, double max) {
            return new Look(title, xLabel, yLabel, new double[] {min, max}, style, columns);
        }

        Look style(Style s) {
            return new Look(title, xLabel, yLabel, yRange, s, columns);
        }

        Look columns(int c) {
            return new Look(title, xLabel, yLabel, yRange, style, c);
        }
    }

    static void draw(Path png, Look look, List<Panel> panels) throws IOException {
        Objects.requireNonNull(png, "png");
        if (panels == null || panels.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one panel");
        }
        BufferedImage image = render(look, panels);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Charts.noImageCache();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }

    static BufferedImage render(Look look, List<Panel> panels) {
        int cols = Math.min(look.columns(), panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        List<String> legend = legendNames(panels);
        int gridBottom = TOP + rows * PANEL_HEIGHT;
        int width = LEFT + cols * PANEL_WIDTH + RIGHT;
        int height = gridBottom + BOTTOM + (legend.isEmpty() ? 0 : LEGEND_HEIGHT);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            for (int i = 0; i < panels.size(); i++) {
                BufferedImage panel = BitmapEncoder.getBufferedImage(panelChart(panels.get(i), look));
                g.drawImage(panel, LEFT + (i % cols) * PANEL_WIDTH, TOP + (i / cols) * PANEL_HEIGHT, null);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            centred(g, look.title(), width / 2, 34);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            centred(g, look.xLabel(), LEFT + cols * PANEL_WIDTH / 2, gridBottom + 22);
            AffineTransform unrotated = g.getTransform();
            g.rotate(-Math.PI / 2);
            centred(g, look.yLabel(), -(TOP + rows * PANEL_HEIGHT / 2), 22);
            g.setTransform(unrotated);
            legend(g, legend, look.style(), width / 2, gridBottom + 54);
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * The names the legend shows: those of the first panel's curves when every panel has the same
     * two or more; otherwise none.
     */
    static List<String> legendNames(List<Panel> panels) {
        List<String> names = panels.get(0).curves().stream().map(Curve::name).toList();
        boolean same = panels.stream().allMatch(p -> p.curves().stream().map(Curve::name).toList().equals(names));
        return same && names.size() > 1 ? names : List.of();
    }

    /** {min, max, tick step} of a panel's y axis: the shared range, or one around its finite values. */
    static double[] yAxis(Panel panel, Look look) {
        if (look.yRange() != null) {
            double[] r = look.yRange();
            return new double[] {r[0], r[1], Charts.niceStep((r[1] - r[0]) / 4)};
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Curve c : panel.curves()) {
            for (int i = 0; i < c.ys().length; i++) {
                if (Double.isFinite(c.xs()[i]) && Double.isFinite(c.ys()[i])) {
                    min = Math.min(min, c.ys()[i]);
                    max = Math.max(max, c.ys()[i]);
                }
            }
        }
        if (look.style() == Style.BARS) {
            // bars stand on 0; the top on the first round value at or above the highest bar, on a step
            // fine enough (an eighth of it) that the tallest bar nearly fills its panel
            if (!(max > 0)) {
                return new double[] {0, 1, 0.25};
            }
            double step = Charts.niceStep(max / 8);
            return new double[] {0, Math.ceil(max / step) * step, step};
        }
        if (!(min <= max)) {
            return new double[] {0, 1, 0.25};  // nothing finite to fit: an empty panel with a plain axis
        }
        return Charts.niceRange(min, max);
    }

    private static XYChart panelChart(Panel panel, Look look) {
        XYChart chart = Charts.xyChart(panel.title(), "", "", PANEL_WIDTH, PANEL_HEIGHT);
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        chart.getStyler().setLegendVisible(false).setChartPadding(6);
        double[] y = yAxis(panel, look);
        chart.getStyler().setYAxisMin(y[0]).setYAxisMax(y[1]);
        chart.getStyler().setYAxisDecimalPattern(Charts.decimalPattern(y[2]));
        boolean bars = look.style() == Style.BARS;
        boolean drawn = false;
        for (int i = 0; i < panel.curves().size(); i++) {
            Curve c = panel.curves().get(i);
            double[][] finite = Charts.minMaxDownsample(c.xs(), c.ys(), PANEL_WIDTH * 2);
            if (finite[0].length == 0) {
                continue;  // no finite point (a run that diverged at once): nothing to draw
            }
            Color colour = Charts.PALETTE[i % Charts.PALETTE.length];
            XYSeries s = Charts.addXY(chart, c.name(), bars ? bars(finite) : finite, colour, bars ? 1f : LINE_WIDTH);
            if (bars) {
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
                s.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), BAR_ALPHA));
            } else if (dashed(look.style(), i)) {
                s.setLineStyle(new BasicStroke(LINE_WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, DASH, 0f));
            }
            drawn = true;
        }
        Curve first = panel.curves().isEmpty() ? null : panel.curves().get(0);
        if (!drawn || (!bars && first.xs().length > 10)) {
            // As in Charts.lineChart: equally spaced xs would each become a tick; a point off that grid
            // makes XChart choose round ones. A panel with nothing to draw gets it too, as XChart
            // cannot draw axes without a series.
            double x = first != null && first.xs().length > 1 ? (first.xs()[0] + first.xs()[1]) / 2 : 0.5;
            XYSeries offGrid = Charts.addXY(chart, "off-grid anchor", new double[][] {{Double.isFinite(x) ? x : 0.5},
                {y[0]}}, new Color(0, 0, 0, 0), 1f);
            offGrid.setShowInLegend(false);
        }
        if (!drawn) {
            double[] xs = panel.curves().stream().flatMapToDouble(c -> Arrays.stream(c.xs()))
                    .filter(Double::isFinite).sorted().toArray();
            if (xs.length > 1 && xs[0] < xs[xs.length - 1]) {
                chart.getStyler().setXAxisMin(xs[0]).setXAxisMax(xs[xs.length - 1]);  // the x range it would have had
            }
        }
        return chart;
    }

    private static boolean dashed(Style style, int curve) {
        return style == Style.SECOND_DASHED && curve % 2 == 1;
    }

    /**
     * Bin centres and counts as the outline of touching bars, for XChart's area style (which wants x
     * strictly ascending): each bar's top runs to a thousandth of a bin short of its edges.
     */
    static double[][] bars(double[][] centresAndCounts) {
        double[] c = centresAndCounts[0];
        double[] h = centresAndCounts[1];
        double width = c.length > 1 ? c[1] - c[0] : 1;
        double inset = width / 1000;
        double[][] out = new double[2][2 * c.length + 2];
        out[0][0] = c[0] - width / 2;
        for (int i = 0; i < c.length; i++) {
            out[0][2 * i + 1] = c[i] - width / 2 + inset;
            out[0][2 * i + 2] = c[i] + width / 2 - inset;
            out[1][2 * i + 1] = h[i];
            out[1][2 * i + 2] = h[i];
        }
        out[0][2 * c.length + 1] = c[c.length - 1] + width / 2;
        return out;
    }

    /** The names, each after a short sample of its curve (line, dashed line or bar), centred on {@code x}. */
    private static void legend(Graphics2D g, List<String> names, Style style, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        int swatch = 28;
        int gap = 24;
        int total = 0;
        for (String name : names) {
            total += swatch + 6 + fm.stringWidth(name) + gap;
        }
        int at = x - (total - gap) / 2;
        int mid = y - fm.getAscent() / 2 + 1;
        for (int i = 0; i < names.size(); i++) {
            Color colour = Charts.PALETTE[i % Charts.PALETTE.length];
            if (style == Style.BARS) {
                g.setColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), BAR_ALPHA));
                g.fillRect(at, mid - 6, swatch, 12);
            } else {
                g.setColor(colour);
                g.setStroke(dashed(style, i) ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        DASH, 0f) : new BasicStroke(2.5f));
                g.drawLine(at, mid, at + swatch, mid);
            }
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), at + swatch + 6, y);
            at += swatch + 6 + fm.stringWidth(names.get(i)) + gap;
        }
    }

    private static void centred(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }
}
