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
import java.util.List;
import javax.imageio.ImageIO;
import jgrad.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Many small line charts in a grid under one title, one pair of axis labels and one legend, as the
 * book draws many runs at once (the best trials of a search, one run per weight scale). Every panel
 * shares the y range, so heights compare across the grid, and the i-th curve of every panel has the
 * i-th colour of {@link Charts#PALETTE}, named once in the legend.
 */
final class GridCharts {
    private static final int PANEL_WIDTH = 300;
    private static final int PANEL_HEIGHT = 210;
    private static final int TOP = 56;
    private static final int LEFT = 36;
    private static final int BOTTOM = 76;
    private static final int RIGHT = 12;

    private GridCharts() {}

    /** One curve of a panel: {@code ys[i]} at {@code xs[i]}; non-finite points are left out. */
    record Curve(String name, double[] xs, double[] ys) {
        Curve {
            if (xs.length != ys.length || xs.length == 0) {
                throw new IllegalArgumentException("curve '" + name + "' needs as many xs as ys, at least one");
            }
        }
    }

    /** One small chart: its title and its curves, in legend order. */
    record Panel(String title, List<Curve> curves) {}

    /**
     * @param yRange  {min, max} of every panel's y axis
     * @param columns panels per row; rows follow from the panel count
     */
    static void grid(Path png, String title, String xLabel, String yLabel, double[] yRange, List<Panel> panels,
                     int columns) throws IOException {
        if (panels.isEmpty() || columns <= 0) {
            throw new IllegalArgumentException("a grid needs at least one panel and one column");
        }
        int cols = Math.min(columns, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        int width = LEFT + cols * PANEL_WIDTH + RIGHT;
        int height = TOP + rows * PANEL_HEIGHT + BOTTOM;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            for (int i = 0; i < panels.size(); i++) {
                BufferedImage panel = BitmapEncoder.getBufferedImage(panelChart(panels.get(i), yRange));
                g.drawImage(panel, LEFT + (i % cols) * PANEL_WIDTH, TOP + (i / cols) * PANEL_HEIGHT, null);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            centred(g, title, width / 2, 34);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            int gridBottom = TOP + rows * PANEL_HEIGHT;
            centred(g, xLabel, LEFT + cols * PANEL_WIDTH / 2, gridBottom + 22);
            AffineTransform unrotated = g.getTransform();
            g.rotate(-Math.PI / 2);
            centred(g, yLabel, -(TOP + rows * PANEL_HEIGHT / 2), 22);
            g.setTransform(unrotated);
            legend(g, panels.get(0).curves(), width / 2, gridBottom + 54);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Charts.noImageCache();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }

    private static XYChart panelChart(Panel panel, double[] yRange) {
        XYChart chart = Charts.xyChart(panel.title(), "", "", PANEL_WIDTH, PANEL_HEIGHT);
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        chart.getStyler().setLegendVisible(false).setChartPadding(6);
        chart.getStyler().setYAxisMin(yRange[0]).setYAxisMax(yRange[1]);
        chart.getStyler().setYAxisDecimalPattern(Charts.decimalPattern(Charts.niceStep((yRange[1] - yRange[0]) / 4)));
        int colour = 0;
        for (Curve c : panel.curves()) {
            double[][] drawn = Charts.minMaxDownsample(c.xs(), c.ys(), PANEL_WIDTH * 2);
            if (drawn[0].length > 0) {
                Charts.addXY(chart, c.name(), drawn, Charts.PALETTE[colour % Charts.PALETTE.length], 1.5f);
            }
            colour++;
        }
        Curve first = panel.curves().get(0);
        if (first.xs().length > 10) {
            // As in Charts.lineChart: equally spaced xs would each become a tick; a point off that grid
            // makes XChart choose round ones.
            XYSeries offGrid = Charts.addXY(chart, "off-grid anchor",
                    new double[][] {{(first.xs()[0] + first.xs()[1]) / 2}, {yRange[0]}}, new Color(0, 0, 0, 0), 1f);
            offGrid.setShowInLegend(false);
        }
        return chart;
    }

    /** The curves' names, each after a short line of its colour, centred on {@code x}. */
    private static void legend(Graphics2D g, List<Curve> curves, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        int swatch = 28;
        int gap = 24;
        int total = 0;
        for (Curve c : curves) {
            total += swatch + 6 + fm.stringWidth(c.name()) + gap;
        }
        int at = x - (total - gap) / 2;
        for (int i = 0; i < curves.size(); i++) {
            g.setColor(Charts.PALETTE[i % Charts.PALETTE.length]);
            g.setStroke(new BasicStroke(2.5f));
            g.drawLine(at, y - fm.getAscent() / 2 + 1, at + swatch, y - fm.getAscent() / 2 + 1);
            g.setColor(Color.BLACK);
            g.drawString(curves.get(i).name(), at + swatch + 6, y);
            at += swatch + 6 + fm.stringWidth(curves.get(i).name()) + gap;
        }
    }

    private static void centred(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }
}
