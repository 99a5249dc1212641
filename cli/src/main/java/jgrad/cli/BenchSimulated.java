package jgrad.cli;

import java.util.List;
import jgrad.cpu.SgemmBench.Shape;

/**
 * The bench on a simulated GPU (the jgrad CUDA simulator, kernels/sim). The simulator interprets
 * PTX on the CPU, thousands of times slower than a GPU, and its event times are host wall-clock
 * time, so nothing measured on it is a GPU figure (issue 12). There each case runs once, at sizes
 * the interpreter gets through in seconds but shaped like the real cases (odd sizes and tails,
 * transposes, strides and padding), to check that every bench path works on CUDA; its row says
 * so ({@link BenchResult#SIMULATED}) and carries no figure.
 */
final class BenchSimulated {
    /** The note of every simulated row (the table's value column says SIMULATED). */
    static final String NOTE = "simulated device: ran once, not timed";

    /** GEMMs: a square one and the MLP step's three layouts (NN, TN, NT) at sizes that are no multiple of a tile. */
    static final List<Shape> GEMM_SHAPES = List.of(
            new Shape("64x64x64 NN", 64, 64, 64, false, false),
            new Shape("100x10x100 NN", 100, 10, 100, false, false),
            new Shape("70x33x50 TN", 70, 33, 50, true, false),
            new Shape("100x100x10 NT", 100, 100, 10, false, true));

    /** Convolutions with the ResNet-18 layers' kernel sizes, strides and padding, on few channels and pixels. */
    static final List<BenchConv.Layer> CONV_LAYERS = List.of(
            new BenchConv.Layer("conv1-like 7x7/2 3->8 @16", 3, 16, 8, 7, 2, 3),
            new BenchConv.Layer("3x3 8->8 @8", 8, 8, 8, 3, 1, 1),
            new BenchConv.Layer("3x3/2 8->16 @8", 8, 8, 16, 3, 2, 1),
            new BenchConv.Layer("down 1x1/2 8->16 @8", 8, 8, 16, 1, 2, 0));
    static final int CONV_BATCH = 2;

    /** Bytes per host/device copy. */
    static final long MEMORY_BYTES = 1L << 20;

    /** Elements per ops buffer: 64 rows of the sum-rows case's 1024 columns. */
    static final int OPS_ELEMENTS = 1 << 16;

    /**
     * A training case on the simulator: {@code steps} steps of {@code batch} synthetic examples,
     * which are also the test set the run ends by evaluating; {@code model} is the model trained
     * for the bench's {@code job}, and {@code note} says why when it is another one.
     */
    record TrainCase(String job, String model, int batch, int steps, String note) {
        int examples() {
            return batch * steps;
        }
    }

    /**
     * Two steps each, so the second uses the optimizer state the first made. ResNet-18 runs as
     * ResNet-8 (the same stem, basic blocks, shortcuts and batch norm): its 11 M weights make a
     * step about a minute of the simulator's PTX GEMMs and optimizer kernels, at any batch size.
     */
    static TrainCase train(String job) {
        return switch (job) {
            case "resnet18" -> new TrainCase(job, "resnet8", 2, 2, "resnet8 in place of resnet18 (same blocks, "
                    + "1% of its 11M weights, which take up to a minute per step on the simulator)");
            case "convnet" -> new TrainCase(job, job, 4, 2, null);
            default -> new TrainCase(job, job, 8, 2, null);
        };
    }

    private BenchSimulated() {}

    /**
     * Runs a case once and waits for the device; its row, without figures. An exception is left to
     * the caller, whose catch makes the case's FAIL (or SKIP) row as on a real GPU.
     */
    static BenchResult once(String suite, BenchTarget t, String item, String unit, Runnable call, Runnable sync) {
        call.run();
        sync.run();
        return BenchResult.simulated(suite, t.device(), t.provider(), item, unit, NOTE);
    }
}
