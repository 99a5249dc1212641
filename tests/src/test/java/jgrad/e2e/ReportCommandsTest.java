package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** devices, bench and compare through the CLI, on whatever machine runs the tests (GPU or not). */
@Timeout(300)
class ReportCommandsTest {
    @TempDir
    Path tmp;

    private static JsonNode devicesJson() throws Exception {
        Cli r = Cli.run("devices", "--json");
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void devicesPrintsTheCpuAndWhyThereIsNoGpu() throws Exception {
        JsonNode j = devicesJson();
        Cli r = Cli.run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("CPU\n  model"), r.out());
        assertTrue(r.out().contains("-bit vectors"), r.out());
        boolean nvml = j.at("/nvml/available").asBoolean();
        boolean cuda = j.at("/cuda/available").asBoolean();
        if (!nvml && !cuda) {
            String line = r.out().lines().filter(l -> l.startsWith("GPU: none usable")).findFirst().orElse("");
            assertTrue(line.contains(j.at("/nvml/reason").asText()), r.out());
            assertTrue(line.contains(j.at("/cuda/reason").asText()), r.out());
        } else {
            assertTrue(r.out().contains("Driver Version: "), r.out());
        }
    }

    @Test
    void devicesJsonHasEverySection() throws Exception {
        JsonNode j = devicesJson();
        assertFalse(j.at("/cpu/model").asText().isBlank());
        assertTrue(j.at("/cpu/logical_cores").asInt() >= 1);
        assertTrue(j.at("/cpu/simd_bits").asInt() >= 64);
        for (String section : new String[] {"/nvml", "/cuda"}) {
            JsonNode s = j.at(section);
            assertTrue(s.has("available"), section);
            assertTrue(s.get("available").asBoolean() || !s.get("reason").asText().isBlank(),
                    section + " unavailable without a reason: " + s);
        }
        assertEquals(0, j.get("selftest").size());
    }

    @Test
    void selftestPassesOnTheCpuAndSaysWhyGpuProvidersAreSkipped() throws Exception {
        Cli r = Cli.run("devices", "--selftest", "--json");
        JsonNode tests = new ObjectMapper().readTree(r.out()).get("selftest");
        assertEquals("CPU", tests.get(0).get("provider").asText());
        assertEquals("PASS", tests.get(0).get("status").asText(), tests.toString());
        assertEquals(4, tests.size(), tests.toString());
        boolean anyFail = false;
        for (JsonNode t : tests) {
            assertFalse(t.get("detail").asText().isBlank(), t.toString());
            anyFail |= t.get("status").asText().equals("FAIL");
        }
        assertEquals(anyFail ? 1 : 0, r.code(), r.err());
    }

    @Test
    void benchOpsOnTheCpuWritesJsonAndMarkdown() throws Exception {
        Path json = tmp.resolve("bench.json");
        Path md = tmp.resolve("bench.md");
        Cli r = Cli.run("bench", "--suite", "ops", "--device", "cpu", "--quick", "--repeats", "1", "--json",
                json.toString(), "--markdown", md.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ops (GB/s; ms per call)"), r.out());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals("ops", j.at("/suites/0").asText());
        assertTrue(j.get("header").size() >= 2);
        JsonNode results = j.get("results");
        assertTrue(results.size() >= 9, results.toString());
        for (JsonNode row : results) {
            for (String field : new String[] {"suite", "device", "provider", "item", "unit", "value", "median_ms",
                "min_ms", "max_ms", "peak_fraction", "status", "note"}) {
                assertTrue(row.has(field), field + " in " + row);
            }
            // A busy test machine may leave a case unsettled: then it has its times but no figure.
            String status = row.get("status").asText();
            assertTrue(status.equals("OK") || status.equals("UNSETTLED"), row.toString());
            assertEquals("cpu", row.get("device").asText());
            assertEquals("GB/s", row.get("unit").asText());
            assertTrue(status.equals("OK") ? row.get("value").asDouble() > 0 : row.get("value").isNull(),
                    row.toString());
            assertTrue(row.get("min_ms").asDouble() <= row.get("median_ms").asDouble()
                    && row.get("median_ms").asDouble() <= row.get("max_ms").asDouble(), row.toString());
            assertTrue(row.get("peak_fraction").isNull(), "the CPU has no peak: " + row);
        }
        String markdown = Files.readString(md);
        assertTrue(markdown.contains("## ops (GB/s; ms per call)"), markdown);
        assertTrue(markdown.contains("| cpu | cpu | copy, 1M floats |"), markdown);
    }

    @Test
    void memorySuiteWithoutAGpuIsASkipWithTheReason() {
        Cli r = Cli.run("bench", "--suite", "memory", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SKIP") && r.out().contains("need a CUDA device"), r.out());
    }

    @Test
    void unknownSuiteIsAUsageError() {
        Cli r = Cli.run("bench", "--suite", "gemm,fft");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown --suite 'fft'"), r.err());
    }

    @Test
    void compareRunsTheCpuSideAndSaysWhyNoGpu() throws Exception {
        Cli.requireMnist();
        Path out = tmp.resolve("cmp");
        Cli r = Cli.run("compare", "--steps", "200", "--cpu-steps", "50", "--log-every", "50", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (String row : new String[] {"time per step", "total time", "throughput", "final loss", "test accuracy",
            "speed-up"}) {
            assertTrue(r.out().contains(row), row + " in " + r.out());
        }
        assertTrue(r.out().contains("50 of 200"), r.out());
        JsonNode j = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertTrue(j.at("/cpu/ms_per_step").asDouble() > 0);
        assertTrue(j.at("/cpu/total_seconds_estimated").asBoolean());
        if (j.at("/gpu/available").asBoolean()) {
            assertTrue(j.get("speedup").asDouble() > 0);
        } else {
            String reason = j.at("/gpu/reason").asText();
            assertFalse(reason.isBlank());
            assertTrue(r.out().contains("GPU: unavailable (cuda): " + reason), r.out());
        }
        BufferedImage png = ImageIO.read(out.resolve("compare.png").toFile());
        assertNotNull(png, "compare.png decodes");
        assertTrue(png.getWidth() >= 800 && png.getHeight() >= 400);
        assertTrue(Files.readString(out.resolve("compare.md")).contains("| time per step |"));
    }

    @Test
    void trainOutDrawsTheAccuracyCurve() throws Exception {
        Cli.requireMnist();
        Path out = tmp.resolve("run");
        Cli r = Cli.run("train", "--device", "cpu", "--epochs", "2", "--batch-size", "200", "--log-every", "150",
                "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy.png"), r.out());
        // Not a terminal: one plain progress line per log point, with throughput and ETA.
        assertTrue(r.out().lines().anyMatch(l -> l.matches("step +150/600  loss \\d\\.\\d{4}  \\d+ images/s  ETA \\d+:\\d\\d:\\d\\d")),
                r.out());
        BufferedImage png = ImageIO.read(out.resolve("accuracy.png").toFile());
        assertNotNull(png, "accuracy.png decodes");
        assertTrue(png.getWidth() >= 800);
    }

    @Test
    void compareDeviceNamesTheGpuSide() {
        Cli r = Cli.run("compare", "--device", "cpu", "--steps", "10");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--device names the GPU"), r.err());
    }
}
