package jgrad.cli;

import java.nio.file.Path;
import jgrad.train.TrainConfig;
import picocli.CommandLine.Option;

/** The options shared by train (and later compare): the job, its hyper-parameters and outputs. */
final class TrainOptions {
    @Option(names = "--model", defaultValue = "mlp", description = "Network: mlp (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--steps", defaultValue = "10000",
            description = "Optimizer steps, minibatches sampled with replacement (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--epochs", defaultValue = "0",
            description = "Train for N passes over the reshuffled training set instead of --steps.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "100", description = "Minibatch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr",
            description = "Learning rate (default: sgd 0.1 as the seed, momentum 0.01, adagrad 0.01, adam 0.001).")
    Float lr;

    @Option(names = "--optimizer", defaultValue = "sgd",
            description = "sgd, momentum, adagrad or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--activation", defaultValue = "sigmoid",
            description = "Hidden activation: sigmoid, relu or tanh (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--init", defaultValue = "std",
            description = "Weight init: std (0.01·N(0,1)), xavier or he (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--hidden", defaultValue = "100", split = ",",
            description = "Hidden layer widths, comma-separated (default: ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay λ on weights (default: 0).")
    float weightDecay;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout probability after each hidden layer.")
    float dropout;

    @Option(names = "--batch-norm", description = "Batch normalisation after each hidden affine layer.")
    boolean batchNorm;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--log-every", defaultValue = "1000", description = "Steps between loss lines (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--device", defaultValue = "auto",
            description = "cpu, cuda, cuda:N or auto: CUDA when usable, else cpu with the reason logged (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--kernels", defaultValue = "auto",
            description = "CUDA kernels: auto (cuBLAS/cuDNN where they load, own PTX kernels otherwise), own (only the "
                    + "own PTX kernels) or vendor (fail without cuBLAS and cuDNN). Only auto with --device cpu.")
    String kernels;

    @Option(names = "--tf32", description = "Let cuBLAS/cuDNN use TF32 tensor cores (faster, ~1e-3 relative error); "
            + "ignored on the CPU.")
    boolean tf32;

    /** The device chosen by --device, --kernels and --tf32. */
    jgrad.device.Devices.Selection selectDevice() {
        return jgrad.device.Devices.select(device, jgrad.device.KernelChoice.parse(kernels), tf32);
    }

    @Option(names = "--data-dir", description = "Data directory (default: $JGRAD_DATA or ~/.cache/jgrad).")
    Path dataDir;

    TrainConfig config() {
        jgrad.optim.Optimizer.checkName(optimizer);
        float rate = lr != null ? lr : jgrad.optim.Optimizer.defaultLearningRate(optimizer);
        return new TrainConfig(model, steps, epochs, batchSize, rate, optimizer, activation, init, hidden, weightDecay,
                dropout, batchNorm, seed, logEvery);
    }
}
