package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jgrad.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training progress bar on a real pseudo-terminal ({@code script}) of 80 and 120 columns (issue 14,
 * point 9): every frame fits the width with a bar of at least 10 cells, shows images/s, never an
 * absurd ETA, and the epoch lines stand whole on the screen with no bar left over them.
 */
@Timeout(240)
class TerminalProgressTest {
    private static final Pattern FRAME = Pattern.compile("train +\\d+% \\[([=> ]*)\\].*");
    private static final Pattern EPOCH = Pattern.compile(
            "epoch [12]/2  loss \\d\\.\\d{4}  test acc \\d\\.\\d{4}  lr 0\\.1000  \\d+\\.\\d s");
    private static final Pattern ETA = Pattern.compile("ETA (\\d+):(\\d\\d):(\\d\\d)");

    @ParameterizedTest
    @ValueSource(ints = {80, 120})
    void barFitsTheTerminalAndEpochLinesStandWhole(int columns) throws Exception {
        Cli.requireMnist();
        Assumptions.assumeTrue(new File("/usr/bin/script").canExecute() || new File("/bin/script").canExecute(),
                "no `script` (util-linux) for a pseudo-terminal");
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--device", "cpu", "--epochs", "2", "--hidden", "100");  // with the JIT warm-up, as a user runs it
        StringBuilder shell = new StringBuilder("stty cols " + columns + " rows 24; exec");
        for (String arg : java) {
            shell.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", shell.toString(), "/dev/null")
                .redirectInput(new File("/dev/null")).redirectErrorStream(true);
        pb.environment().remove("CI");  // CI set means "no bar" by design
        long start = System.nanoTime();
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the run did not end");
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        String tty = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), tty);

        Screen screen = Screen.replay(tty, columns);
        assertTrue(screen.frames().size() >= 3, "bar frames drawn: " + screen.frames());
        for (String frame : screen.frames()) {
            assertTrue(frame.length() <= columns - 1, "frame wider than the terminal: " + frame);
            Matcher m = FRAME.matcher(frame);
            assertTrue(m.matches(), frame);
            assertTrue(m.group(1).length() >= 10, "a bar of at least 10 cells: " + frame);
            assertFalse(frame.contains("steps/s"), frame);
            Matcher eta = ETA.matcher(frame);
            if (eta.find()) {
                int seconds = Integer.parseInt(eta.group(1)) * 3600 + Integer.parseInt(eta.group(2)) * 60
                        + Integer.parseInt(eta.group(3));
                // The whole run (JVM start and data load included) took wallSeconds; the old first ETA was 0:19:05.
                assertTrue(seconds <= 3 * wallSeconds + 5, "ETA " + seconds + " s in a run of " + wallSeconds
                        + " s: " + frame);
            }
        }
        assertTrue(screen.frames().stream().anyMatch(f -> f.matches(".* \\d+ images/s.*")),
                "a measured images/s: " + screen.frames());
        List<String> epochs = screen.lines().stream().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(2, epochs.size(), String.join("\n", screen.lines()));
        for (String line : epochs) {
            assertTrue(EPOCH.matcher(line).matches(), "an epoch line cut or overdrawn: '" + line + "'");
        }
        assertTrue(screen.lines().stream().noneMatch(l -> l.contains("images/s")),
                "no bar left on the screen: " + String.join("\n", screen.lines()));
    }

    /**
     * The text a terminal of {@code columns} shows after {@code tty}: carriage return, line feed,
     * erase-to-end-of-line and automatic wrap, which is all the bar uses; also each bar frame as drawn
     * (the text after an erase, up to the next carriage return or line feed).
     */
    record Screen(List<String> lines, List<String> frames) {
        static Screen replay(String tty, int columns) {
            List<String> lines = new ArrayList<>();
            List<String> frames = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            StringBuilder frame = null;
            int col = 0;
            for (int i = 0; i < tty.length(); i++) {
                char c = tty.charAt(i);
                if (c == '\u001b' && tty.startsWith("[K", i + 1)) {
                    line.setLength(Math.min(col, line.length()));
                    frame = new StringBuilder();
                    i += 2;
                } else if (c == '\r' || c == '\n') {
                    // A line printed over the bar follows an erase too, and ends in \r\n on a tty: not a frame.
                    if (frame != null && frame.toString().startsWith("train ")) {
                        frames.add(frame.toString());
                    }
                    frame = null;
                    col = 0;
                    if (c == '\n') {
                        lines.add(line.toString());
                        line.setLength(0);
                    }
                } else {
                    if (col == columns) {  // the terminal wraps
                        lines.add(line.toString());
                        line.setLength(0);
                        col = 0;
                    }
                    if (col < line.length()) {
                        line.setCharAt(col, c);
                    } else {
                        line.append(c);
                    }
                    col++;
                    if (frame != null) {
                        frame.append(c);
                    }
                }
            }
            lines.add(line.toString());
            lines.removeIf(String::isBlank);
            return new Screen(lines, frames);
        }
    }
}
