package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import jgrad.train.EpochStats;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void plainLineHasImagesPerSecondAndEta() {
        // 500 steps/s of 100 images: 50 000 images/s; 9000 steps left take 18 s.
        assertEquals("step  1000/10000  loss 0.2870  50000 images/s  ETA 0:00:18",
                Progress.line("train", 1000, 10000, 0.287f, 500, 100));
        assertEquals("cuda:0 step 4/5  loss 1.0000  ? images/s  ETA ?",
                Progress.line("cuda:0", 4, 5, 1f, Double.NaN, 100));
        assertEquals("cuda:0 step 5/5  loss 1.0000  ? images/s  ETA 0:00:00",
                Progress.line("cuda:0", 5, 5, 1f, Double.NaN, 100), "nothing left: no ETA to guess");
        assertEquals("1:01:01", Progress.duration(3661));
    }

    /** Issue 14: "608/1500 steps (0:00:03 / 0:00:04) 202.7 steps/s" was 608 steps over whole seconds. */
    @Test
    void rateUsesTheFractionOfASecondAndForgetsTheSlowStart() {
        // 156 steps/s: 608 steps in 3.9 s, which whole seconds would have made 202.7.
        AtomicLong now = new AtomicLong();
        StepRate rate = new StepRate(now::get);
        rate.mark(1);
        now.set(250_000_000L);
        rate.mark(40);
        assertTrue(Double.isNaN(rate.stepsPerSecond()), "no windowed rate before half a second");
        assertEquals(156, rate.stepsPerSecondSoFar(), 1e-9, "a log line's figure: the mean so far");
        now.set(2_000_000_000L);
        rate.mark(313);
        now.set(3_900_000_000L);
        rate.mark(609);
        // The window (3 s) now starts at the sample of 0.25 s: 569 steps in 3.65 s.
        assertEquals(569 / 3.65, rate.stepsPerSecond(), 1e-9);
        assertEquals((1500 - 609) / (569 / 3.65), rate.secondsLeft(1500), 1e-6);

        // A slow start (1 step/s for 2 s), then 1000 steps/s for 10 s: the window holds only the fast part.
        AtomicLong t = new AtomicLong();
        StepRate windowed = new StepRate(t::get);
        int step = 1;
        windowed.mark(step);
        for (int i = 0; i < 2; i++) {
            t.addAndGet(1_000_000_000L);
            windowed.mark(++step);
        }
        for (int i = 0; i < 10_000; i++) {
            t.addAndGet(1_000_000L);
            windowed.mark(++step);
        }
        assertEquals(1000, windowed.stepsPerSecond(), 1e-6);
        assertEquals((20_000 - step) / 1000.0, windowed.secondsLeft(20_000), 1e-6);
    }

    @Test
    void anEpochsTestEvaluationDoesNotReadAsAStall() {
        AtomicLong now = new AtomicLong();
        StepRate rate = new StepRate(now::get);
        for (int step = 1; step <= 300; step++) {
            now.addAndGet(10_000_000L);
            rate.mark(step);
        }
        now.addAndGet(2_000_000_000L);  // 2 s of evaluation after step 300
        rate.skipPause();
        now.addAndGet(10_000_000L);
        rate.mark(301);
        assertEquals(100, rate.stepsPerSecond(), 1e-6);
    }

    /** Issue 14: the first ETA read 0:19:05 for a run of seconds; one slow JIT-time step must not set it. */
    @Test
    void noEtaWhileTheLoopIsStillSpeedingUp() {
        AtomicLong now = new AtomicLong();
        StepRate rate = new StepRate(now::get);
        rate.mark(1);
        now.set(600_000_000L);
        rate.mark(2);  // 0.6 s for one step: interpreted kernels
        assertTrue(Double.isNaN(rate.secondsLeft(1200)), "one step is no pace to predict from");
        for (int step = 3; step <= 60; step++) {
            now.addAndGet(10_000_000L);  // compiled: 10 ms a step
            rate.mark(step);
        }
        assertTrue(Double.isNaN(rate.secondsLeft(1200)), "the newer half runs far faster than the older: not settled");
        assertTrue(rate.stepsPerSecond() > 0, "the rate itself is shown as measured");
    }

    @Test
    void barFitsEightyAndOneHundredTwentyColumnsWithARealBar() {
        BarLine frame = new BarLine("train", 615, 1500, 3.4, 4.2, 45120, 0.287f);
        String wide = frame.render(120);
        assertEquals("train  41% [================>                       ] 615/1500  0:00:03  ETA 0:00:04"
                + "  45120 images/s  loss 0.2870", wide);
        String narrow = frame.render(80);
        assertTrue(narrow.length() <= 79, narrow);
        assertTrue(narrow.matches("train  41% \\[=+> +\\] 615/1500  ETA 0:00:04  45120 images/s  loss 0\\.2870"),
                narrow);
        assertTrue(narrow.indexOf(']') - narrow.indexOf('[') - 1 >= BarLine.MIN_BAR, narrow);
        // Narrower still: the loss, then the rate give way before the bar shrinks below its minimum.
        String tight = frame.render(50);
        assertTrue(tight.length() <= 49 && tight.indexOf(']') - tight.indexOf('[') - 1 >= BarLine.MIN_BAR, tight);
        assertTrue(tight.contains("615/1500"), tight);
        assertEquals("train 41% 615/1500", frame.render(22));
        assertTrue(new BarLine("train", 1, 1500, 0.1, Double.NaN, Double.NaN, Float.NaN).render(80)
                .endsWith("] 1/1500  0:00:00  ETA ?  ? images/s"));
    }

    @Test
    void epochLinesEraseTheBarAndArePrintedWhole() {
        StringWriter sw = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(sw), true, "train", 100)) {
            p.onStart(4);
            p.onStep(0);
            for (int s = 1; s <= 2; s++) {
                p.onStep(s);
            }
            p.onLog(2, 0.5f);
            p.onEpoch(new EpochStats(1, 2, 0.5, 0.91, 0.1f, 1.2), 2);
        }
        String text = sw.toString();
        String epoch = "epoch 1/2  loss 0.5000  test acc 0.9100  lr 0.1000  1.2 s";
        assertTrue(text.contains("\r\u001b[K" + epoch + System.lineSeparator()), text);
        assertTrue(text.startsWith("\r\u001b[Ktrain   0% ["), text);
        assertTrue(text.endsWith("\r\u001b[K"), "the bar is erased at the end: " + text);
    }

    @Test
    void notATerminalPrintsOneLinePerLogPoint() {
        StringWriter sw = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(sw), false, "cpu", 10)) {
            p.onStart(4);
            p.onStep(0);
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
        assertTrue(!sw.toString().contains("\u001b"), "no escape codes off a terminal");
    }

    @Test
    void sttySizeGivesTheColumns() {
        assertEquals(120, TerminalColumns.parseSize("40 120\n"));
        assertEquals(0, TerminalColumns.parseSize("stty: 'standard input': Inappropriate ioctl for device"));
    }
}
