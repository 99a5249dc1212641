package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jgrad.data.ImageShape;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run folder holds checkpoint.safetensors next to model.safetensors, and a user easily gives the
 * wrong one to eval --weights or train --init-from: the error must say that it is a checkpoint and
 * where it goes, not that its format or its 'model' metadata is wrong.
 */
class TorchWeightsGivenACheckpointTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointGivenAsWeightsIsNamedAsSuch() throws IOException {
        Path file = dir.resolve("checkpoint.safetensors");
        Safetensors.write(file, List.of(new NamedTensor("model.fc1.weight", new int[] {784, 100}, new float[78400])),
                Map.of("format", "jgrad-checkpoint/2"));
        ModelShapes shapes = ModelShapes.of(TrainConfig.seedDefaults(), new ImageShape(1, 28, 28), 10);
        List<Executable> calls = List.of(() -> TorchWeights.read(file, shapes), () -> TorchWeights.describedConfig(file));
        for (Executable call : calls) {
            CheckpointException e = assertThrows(CheckpointException.class, call);
            assertTrue(e.getMessage().contains(file + " is a training checkpoint (jgrad-checkpoint/2), not a model "
                    + "file"), e.getMessage());
            assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains("eval --checkpoint")
                    && e.getMessage().contains("model.safetensors"), e.getMessage());
        }
    }
}
