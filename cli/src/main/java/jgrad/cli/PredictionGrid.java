package jgrad.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.io.AtomicFiles;
import jgrad.train.TrainData;

/**
 * {@code predictions.png}: the {@link PredictionLayout} drawn headless with java.awt into a
 * BufferedImage and written atomically; a wrong prediction gets a red frame and red text.
 */
final class PredictionGrid {
    static final Color WRONG = new Color(0xd62728);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private PredictionGrid() {}

    static void write(Path png, String title, TrainData data, int[] predictions, List<String> names)
            throws IOException {
        PredictionLayout layout = PredictionLayout.of(title, data.shape(), predictions, data.testY(),
                data.testCount());
        BufferedImage img = render(layout, data, names);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Charts.noImageCache();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(png, bytes.toByteArray());
    }

    static BufferedImage render(PredictionLayout layout, TrainData data, List<String> names) {
        BufferedImage img = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(layout.title(), PredictionLayout.GAP, layout.titleY() + 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            g.drawString(layout.key(), PredictionLayout.GAP, layout.keyY() + 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.setColor(Color.BLACK);
            g.drawString(layout.allHeader(), PredictionLayout.GAP, layout.headerY() + 14);
            g.drawString(layout.mistakesHeader(), layout.mistakesX(), layout.headerY() + 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (List<PredictionLayout.Cell> grid : List.of(layout.all(), layout.mistakes())) {
                for (PredictionLayout.Cell c : grid) {
                    drawCell(g, img, layout, data, names, c);
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawCell(Graphics2D g, BufferedImage img, PredictionLayout layout, TrainData data,
                                 List<String> names, PredictionLayout.Cell c) {
        drawImage(img, data, c.index(), c.x(), c.y(), layout.scale());
        if (c.wrong()) {
            g.setColor(WRONG);
            g.setStroke(new BasicStroke(3f));
            g.drawRect(c.x() - 2, c.y() - 2, layout.imageW() + 3, layout.imageH() + 3);
        }
        g.setColor(c.wrong() ? WRONG : Color.DARK_GRAY);
        String text = "p:" + Report.name(names, c.predicted()) + " t:" + Report.name(names, c.truth());
        g.drawString(shorten(g, text, layout.cellW() - 2), c.x(),
                c.y() + layout.imageH() + PredictionLayout.LABEL_HEIGHT - 4);
    }

    /** Test image {@code i}, un-normalised back to [0, 1], grey or RGB, each pixel a scale×scale block. */
    private static void drawImage(BufferedImage img, TrainData data, int i, int x0, int y0, int scale) {
        ImageShape s = data.shape();
        Normalization norm = data.normalization();
        float[] x = data.testX();
        int base = i * s.pixels();
        for (int y = 0; y < s.height(); y++) {
            for (int xx = 0; xx < s.width(); xx++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    int c = s.channels() == 3 ? k : 0;
                    float v = norm.restore(c, x[base + c * s.plane() + y * s.width() + xx]);
                    rgb[k] = Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                }
                int colour = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        img.setRGB(x0 + xx * scale + dx, y0 + y * scale + dy, colour);
                    }
                }
            }
        }
    }

    private static String shorten(Graphics2D g, String text, int width) {
        String t = text;
        while (t.length() > 3 && g.getFontMetrics().stringWidth(t) > width) {
            t = t.substring(0, t.length() - 2) + "…";
        }
        return t;
    }
}
