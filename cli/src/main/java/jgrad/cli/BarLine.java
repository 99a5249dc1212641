package jgrad.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One frame of the training progress bar, fitted to the terminal's width:
 * {@code train  41% [=========>          ] 615/1500  0:00:03 ETA 0:00:04  45120 images/s  loss 0.2870}.
 * The bar keeps at least {@link #MIN_BAR} cells: when the line does not fit, the elapsed time goes
 * first, then the loss, the rate, the ETA and the step count, in that order, rather than squeezing the
 * bar to {@code [ ]} or cutting text mid-word. A frame is one column shorter than the terminal, since
 * writing the last column wraps on some terminals.
 *
 * @param secondsLeft     NaN while the rate is not known yet (printed as "?")
 * @param imagesPerSecond NaN while not known
 * @param loss            NaN before the first logged loss
 */
record BarLine(String task, int step, int total, double elapsedSeconds, double secondsLeft,
               double imagesPerSecond, float loss) {
    static final int MIN_BAR = 10;
    static final int MAX_BAR = 40;

    String render(int columns) {
        int width = columns - 1;
        int pct = total > 0 ? (int) Math.floor(100.0 * step / total) : 0;
        String head = String.format(Locale.ROOT, "%s %3d%% [", task, pct);
        // Optional parts in display order, each with its rank: the lowest rank is dropped first.
        List<Part> parts = new ArrayList<>(List.of(
                new Part(" " + step + "/" + total, 5),
                new Part("  " + Progress.duration(elapsedSeconds), 1),
                new Part("  ETA " + (Double.isNaN(secondsLeft) ? "?" : Progress.duration(secondsLeft)), 4),
                new Part("  " + (Double.isNaN(imagesPerSecond) ? "?"
                        : String.format(Locale.ROOT, "%.0f", imagesPerSecond)) + " images/s", 3)));
        if (!Float.isNaN(loss)) {
            parts.add(new Part(String.format(Locale.ROOT, "  loss %.4f", loss), 2));
        }
        while (!parts.isEmpty() && head.length() + MIN_BAR + 1 + length(parts) > width) {
            parts.remove(parts.stream().min(Comparator.comparingInt(Part::rank)).orElseThrow());
        }
        StringBuilder tail = new StringBuilder("]");
        parts.forEach(part -> tail.append(part.text()));
        int cells = Math.min(MAX_BAR, width - head.length() - tail.length());
        if (cells < MIN_BAR) {
            String bare = task + " " + String.format(Locale.ROOT, "%d%%", pct) + " " + step + "/" + total;
            return bare.length() <= width ? bare : bare.substring(0, Math.max(0, width));
        }
        return head + bar(cells) + tail;
    }

    private String bar(int cells) {
        int full = total > 0 ? (int) ((long) cells * Math.min(step, total) / total) : 0;
        StringBuilder sb = new StringBuilder(cells);
        sb.append("=".repeat(full));
        if (full < cells) {
            sb.append('>').append(" ".repeat(cells - full - 1));
        }
        return sb.toString();
    }

    private record Part(String text, int rank) {}

    private static int length(List<Part> parts) {
        return parts.stream().mapToInt(p -> p.text().length()).sum();
    }
}
