package jgrad.train;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jgrad.cpu.CpuDevice;
import jgrad.io.AtomicFiles;

/**
 * The child JVM of {@link CheckpointKillTest}. Modes:
 * <ul>
 *   <li>{@code train DIR}: resumes from DIR's checkpoint if there is one, prints {@code started <step>},
 *       then trains epoch after epoch (one step each), writing a ~10 MB checkpoint after every epoch,
 *       until it is killed; prints {@code writing} as it starts its first checkpoint;</li>
 *   <li>{@code hold FILE}: starts an {@link AtomicFiles#write} of FILE, prints {@code writing} mid-body,
 *       waits for a line on stdin, then completes the write and prints {@code done}.</li>
 * </ul>
 */
public final class CheckpointWriterProcess {
    /** As many epochs as it takes: the parent kills the child long before the end. */
    static final TrainConfig CONFIG = config(100_000);

    private CheckpointWriterProcess() {}

    /** Adam on a 784-1024-10 MLP: weights plus two moment buffers, ~9.8 MB per checkpoint. */
    static TrainConfig config(int epochs) {
        return TrainConfig.builder().steps(0).epochs(epochs).batchSize(2).lr(0.001f).optimizer("adam")
                .activation("relu").init("he").hidden(1024).seed(5L).build();
    }

    /** Two random images, trained on as one batch (one step per epoch) and evaluated on: cheap, so writes dominate. */
    static TrainData data() {
        int n = 2;
        java.util.SplittableRandom r = new java.util.SplittableRandom(8);
        float[] x = new float[n * 784];
        float[] y = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256) / 255f;
        }
        for (int i = 0; i < n; i++) {
            y[i] = i;
        }
        return new TrainData(x, y, n, x.clone(), y.clone(), n, 784, 10);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "train" -> {
                Checkpoint resume = Files.exists(path.resolve(Checkpoint.FILE)) ? Checkpoint.read(path) : null;
                Trainer.train(CONFIG, CpuDevice.get(), data(), new Trainer.Listener() {
                    private boolean announced;

                    @Override
                    public void onStart(int totalSteps) {
                        out.println("started " + (resume == null ? 0 : resume.step()));
                    }

                    // Called just before the epoch's checkpoint is written. Only once: a pipe the parent
                    // does not drain would block the child in println, where kills would then land.
                    @Override
                    public void onEpoch(EpochStats epoch, int totalEpochs) {
                        if (!announced) {
                            announced = true;
                            out.println("writing");
                        }
                    }
                }, new RunOptions(path, resume, 0, "{}"));
                out.println("finished"); // not reached: the parent kills it first
            }
            case "hold" -> {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                AtomicFiles.write(path, stream -> {
                    stream.write("from the child".getBytes(StandardCharsets.UTF_8));
                    stream.flush();
                    out.println("writing");
                    in.readLine();
                });
                out.println("done");
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** Starts this class in a new JVM (the same java binary and class path), stderr appended to {@code log}. */
    static Process start(String mode, Path arg, Path log) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        // No logging backend: starting logback would cost each child ~0.4 s of its short life.
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx512m",
                "-XX:+UseSerialGC", "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
                "-cp", System.getProperty("java.class.path"),
                CheckpointWriterProcess.class.getName(), mode, arg.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
