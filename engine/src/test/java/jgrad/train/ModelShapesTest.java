package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.io.ByteMutator;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import jgrad.optim.Optimizer;
import jgrad.tensor.SizeLimitException;
import jgrad.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link ModelShapes} describes each model without building it; here every model is built for
 * real, with every optimizer, and must have exactly the described tensors in the described order,
 * so that the description used to check checkpoints cannot drift from the builders.
 */
class ModelShapesTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);
    private static final ImageShape CIFAR = new ImageShape(3, 32, 32);

    private static TrainConfig config(String model, int[] hidden, boolean batchNorm, float dropout, String stem,
                                      String optimizer) {
        return TrainConfig.builder().model(model).steps(1).batchSize(10).lr(0.01f).optimizer(optimizer)
                .activation(TrainConfig.defaultActivation(model)).init(TrainConfig.defaultInit(model)).hidden(hidden)
                .dropout(dropout).batchNorm(batchNorm).seed(7L).logEvery(1).stem(stem).build();
    }

    private static List<String> described(Map<String, int[]> shapes) {
        List<String> out = new ArrayList<>();
        shapes.forEach((name, shape) -> out.add(name + java.util.Arrays.toString(shape)));
        return out;
    }

    private static List<String> described(List<Parameter> params, String prefix) {
        List<String> out = new ArrayList<>();
        params.forEach(p -> out.add(prefix + p.name() + java.util.Arrays.toString(p.tensor().shape())));
        return out;
    }

    /** The built model's tensors (and its optimizer's) against the description, name by name, in order. */
    private static void assertDescribed(TrainConfig cfg, ImageShape input, int classes) {
        ModelShapes shapes = ModelShapes.of(cfg, input, classes);
        String what = cfg.model() + " hidden " + java.util.Arrays.toString(cfg.hidden()) + " bn " + cfg.batchNorm()
                + " stem " + cfg.stem() + " on " + input + ", " + cfg.optimizer();
        try (Sequential model = Trainer.buildModel(cfg, CpuDevice.get(), input, classes);
             Optimizer optimizer = Optimizer.create(cfg.optimizer(), model.parameters(), cfg.lr(), cfg.weightDecay())) {
            assertEquals(described(model.parameters(), ""), described(shapes.parameters()), what + ": parameters");
            assertEquals(described(model.buffers(), ""), described(shapes.buffers()), what + ": buffers");
            Map<String, int[]> live = new LinkedHashMap<>();
            model.parameters().forEach(p -> live.put("model." + p.name(), p.tensor().shape()));
            model.buffers().forEach(p -> live.put("model." + p.name(), p.tensor().shape()));
            for (Map.Entry<String, Tensor> e : optimizer.state().entrySet()) {
                live.put("optimizer." + e.getKey(), e.getValue().shape());
            }
            assertEquals(described(live), described(shapes.checkpointTensors(cfg.optimizer())), what + ": checkpoint");
        }
    }

    @Test
    void mlpsOfEveryDepthWithAndWithoutBatchNormAndDropout() {
        for (int[] hidden : new int[][] {{5}, {7, 3}, {4, 6, 2}}) {
            for (boolean batchNorm : new boolean[] {false, true}) {
                for (String optimizer : List.of("sgd", "momentum", "adagrad", "adam")) {
                    assertDescribed(config("mlp", hidden, batchNorm, batchNorm ? 0.3f : 0f, "seed", optimizer), MNIST,
                            10);
                }
            }
        }
        assertDescribed(config("mlp", new int[] {3}, true, 0f, "seed", "adam"), ImageShape.flat(6), 4);
    }

    @Test
    void convnetsOnBothImageShapes() {
        for (int[] hidden : new int[][] {{8}, {6, 4}}) {
            assertDescribed(config("convnet", hidden, false, 0f, "seed", "adam"), MNIST, 10);
            assertDescribed(config("convnet", hidden, false, 0f, "seed", "momentum"), CIFAR, 10);
        }
    }

    /** The book's DeepConvNet: its dropout layers hold no tensors, the pad-2 conv makes MNIST's flat width 1024. */
    @Test
    void deepConvNetsOnBothImageShapes() {
        for (int[] hidden : new int[][] {{50}, {6, 4}}) {
            assertDescribed(config("deepconvnet", hidden, false, 0f, "seed", "adam"), MNIST, 10);
            assertDescribed(config("deepconvnet", hidden, false, 0f, "seed", "momentum"), CIFAR, 10);
        }
        assertDescribed(config("deepconvnet", new int[] {5}, false, 0f, "seed", "sgd"), new ImageShape(1, 4, 4), 3);
        ModelShapes book = ModelShapes.of(config("deepconvnet", new int[] {50}, false, 0f, "seed", "adam"), MNIST, 10);
        assertEquals("[1024, 50]", java.util.Arrays.toString(book.parameters().get("fc1.weight")));
        long weights = book.parameters().values().stream().mapToLong(s -> java.util.Arrays.stream(s)
                .asLongStream().reduce(1, (a, b) -> a * b)).sum();
        assertEquals(123_552, weights, "conv 160+2320+4640+9248+18496+36928, affine 51250+510");
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> ModelShapes.of(
                config("deepconvnet", new int[] {50}, false, 0f, "seed", "adam"), new ImageShape(1, 3, 3), 10));
        assertTrue(small.getMessage().contains("at least 4x4"), small.getMessage());
    }

    @Test
    void resNetsWithBothStems() {
        for (String stem : List.of("seed", "cifar")) {
            assertDescribed(config("resnet8", new int[] {100}, false, 0f, stem, "momentum"), MNIST, 10);
            assertDescribed(config("resnet8", new int[] {100}, false, 0f, stem, "sgd"), CIFAR, 10);
        }
        assertDescribed(config("resnet18", new int[] {100}, false, 0f, "seed", "sgd"), MNIST, 10);
    }

    /** Two hidden layers of 2^20 (each width allowed) make a 2^40-element weight: refused, and nothing allocated. */
    @Test
    void aLayerPastOneArrayIsASizeLimitBeforeAnythingIsAllocated() {
        TrainConfig huge = config("mlp", new int[] {TrainConfig.MAX_WIDTH, TrainConfig.MAX_WIDTH}, false, 0f, "seed",
                "sgd");
        long before = ByteMutator.allocatedBytes();
        SizeLimitException e = assertThrows(SizeLimitException.class, () -> ModelShapes.of(huge, MNIST, 10));
        assertTrue(ByteMutator.allocatedBytes() - before < 1 << 20, "allocated while describing");
        assertTrue(e.getMessage().contains("[1048576, 1048576] exceeds 2^31 elements"), e.getMessage());
    }
}
