package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import jgrad.cli.CompareCommand.Side;
import jgrad.train.TrainConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/** The comparison's table, JSON and chart from fake run figures (a GPU side without a GPU). */
class CompareCommandTest {
    @TempDir
    Path dir;

    static final TrainConfig JOB = TrainConfig.seedDefaults();
    /** 1000 of 10 000 steps on the CPU in 2.5 s; all 10 000 on the GPU in 1.2 s. */
    static final Side CPU = new Side("cpu", 1000, 2.5, 0.61f, 0.85, 10, false, null);
    static final Side GPU = new Side("cuda:0 NVIDIA H100 80GB HBM3", 10000, 1.2, 0.25f, 0.935, 1, false, null);
    /** The same run on the jgrad CUDA simulator: its 1.2 s are host time, no GPU figure. */
    static final Side SIMULATED = new Side("cuda:0 jgrad CUDA simulator (sm_90)", 10000, 1.2, 0.25f, 0.935, 1, true,
            null);

    @Test
    void tableScalesTheShortenedCpuRunAndComputesTheSpeedUp() {
        String text = CompareCommand.table(JOB, 10000, CPU, GPU).text();
        assertTrue(text.contains("1000 of 10000"), text);
        assertTrue(text.contains("2.500 ms"), text);             // 2.5 s / 1000 steps
        assertTrue(text.contains("25.00 s (est.)"), text);       // scaled to the whole job
        assertTrue(text.contains("0.120 ms"), text);
        assertTrue(text.contains("40000 images/s"), text);       // 100 images / 2.5 ms
        assertTrue(text.contains("20.8x"), text);                // 2.5 / 0.12
        assertTrue(text.contains("0.6100 (at step 1000)"), text);
    }

    @Test
    void jsonSaysWhyTheGpuIsMissing() {
        Map<String, Object> j = CompareCommand.json(JOB, 10000, CPU, Side.unavailable("cuda", "no NVIDIA driver"));
        assertNull(j.get("speedup"));
        @SuppressWarnings("unchecked")
        Map<String, Object> gpu = (Map<String, Object>) j.get("gpu");
        assertEquals(false, gpu.get("available"));
        assertEquals("no NVIDIA driver", gpu.get("reason"));
        @SuppressWarnings("unchecked")
        Map<String, Object> cpu = (Map<String, Object>) j.get("cpu");
        assertEquals(2.5, (double) cpu.get("ms_per_step"), 1e-12);
        assertEquals(true, cpu.get("total_seconds_estimated"));
    }

    @Test
    void chartRendersBothDevicesAndTheCpuAlone() throws Exception {
        Path both = dir.resolve("both.png");
        CompareCommand.chart(both, JOB, CPU, GPU);
        Path alone = dir.resolve("alone.png");
        CompareCommand.chart(alone, JOB, CPU, Side.unavailable("cuda", "no driver"));
        for (Path p : new Path[] {both, alone}) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertNotNull(img, p + " decodes");
            assertEquals(Charts.WIDTH, img.getWidth());
            assertTrue(Files.size(p) > 5000, p + " is not blank");
        }
    }

    @Test
    void deviceNamesTheGpuSide() {
        assertEquals("cuda", CompareCommand.gpuSpec("auto"));
        assertEquals("cuda:1", CompareCommand.gpuSpec(" CUDA:1 "));
        assertThrows(IllegalArgumentException.class, () -> CompareCommand.gpuSpec("cpu"));
    }

    @Test
    void aSimulatedGpuShowsLossAndAccuracyButNoTimeThroughputOrSpeedUp() throws Exception {
        Table table = CompareCommand.table(JOB, 10000, CPU, SIMULATED);
        String text = table.text();
        assertTrue(text.contains("cuda:0 jgrad CUDA simulator (sm_90) (SIMULATED)"), text);
        assertTrue(text.contains("0.2500") && text.contains("0.9350"), text);  // what the simulator proves
        for (String figure : new String[] {"0.120 ms", "1.20 s", "83333", "20.8x"}) {
            assertFalse(text.contains(figure), figure + " in\n" + text);
        }
        for (String row : new String[] {"time per step", "total time", "throughput", "speed-up"}) {
            String line = text.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow();
            assertTrue(line.endsWith(CompareCommand.NOT_TIMED), line);
        }
        assertTrue(table.markdown().contains(CompareCommand.NOT_TIMED), table.markdown());

        Map<String, Object> j = CompareCommand.json(JOB, 10000, CPU, SIMULATED);
        assertNull(j.get("speedup"));
        assertEquals(CompareCommand.SIMULATED_NOTE, j.get("note"));
        @SuppressWarnings("unchecked")
        Map<String, Object> gpu = (Map<String, Object>) j.get("gpu");
        assertEquals(true, gpu.get("simulated"));
        for (String field : new String[] {"ms_per_step", "total_seconds", "images_per_second"}) {
            assertTrue(gpu.containsKey(field) && gpu.get(field) == null, field + " in " + gpu);
        }
        assertEquals(0.935, (double) gpu.get("test_accuracy"), 1e-12);
        @SuppressWarnings("unchecked")
        Map<String, Object> cpu = (Map<String, Object>) j.get("cpu");
        assertEquals(false, cpu.get("simulated"));

        Path png = dir.resolve("simulated.png");
        CompareCommand.chart(png, JOB, CPU, SIMULATED);
        assertNotNull(ImageIO.read(png.toFile()), "the chart of the CPU alone decodes");
    }

    /** The README gives train and compare the same JIT warm-up and the same way to skip it. */
    @Test
    void noWarmupIsAnOptionOfCompareAsOfTrain() {
        CompareCommand compare = new CompareCommand();
        new CommandLine(compare).parseArgs("--no-warmup", "--steps", "5");
        assertTrue(compare.noWarmup);
    }
}
