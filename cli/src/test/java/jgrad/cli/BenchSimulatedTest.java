package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rows of a simulated GPU: the case runs once, and neither the row nor the table carries a figure. */
class BenchSimulatedTest {
    private static final BenchTarget SIM = BenchTarget.of("cuda:0", "own PTX", null, Peak.NONE, false, true);

    @Test
    void aCaseRunsOnceThenWaitsForTheDeviceAndItsRowHasNoFigure() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger syncs = new AtomicInteger();
        BenchResult row = BenchSimulated.once("ops", SIM, "copy, 64K floats", "GB/s", () -> {
            assertEquals(0, syncs.get(), "the call comes before the wait");
            calls.incrementAndGet();
        }, syncs::incrementAndGet);
        assertEquals(1, calls.get());
        assertEquals(1, syncs.get());
        assertEquals(BenchResult.SIMULATED, row.status());
        assertFalse(row.ok());
        for (Double figure : new Double[] {row.value(), row.medianMs(), row.minMs(), row.maxMs(), row.peakFraction()}) {
            assertNull(figure, row.toString());
        }
        assertTrue(row.note().startsWith("simulated"), row.note());
    }

    @Test
    void aCaseThatThrowsIsLeftToTheCallersFailRow() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> BenchSimulated.once("gemm", SIM, "64x64x64 NN",
                "GFLOP/s", () -> {
                    throw new IllegalStateException("CUDA_ERROR_ILLEGAL_ADDRESS");
                }, () -> {}));
        assertEquals("FAIL", BenchResult.from(e, "gemm", SIM, "64x64x64 NN", "GFLOP/s").status());
    }

    @Test
    void theTableSaysSimulatedWhereAFigureWouldBe() {
        BenchResult row = BenchResult.simulated("gemm", "cuda:0", "own PTX", "64x64x64 NN", "GFLOP/s",
                BenchSimulated.NOTE);
        String table = BenchCommand.table(List.of(row)).text();
        String line = table.lines().filter(l -> l.contains("64x64x64 NN")).findFirst().orElseThrow();
        assertTrue(line.contains("SIMULATED") && line.contains("not timed"), line);
        assertFalse(line.replace("64x64x64", "").replace("cuda:0", "").matches(".*\\d.*"),
                "no number but the case's own: " + line);
    }

    @Test
    void resnet18IsTrainedAsTheSmallerResnet8WithTheReasonAndOtherJobsAsThemselves() {
        BenchSimulated.TrainCase resnet = BenchSimulated.train("resnet18");
        assertEquals("resnet8", resnet.model());
        assertTrue(resnet.note().contains("in place of resnet18"), resnet.note());
        BenchSimulated.TrainCase mlp = BenchSimulated.train("mlp");
        assertEquals("mlp", mlp.model());
        assertNull(mlp.note());
        assertTrue(mlp.steps() >= 2, "a second step uses the optimizer state");
        assertEquals(mlp.batch() * mlp.steps(), mlp.examples());
    }
}
