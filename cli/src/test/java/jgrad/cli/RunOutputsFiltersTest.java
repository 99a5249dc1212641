package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jgrad.cpu.CpuDevice;
import jgrad.io.Safetensors;
import jgrad.train.Checkpoint;
import jgrad.train.RunOptions;
import jgrad.train.StepBench;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.TrainResult;
import jgrad.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * filters.png's weights: after an epoch (no model in the snapshot) those of the checkpoint written
 * beside it, at the end those of the final model; none for the MLP.
 */
class RunOutputsFiltersTest {
    @TempDir
    Path tmp;

    private static TrainConfig job(String model) {
        return TrainConfig.builder().model(model).steps(0).epochs(2).batchSize(10).lr(0.001f).optimizer("adam")
                .activation("relu").init("he").hidden(TrainConfig.defaultHidden(model)).seed(3L).logEvery(1).build();
    }

    @Test
    void snapshotsDrawTheCheckpointsFiltersAndTheEndTheFinalModels() throws IOException {
        TrainData data = StepBench.syntheticMnist(20, 4);
        TrainConfig cfg = job("deepconvnet");
        Path dir = tmp.resolve("run");
        List<FilterGrid.Panel> snapshots = new ArrayList<>();
        List<float[]> stored = new ArrayList<>();
        TrainResult end = Trainer.train(cfg, CpuDevice.get(), data, new Trainer.Listener() {
            @Override
            public void atCheckpoint(Supplier<TrainResult> write) {
                TrainResult soFar = write.get();
                assertNull(soFar.model(), "an epoch's snapshot holds no model");
                try {
                    snapshots.add(RunOutputs.firstLayer(dir, cfg, soFar, data));
                    stored.add(Safetensors.readF32(dir.resolve(Checkpoint.FILE), java.util.Set.of("model.conv1.weight"))
                            .get("model.conv1.weight").data());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, new RunOptions(dir, null, 0, "{}"));
        assertEquals(2, snapshots.size(), "one per epoch");
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(new int[] {16, 1, 3, 3}, snapshots.get(i).shape());
            assertArrayEquals(stored.get(i), snapshots.get(i).weights(), "epoch " + (i + 1) + ": the checkpoint's");
            assertEquals("conv1.weight: 16 filters of 1×3×3 after " + (i + 1) * 2 + " steps", snapshots.get(i).heading());
        }
        assertFalse(java.util.Arrays.equals(snapshots.get(0).weights(), snapshots.get(1).weights()), "they train");
        FilterGrid.Panel last = RunOutputs.firstLayer(dir, cfg, end, data);
        assertNotNull(end.model());
        float[] live = end.model().parameters().get(0).tensor().toArray();
        assertEquals("conv1.weight", end.model().parameters().get(0).name());
        assertArrayEquals(live, last.weights(), "the final model's");
        assertArrayEquals(stored.get(1), live, "which the last checkpoint holds too");
        assertTrue(last.rows() == 2 && last.columns() == 8, "16 filters: two rows of 8");
        assertNull(RunOutputs.firstLayer(dir, job("mlp"), end, data), "the MLP has no filters to draw");
    }
}
