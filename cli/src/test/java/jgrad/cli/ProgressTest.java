package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void plainLineHasImagesPerSecondAndEta() {
        // 1000 of 10000 steps of 100 images in 2 s: 50 000 images/s, 18 s left.
        assertEquals("step  1000/10000  loss 0.2870  50000 images/s  ETA 0:00:18",
                Progress.line("train", 1000, 1000, 10000, 0.287f, 2.0, 100));
        // Resumed at step 9000: 500 steps in 1 s, 500 left.
        assertEquals("step  9500/10000  loss 0.2870  50000 images/s  ETA 0:00:01",
                Progress.line("train", 9500, 500, 10000, 0.287f, 1.0, 100));
        assertEquals("cuda:0 step 5/5  loss 1.0000  ? images/s  ETA ?", Progress.line("cuda:0", 5, 5, 5, 1f, 0, 100));
        assertEquals("1:01:01", Progress.duration(3661));
    }

    @Test
    void notATerminalPrintsOneLinePerLogPoint() {
        StringWriter sw = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(sw), false, "cpu", 10)) {
            p.onStart(4);
            for (int s = 1; s <= 4; s++) {
                p.onStep(s);
                if (s % 2 == 0) {
                    p.onLog(s, 0.5f);
                }
            }
        }
        String[] lines = sw.toString().split("\n");
        assertEquals(2, lines.length, sw.toString());
        assertTrue(lines[0].startsWith("cpu step 2/4  loss 0.5000  ") && lines[0].contains(" images/s  ETA "), lines[0]);
        assertTrue(lines[1].endsWith("ETA 0:00:00"), lines[1]);
    }
}
