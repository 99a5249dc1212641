package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The exported model's description, which ONNX tools show to whoever opens the file. */
class ExportCommandTest {
    @Test
    void descriptionCountsEpochsAndStepsInWords() {
        assertEquals("A jgrad mlp trained on mnist (1 epoch, 600 steps), exported in eval mode from "
                + "checkpoint.safetensors.", ExportCommand.description("mlp", "mnist", 1, 600,
                Path.of("checkpoint.safetensors")));
        assertEquals("A jgrad convnet trained on cifar10 (3 epochs, 1 step), exported in eval mode from c.safetensors.",
                ExportCommand.description("convnet", "cifar10", 3, 1, Path.of("c.safetensors")));
    }
}
