package jgrad.cli;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's width in columns, for the progress bar: {@code stty size} on the controlling
 * terminal (what jline's exec provider runs too, without its signal handlers in the way of the
 * Ctrl-C hook), else {@code $COLUMNS}, else 80. Looked up again at most every few seconds, so a
 * resized window is followed without a process per frame.
 */
final class TerminalColumns {
    static final int FALLBACK = 80;
    private static final long REFRESH_NANOS = 5_000_000_000L;

    private int columns;
    private long checkedAt;
    private boolean checked;

    int get() {
        long now = System.nanoTime();
        if (!checked || now - checkedAt >= REFRESH_NANOS) {
            columns = lookUp();
            checkedAt = now;
            checked = true;
        }
        return columns;
    }

    private static int lookUp() {
        File tty = new File("/dev/tty");
        if (tty.exists()) {
            try {
                Process p = new ProcessBuilder("stty", "size").redirectInput(tty)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    int cols = parseSize(out);
                    if (cols > 0) {
                        return cols;
                    }
                }
            } catch (java.io.IOException e) {
                // no stty on this system: the environment's word below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String env = System.getenv("COLUMNS");
        if (env != null && env.matches("\\d{2,4}")) {
            return Integer.parseInt(env);
        }
        return FALLBACK;
    }

    /** The columns of {@code stty size}'s "rows columns"; 0 if it is not that (or a terminal of no width). */
    static int parseSize(String sttySize) {
        String[] f = sttySize.trim().split("\\s+");
        return f.length == 2 && f[1].matches("\\d{1,4}") ? Integer.parseInt(f[1]) : 0;
    }
}
