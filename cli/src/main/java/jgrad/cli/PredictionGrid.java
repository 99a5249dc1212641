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
 * The seed's 8×8 grid of test images with their predicted and true labels; a wrong prediction gets a
 * red frame and red text. Drawn headless with java.awt into a BufferedImage, written atomically.
 */
final class PredictionGrid {
    static final int SIDE = 8;
    private static final int LABEL_HEIGHT = 16;
    private static final int GAP = 6;
    private static final Color WRONG = new Color(0xd62728);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private PredictionGrid() {}

    /** The first 64 test images (fewer if the split is smaller), images scaled up to about 96 px. */
    static void write(Path png, TrainData data, int[] predictions, List<String> names) throws IOException {
        ImageShape s = data.shape();
        if (s.height() < 2 || s.width() < 2) {
            throw new IllegalArgumentException("a prediction grid needs image data, got " + s);
        }
        int scale = Math.max(1, 96 / Math.max(s.height(), s.width()));
        int cellW = Math.max(s.width() * scale, 96) + GAP;
        int cellH = s.height() * scale + LABEL_HEIGHT + GAP;
        BufferedImage img = new BufferedImage(SIDE * cellW + GAP, SIDE * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int n = Math.min(SIDE * SIDE, data.testCount());
            for (int i = 0; i < n; i++) {
                int x0 = GAP + (i % SIDE) * cellW;
                int y0 = GAP + (i / SIDE) * cellH;
                drawImage(img, data, i, x0, y0, scale);
                int truth = (int) data.testY()[i];
                boolean right = predictions[i] == truth;
                if (!right) {
                    g.setColor(WRONG);
                    g.setStroke(new BasicStroke(3f));
                    g.drawRect(x0 - 2, y0 - 2, s.width() * scale + 3, s.height() * scale + 3);
                }
                g.setColor(right ? Color.DARK_GRAY : WRONG);
                String text = "p:" + Report.name(names, predictions[i]) + " t:" + Report.name(names, truth);
                g.drawString(shorten(g, text, cellW - 2), x0, y0 + s.height() * scale + LABEL_HEIGHT - 4);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Charts.noImageCache();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(png, bytes.toByteArray());
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
