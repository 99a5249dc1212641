package jgrad.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import jgrad.io.AtomicFiles;

/**
 * A convolution layer's filters as the book draws them ({@code filter_show}, ch. 7.6): a grid of
 * small images, {@value #COLUMNS} to a row, each filter min-max scaled on its own, one-channel filters
 * in the book's reversed grey ({@code cmap=gray_r}: the smallest weight white, the largest black).
 * Three-channel filters (CIFAR-10) are drawn in colour, their R, G, B weights scaled together; other
 * channel counts show input channel 0. Several grids (before and after training) sit side by side
 * under one title. Drawn headless with java.awt and written atomically.
 */
final class FilterGrid {
    /** Filters per row, as the book's {@code filter_show(filters, nx=8)}. */
    static final int COLUMNS = 8;
    /** About this many pixels per filter side, whatever its kernel size. */
    private static final int CELL = 48;
    private static final int GAP = 6;
    private static final int PANEL_GAP = 30;
    private static final int TITLE_HEIGHT = 26;
    private static final int LINE_HEIGHT = 20;
    private static final Color FRAME = new Color(0xbdbdbd);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font HEADING_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 12);
    private static final Font KEY_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * One grid: a heading over the filters of a weight of shape [filters, channels, k, k] (OIHW, as
     * {@link jgrad.nn.Conv2d} and PyTorch keep it).
     */
    record Panel(String heading, float[] weights, int[] shape) {
        Panel {
            if (shape.length != 4 || shape[2] != shape[3] || Arrays.stream(shape).anyMatch(s -> s <= 0)) {
                throw new IllegalArgumentException("filters must be [filters, channels, k, k], got "
                        + Arrays.toString(shape));
            }
            if ((long) shape[0] * shape[1] * shape[2] * shape[3] != weights.length) {
                throw new IllegalArgumentException("filters of shape " + Arrays.toString(shape) + " need "
                        + (long) shape[0] * shape[1] * shape[2] * shape[3] + " weights, got " + weights.length);
            }
        }

        int filters() {
            return shape[0];
        }

        int kernel() {
            return shape[2];
        }

        int scale() {
            return Math.max(1, Math.round(CELL / (float) kernel()));
        }

        int side() {
            return kernel() * scale();
        }

        int columns() {
            return Math.min(COLUMNS, filters());
        }

        int rows() {
            return (filters() + COLUMNS - 1) / COLUMNS;
        }

        int width() {
            return columns() * (side() + GAP) - GAP;
        }

        int height() {
            return rows() * (side() + GAP) - GAP;
        }
    }

    private FilterGrid() {}

    static void write(Path png, String title, List<Panel> panels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Charts.noImageCache();
        if (!ImageIO.write(render(title, panels), "png", bytes)) {
            throw new IOException("no PNG writer available");
        }
        AtomicFiles.write(png, bytes.toByteArray());
    }

    /** The key under the title: how the weights became grey levels (or colours). */
    static String key(Panel p) {
        int channels = p.shape()[1];
        String size = p.kernel() + "×" + p.kernel();
        if (channels == 3) {
            return "each " + size + " filter in colour, its R, G, B weights scaled together from the smallest (0) "
                    + "to the largest (255)";
        }
        String which = channels == 1 ? "" : " (input channel 0 of " + channels + ")";
        return "each " + size + " filter" + which + " scaled on its own: smallest weight white, largest black "
                + "(the book's filter_show, gray_r)";
    }

    static BufferedImage render(String title, List<Panel> panels) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no filters to draw");
        }
        String key = key(panels.get(0));
        int gridsW = panels.stream().mapToInt(Panel::width).sum() + PANEL_GAP * (panels.size() - 1);
        int gridsH = panels.stream().mapToInt(Panel::height).max().orElse(0);
        int textW;
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D m = probe.createGraphics();
        try {
            textW = Math.max(m.getFontMetrics(TITLE_FONT).stringWidth(title), m.getFontMetrics(KEY_FONT).stringWidth(key));
            for (Panel p : panels) {
                textW = Math.max(textW, m.getFontMetrics(HEADING_FONT).stringWidth(p.heading()) - p.width() + gridsW);
            }
        } finally {
            m.dispose();
        }
        int width = 2 * GAP + Math.max(gridsW, textW);
        int gridY = GAP + TITLE_HEIGHT + 2 * LINE_HEIGHT;
        int height = gridY + gridsH + 2 * GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(TITLE_FONT);
            g.drawString(title, GAP, GAP + 18);
            g.setFont(KEY_FONT);
            g.setColor(Color.DARK_GRAY);
            g.drawString(key, GAP, GAP + TITLE_HEIGHT + 14);
            int x = GAP;
            for (Panel p : panels) {
                g.setFont(HEADING_FONT);
                g.setColor(Color.BLACK);
                g.drawString(p.heading(), x, GAP + TITLE_HEIGHT + LINE_HEIGHT + 14);
                drawPanel(g, img, p, x, gridY);
                x += p.width() + PANEL_GAP;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawPanel(Graphics2D g, BufferedImage img, Panel p, int x0, int y0) {
        int side = p.side();
        for (int f = 0; f < p.filters(); f++) {
            int x = x0 + (f % COLUMNS) * (side + GAP);
            int y = y0 + (f / COLUMNS) * (side + GAP);
            int[] rgb = pixels(p, f);
            int k = p.kernel();
            int s = p.scale();
            for (int i = 0; i < k * k; i++) {
                for (int dy = 0; dy < s; dy++) {
                    for (int dx = 0; dx < s; dx++) {
                        img.setRGB(x + (i % k) * s + dx, y + (i / k) * s + dy, rgb[i]);
                    }
                }
            }
            // a frame, so that a filter's white (smallest) weights stand out from the background
            g.setColor(FRAME);
            g.drawRect(x - 1, y - 1, side + 1, side + 1);
        }
    }

    /** Filter {@code f} as k·k RGB pixels, row by row. */
    static int[] pixels(Panel p, int f) {
        int channels = p.shape()[1];
        int plane = p.kernel() * p.kernel();
        int base = f * channels * plane;
        boolean colour = channels == 3;
        int count = colour ? 3 * plane : plane;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, p.weights()[base + i]);
            max = Math.max(max, p.weights()[base + i]);
        }
        float range = max - min;
        int[] out = new int[plane];
        for (int i = 0; i < plane; i++) {
            if (colour) {
                int r = level(p.weights()[base + i], min, range);
                int gr = level(p.weights()[base + plane + i], min, range);
                int b = level(p.weights()[base + 2 * plane + i], min, range);
                out[i] = (r << 16) | (gr << 8) | b;
            } else {
                int grey = 255 - level(p.weights()[base + i], min, range);  // gray_r: large is dark
                out[i] = (grey << 16) | (grey << 8) | grey;
            }
        }
        return out;
    }

    /** 0 for the smallest weight, 255 for the largest; a constant filter (or a NaN) is mid-grey. */
    private static int level(float w, float min, float range) {
        if (!(range > 0) || !Float.isFinite(range) || !Float.isFinite(w)) {
            return 128;
        }
        return Math.round(255f * (w - min) / range);
    }
}
