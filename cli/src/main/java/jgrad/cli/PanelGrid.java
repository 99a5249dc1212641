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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import jgrad.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A grid of small XY plots under one title, as the book's subplot figures: the batch-norm
 * experiment's 16 weight scales, the activation histograms of each layer. Each panel is an XChart
 * chart styled as {@link Charts}' ones; the last panel carries the legend (every panel has the
 * same series; the book's figure does the same), and series i is drawn in the i-th style: solid
 * blue, dashed orange, …
 */
final class PanelGrid {
    static final int PANEL_WIDTH = 300;
    static final int PANEL_HEIGHT = 230;
    private static final int TITLE_HEIGHT = 44;

    private PanelGrid() {}

    /** One small plot: its title and its series, name to {@code {xs, ys}}, drawn in map order. */
    record Panel(String title, Map<String, double[][]> series) {}

    /**
     * @param yRange    {min, max} shared by every panel, or null for each panel's own
     * @param histogram draw each series as filled bars: xs are the bin centres of equal-width bins, ys the counts
     */
    record Look(String xLabel, String yLabel, double[] yRange, boolean histogram) {}

    static void draw(Path png, String title, Look look, int columns, List<Panel> panels) throws IOException {
        if (panels.isEmpty() || columns <= 0) {
            throw new IllegalArgumentException("a panel grid needs panels and a positive column count");
        }
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage canvas = new BufferedImage(columns * PANEL_WIDTH, TITLE_HEIGHT + rows * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(title, Math.max(4, (canvas.getWidth() - fm.stringWidth(title)) / 2), 28);
            for (int i = 0; i < panels.size(); i++) {
                boolean last = i == panels.size() - 1;
                BufferedImage panel = BitmapEncoder.getBufferedImage(chart(panels.get(i), look, last));
                g.drawImage(panel, (i % columns) * PANEL_WIDTH, TITLE_HEIGHT + (i / columns) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        Charts.noImageCache();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(canvas, "png", bytes);
        AtomicFiles.write(png, bytes.toByteArray());
    }

    private static XYChart chart(Panel panel, Look look, boolean legend) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(panel.title())
                .xAxisTitle(look.xLabel()).yAxisTitle(look.yLabel()).build();
        Charts.styleAxes(chart.getStyler());
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        chart.getStyler().setChartPadding(6);
        chart.getStyler().setLegendVisible(legend && panel.series().size() > 1);
        chart.getStyler().setLegendPosition(LegendPosition.InsideSE);
        chart.getStyler().setXAxisTickMarkSpacingHint(60);
        if (look.yRange() != null) {
            chart.getStyler().setYAxisMin(look.yRange()[0]).setYAxisMax(look.yRange()[1]);
        } else if (look.histogram()) {
            chart.getStyler().setYAxisMin(0.0);
        }
        int index = 0;
        for (Map.Entry<String, double[][]> e : panel.series().entrySet()) {
            double[][] xy = look.histogram() ? bars(e.getValue()) : Charts.minMaxDownsample(e.getValue()[0],
                    e.getValue()[1], Charts.MAX_POINTS);
            if (xy[0].length == 0) {
                continue;  // a run with no finite point (diverged at once): nothing to draw
            }
            Color colour = Charts.PALETTE[index % Charts.PALETTE.length];
            XYSeries s = chart.addSeries(e.getKey(), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE).setLineColor(colour);
            float[] dash = index % 2 == 1 ? new float[] {6f, 4f} : null;
            s.setLineStyle(new BasicStroke(look.histogram() ? 1f : 2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
                    10f, dash, 0f));
            if (look.histogram()) {
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
                s.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 160));
            }
            index++;
        }
        return chart;
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
}
