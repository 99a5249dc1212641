package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import jgrad.cli.Main;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.data.Normalization;
import jgrad.train.RunOptions;
import jgrad.train.TrainConfig;
import jgrad.train.TrainData;
import jgrad.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One row per bad command line: the exit code and a part of the message it must get. Every row is
 * refused before any data set is read (the commands check all their options first), with one
 * "jgrad CMD: error: ..." line, a line pointing at --help, nothing on stdout and no stack trace.
 * The same rows are the "CLI input" table of docs/reliability.md; {@link #docsHoldThisTable} keeps
 * the two equal (JGRAD_UPDATE_DOCS=1 rewrites the table).
 *
 * <p>Paths in the rows: $CKPT is a directory with the checkpoint of a small mlp run (hidden 3,
 * batch size 5, seed 42, sgd, 2 epochs), $FILE a regular file, $DIR an empty directory, $MISSING
 * a path that does not exist, $NEW one that does not exist yet but can be created.
 */
@Timeout(120)
class CliValidationTest {
    @TempDir
    static Path tmp;

    private static final Map<String, Path> PATHS = new LinkedHashMap<>();
    /** What each row got; the rows run once for both the assertions and the table. */
    private static final Map<Row, Cli> RESULTS = new LinkedHashMap<>();

    record Row(int exit, String message, String commandLine) {}

    private static Row row(String commandLine, String message) {
        return new Row(2, message, commandLine);
    }

    static final List<Row> ROWS = List.of(
            // ---- train: numbers (TrainConfig's checks, made before the data is read)
            row("train --steps many", "Invalid value for option '--steps': 'many' is not an int"),
            row("train --steps 99999999999", "'99999999999' is not an int"),
            row("train --steps 0", "--steps or --epochs must be positive"),
            row("train --steps -5", "--steps or --epochs must be positive"),
            row("train --epochs -1", "--steps and --epochs must not be negative"),
            row("train --epochs 0", "--epochs must be positive, got 0 (for a number of steps give --steps N)"),
            row("train --steps 100 --epochs 2", "--steps and --epochs both given"),
            // stated bounds (TrainConfig.MAX_STEPS, MAX_WIDTH, one array per tensor), before any allocation
            row("train --steps 2000000000", "--steps must be at most 100000000, got 2000000000"),
            row("train --hidden 2000000", "--hidden must be at most 100 widths of at most 1048576, got [2000000]"),
            row("train --hidden 1048576,1048576 --data-dir $NEW", "shape [1048576, 1048576] exceeds 2^31 elements"),
            row("train --batch-size 0", "--batch-size must be positive, got 0"),
            row("train --batch-size -3", "--batch-size must be positive, got -3"),
            // known from the data set's recorded size: refused before the (here absent) data is read
            row("train --batch-size 100000 --data-dir $NEW", "--batch-size 100000 exceeds the 60000 training "
                    + "examples of mnist"),
            row("train --lr 0", "--lr must be a positive number"),
            row("train --lr -0.1", "--lr must be a positive number"),
            row("train --lr NaN", "Invalid value for option '--lr': 'NaN' is not a finite number"),
            row("train --lr Infinity", "'Infinity' is not a finite number"),
            row("train --lr 1e39", "'1e39' is not a finite number"),
            row("train --lr fast", "Invalid value for option '--lr': 'fast' is not a number"),
            row("train --optimizer momentum --momentum 1", "--momentum must be in [0, 1), got 1.0"),
            row("train --optimizer momentum --momentum -0.1", "--momentum must be in [0, 1), got -0.1"),
            row("train --momentum 0.5", "--momentum applies to --optimizer momentum"),
            row("train --weight-decay -1", "--weight-decay must be >= 0"),
            row("train --weight-decay NaN", "Invalid value for option '--weight-decay': 'NaN' is not a finite number"),
            row("train --dropout 1", "--dropout must be in [0, 1), got 1.0"),
            row("train --dropout -0.1", "--dropout must be in [0, 1), got -0.1"),
            row("train --hidden 0", "--hidden needs one or more positive widths, got [0]"),
            row("train --hidden 100,-1", "--hidden needs one or more positive widths, got [100, -1]"),
            row("train --hidden 100,,50", "Invalid value for option '--hidden' (<hidden>): '' is not an int"),
            row("train --log-every 0", "--log-every must be positive, got 0"),
            row("train --patience -1", "--patience must be >= 0"),
            row("train --min-delta -0.5", "--min-delta must be >= 0"),
            row("train --min-delta 0.1", "--min-delta applies with --patience N"),
            row("train --t-max -1", "--t-max must be >= 0"),
            row("train --t-max 3", "--t-max applies to --lr-schedule cosine, not to constant"),
            row("train --seed 1.5", "Invalid value for option '--seed': '1.5' is not a long"),
            row("train --stop-after-epoch -1", "--stop-after-epoch must be >= 0"),
            row("train --stop-after-epoch 1", "--stop-after-epoch needs --out"),
            row("train --epochs 2 --stop-after-epoch 3 --out $NEW", "--stop-after-epoch 3 is past the run's last epoch"),
            // ---- train: names, each message listing the valid ones
            row("train --model gpt", "unknown --model 'gpt' (expected mlp, convnet, deepconvnet, resnet8, resnet18)"),
            row("train --dataset imagenet", "unknown --dataset 'imagenet' (expected mnist, fashion-mnist, cifar10)"),
            row("train --optimizer rmsprop", "unknown --optimizer 'rmsprop' (expected sgd, momentum, adagrad or adam)"),
            row("train --activation gelu", "unknown --activation 'gelu' (expected sigmoid, relu or tanh)"),
            row("train --init zeros", "unknown --init 'zeros' (expected std, xavier, he or a standard deviation such as 0.05)"),
            row("train --init 0", "--init 0 must be a positive, finite standard deviation"),
            row("train --lr-schedule step", "unknown --lr-schedule 'step' (expected constant or cosine)"),
            row("train --augment zoom", "unknown --augment 'zoom' (expected none or a comma list of crop, flip, rotate)"),
            row("train --normalize whiten", "unknown --normalize 'whiten' (expected none or mean-std)"),
            row("train --model resnet8 --stem imagenet", "unknown --stem 'imagenet' (expected seed or cifar)"),
            row("train --device tpu", "unknown --device 'tpu' (expected cpu, cuda, cuda:N or auto)"),
            row("train --device cuda:x", "bad --device 'cuda:x': expected cuda:N with N a GPU index >= 0"),
            row("train --device cuda:-1", "bad --device 'cuda:-1'"),
            row("train --kernels cublas", "unknown --kernels 'cublas' (expected auto, own or vendor)"),
            row("train --train-limit 0", "--train-limit must be positive (the number of images to use), got 0"),
            row("train --test-limit -3", "--test-limit must be positive (the number of images to use), got -3"),
            row("train --train-limit 70000", "--train-limit 70000 exceeds the 60000 training images of mnist"),
            row("train --train-limit 50", "--batch-size 100 exceeds the 50 training examples of mnist (--train-limit)"),
            row("train --resume $CKPT --test-limit 500", "--test-limit 500 conflicts with --resume $CKPT: its run has "
                    + "no --test-limit"),
            // ---- train: options that contradict each other or do not apply
            row("train --device cpu --kernels own", "--kernels own applies to CUDA devices only"),
            row("train --augment flip", "--augment flip is for cifar10 (and fashion-mnist)"),
            row("train --stem cifar", "--stem applies to --model resnet8 and resnet18, not to mlp"),
            row("train --on-nan ignore", "--on-nan must be stop or skip, got 'ignore'"),
            row("train --model resnet18 --hidden 50", "--hidden applies to mlp, convnet and deepconvnet, not to resnet18"),
            row("train --model convnet --batch-norm", "--dropout and --batch-norm apply to --model mlp only"),
            row("train --model deepconvnet --dropout 0.3", "--dropout and --batch-norm apply to --model mlp only "
                    + "(deepconvnet has the book's dropout 0.5 built in"),
            row("train --model resnet8 --activation sigmoid", "--model resnet8 uses ReLU"),
            // ---- train: paths
            row("train --out $FILE", "--out $FILE is a file, not a directory"),
            row("train --out $FILE/run", "--out $FILE/run: $FILE is a file, not a directory"),
            row("train --metrics-json $DIR", "--metrics-json $DIR is a directory; give a file name"),
            row("train --metrics-json $FILE/m.json", "--metrics-json $FILE/m.json: $FILE is a file, not a directory"),
            row("train --data-dir $FILE", "--data-dir $FILE is a file, not a directory"),
            // where no file can be created, whatever the permission bits say, with the system's reason
            row("train --out /proc/jgrad-run", "--out /proc/jgrad-run: cannot create files in /proc: no such file "
                    + "or directory"),
            row("train --metrics-json /sys/m.json", "--metrics-json /sys/m.json: cannot create files in /sys: "
                    + "permission denied"),
            // a folder holding another run is never silently replaced
            row("train --out $CKPT", "--out $CKPT holds another run (mlp on mnist, epoch 2 of 2); continue it with "
                    + "--resume $CKPT, replace it with --overwrite, or give another --out"),
            row("train --resume $DIR --out $CKPT", "--out $CKPT holds another run"),
            row("train --overwrite", "--overwrite needs --out"),
            row("train --resume $CKPT --out $NEW --overwrite", "--overwrite and --resume both given"),
            row("train --resume $MISSING", "--resume $MISSING: no such file or directory"),
            row("train --resume $DIR", "--resume $DIR: no checkpoint.safetensors in this directory"),
            row("train --init-from $MISSING", "--init-from $MISSING: no such file"),
            row("train --init-from $DIR", "--init-from $DIR is not a file (give the .safetensors file itself)"),
            row("train --init-from $FILE --resume $CKPT", "--init-from and --resume both given"),
            // ---- train --resume: what the checkpoint's run cannot change
            row("train --resume $CKPT --model convnet", "--model convnet conflicts with --resume $CKPT: its run has "
                    + "--model mlp"),
            row("train --resume $CKPT --hidden 4", "--hidden 4 conflicts with --resume $CKPT: its run has --hidden 3"),
            row("train --resume $CKPT --activation relu", "--activation relu conflicts with --resume $CKPT"),
            row("train --resume $CKPT --batch-norm", "--batch-norm true conflicts with --resume $CKPT"),
            row("train --resume $CKPT --dropout 0.5", "--dropout 0.5 conflicts with --resume $CKPT: its model has no "
                    + "dropout layers"),
            row("train --resume $CKPT --optimizer adam", "--optimizer adam conflicts with --resume $CKPT: its run has "
                    + "--optimizer sgd"),
            row("train --resume $CKPT --batch-size 10", "--batch-size 10 conflicts with --resume $CKPT"),
            row("train --resume $CKPT --seed 7", "--seed 7 conflicts with --resume $CKPT: its run has --seed 42"),
            row("train --resume $CKPT --steps 100", "--steps conflicts with --resume $CKPT: its run counts --epochs (2)"),
            row("train --resume $CKPT --normalize mean-std", "--normalize cannot change on --resume"),
            row("train --resume $CKPT --epochs 1", "--epochs 1 is less than the 2 epochs the checkpoint in $CKPT has done"),
            row("train --resume $CKPT --epochs 0", "--epochs must be positive, got 0"),
            // ---- parsing (picocli), in the same one-line form
            row("train --bogus", "Unknown option: '--bogus'"),
            row("train --lrr 0.1", "(did you mean --lr or --lr-schedule?)"),
            row("train --steps", "Missing required parameter for option '--steps'"),
            row("train extra", "Unmatched argument at index 1: 'extra'"),
            row("frobnicate", "'frobnicate' is not a jgrad command; the commands are train, "),
            row("trian", "'trian' is not a jgrad command; did you mean train"),
            row("help frobnicate", "Unknown subcommand 'frobnicate'"),
            // ---- eval
            row("eval", "give --checkpoint DIR (a run) or --weights FILE (a model.safetensors)"),
            row("eval --weights $MISSING", "--weights $MISSING: no such file"),
            row("eval --weights $FILE --checkpoint $CKPT", "--checkpoint and --weights both given: give one"),
            row("eval --checkpoint $MISSING", "--checkpoint $MISSING: no such file or directory"),
            row("eval --checkpoint $DIR", "--checkpoint $DIR: no checkpoint.safetensors in this directory"),
            row("eval --checkpoint $CKPT --dataset imagenet", "unknown --dataset 'imagenet'"),
            row("eval --checkpoint $CKPT --dataset cifar10", "--dataset cifar10 (3×32×32 images, 10 classes) does not "
                    + "fit this checkpoint's model, trained on mnist (1×28×28, 10 classes)"),
            row("eval --checkpoint $CKPT --device tpu", "unknown --device 'tpu'"),
            row("eval --checkpoint $CKPT --data-dir $FILE", "--data-dir $FILE is a file, not a directory"),
            row("eval --checkpoint $CKPT --metrics-json $DIR", "--metrics-json $DIR is a directory"),
            row("eval --checkpoint $CKPT --kernels own", "Unknown options: '--kernels', 'own'"),
            // ---- export
            row("export --checkpoint $CKPT --format tflite --out $DIR/m.onnx", "unknown --format 'tflite' (expected onnx)"),
            row("export --checkpoint $MISSING --format onnx --out $DIR/m.onnx",
                    "--checkpoint $MISSING: no such file or directory"),
            row("export --checkpoint $CKPT --format onnx --out $DIR", "--out $DIR is a directory; give a file name"),
            row("export --checkpoint $CKPT --format onnx --out $FILE/m.onnx", "is a file, not a directory"),
            row("export --checkpoint $CKPT --format onnx", "Missing required option: '--out=FILE'"),
            // ---- gradcheck
            row("gradcheck --examples 0", "--examples must be at least 1, got 0"),
            row("gradcheck --on-nan skip", "--on-nan does not apply to gradcheck"),
            row("gradcheck --coordinates -1", "--coordinates must be at least 1, got -1"),
            row("gradcheck --h 0", "--h must be positive, got 0.0"),
            row("gradcheck --tolerance NaN", "Invalid value for option '--tolerance': 'NaN' is not a finite number"),
            row("gradcheck --model convnet", "gradcheck supports --model mlp only"),
            row("gradcheck --lr 0.1", "--lr does not apply to gradcheck"),
            row("gradcheck --train-limit 5", "--train-limit does not apply to gradcheck"),
            row("gradcheck --device cuda", "--device does not apply to gradcheck"),
            row("gradcheck --hidden 0", "--hidden needs one or more positive widths"),
            // ---- compare
            row("compare --device cpu", "compare always runs the CPU side; --device names the GPU"),
            row("compare --device tpu", "unknown --device 'tpu'"),
            row("compare --cpu-steps 0", "--cpu-steps must be at least 1, got 0"),
            row("compare --json $DIR", "--json $DIR is a directory; give a file name"),
            row("compare --markdown $FILE/c.md", "--markdown $FILE/c.md: $FILE is a file, not a directory"),
            row("compare --out $FILE", "--out $FILE is a file, not a directory"),
            row("compare --lr -1", "--lr must be a positive number"),
            row("compare --steps 10 --epochs 1", "--steps and --epochs both given"),
            // ---- bench
            row("bench --suite fft", "unknown --suite 'fft' (expected gemm, conv, memory, ops, train or all)"),
            row("bench --repeats 0", "--repeats must be at least 1, got 0"),
            row("bench --repeats 100000", "--repeats must be at most 1000"),
            row("bench --device tpu", "unknown --device 'tpu'"),
            row("bench --json $DIR", "--json $DIR is a directory; give a file name"),
            row("bench --markdown $FILE/b.md", "--markdown $FILE/b.md: $FILE is a file, not a directory"),
            // ---- experiment
            row("experiment", "Missing required parameter: 'NAME'"),
            row("experiment mnist", "unknown experiment 'mnist' (expected xor, iris, gd, optimizers, init, batchnorm, "
                    + "overfit, hyperparams, filters)"),
            row("experiment xr", "unknown experiment 'xr' (expected xor, iris, gd, optimizers, init, batchnorm, overfit, "
                    + "hyperparams, filters) (did you mean xor?)"),
            row("experiment optimizer", "unknown experiment 'optimizer' (expected xor, iris, gd, optimizers, init, "
                    + "batchnorm, overfit, hyperparams, filters) (did you mean optimizers?)"),
            row("experiment xor --device tpu", "unknown --device 'tpu'"),
            row("experiment xor --seed 1.5", "Invalid value for option '--seed': '1.5' is not a long"),
            row("experiment xor --out $FILE", "--out $FILE is a file, not a directory"),
            row("experiment overfit --data-dir $FILE", "--data-dir $FILE is a file, not a directory"),
            // ---- devices
            row("devices --json-file $DIR", "--json-file $DIR is a directory; give a file name"),
            row("devices --selftest=maybe", "Invalid value for option '--selftest': 'maybe' is not a boolean"),
            // ---- data
            row("data", "Missing required subcommand"),
            row("data fetch", "Missing required parameter: 'DATASET'"),
            row("data fetch imagenet", "unknown DATASET 'imagenet' (expected mnist, fashion-mnist, cifar10)"),
            row("data fetch mnist --data-dir $FILE", "--data-dir $FILE is a file, not a directory"),
            row("data verify imagenet", "unknown DATASET 'imagenet'"),
            row("data verify mnist --data-dir $FILE", "--data-dir $FILE is a file, not a directory"),
            row("data import", "Missing required parameter: 'PATH'"),
            row("data import $MISSING", "PATH $MISSING: no such file or directory"),
            row("data import $DIR --data-dir $FILE", "--data-dir $FILE is a file, not a directory"));

    @BeforeAll
    static void paths() throws IOException {
        PATHS.put("$CKPT", tmp.resolve("ckpt"));
        PATHS.put("$FILE", Files.writeString(tmp.resolve("file.txt"), "not a directory"));
        PATHS.put("$DIR", Files.createDirectories(tmp.resolve("empty")));
        PATHS.put("$MISSING", tmp.resolve("missing"));
        PATHS.put("$NEW", tmp.resolve("new"));
        writeCheckpoint(PATHS.get("$CKPT"));
    }

    /**
     * A real checkpoint, written by the trainer: two epochs of an mlp on 10 synthetic 28×28 images,
     * described as MNIST (no data set is read by any row).
     */
    static void writeCheckpoint(Path dir) {
        SplittableRandom r = new SplittableRandom(1);
        int train = 10;
        int test = 2;
        float[] x = new float[(train + test) * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        float[] y = new float[train + test];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 10;
        }
        TrainData data = new TrainData(java.util.Arrays.copyOf(x, train * 784), java.util.Arrays.copyOf(y, train),
                train, java.util.Arrays.copyOfRange(x, train * 784, x.length), java.util.Arrays.copyOfRange(y, train,
                y.length), test, 784, 10, new ImageShape(1, 28, 28), Normalization.identity(1));
        TrainConfig cfg = TrainConfig.builder().steps(0).epochs(2).batchSize(5).hidden(3).build();
        String info = "{\"dataset\":\"mnist\",\"shape\":[1,28,28],\"normalize\":\"none\",\"mean\":[0.0],\"std\":[1.0]}";
        Trainer.train(cfg, CpuDevice.get(), data, new Trainer.Listener() {}, new RunOptions(dir, null, 0, info)).close();
        assertTrue(Files.isRegularFile(dir.resolve("checkpoint.safetensors")), "checkpoint written");
    }

    private static Cli result(Row row) {
        return RESULTS.computeIfAbsent(row, r -> Cli.run(args(r)));
    }

    private static String[] args(Row row) {
        String line = row.commandLine();
        for (Map.Entry<String, Path> p : PATHS.entrySet()) {
            line = line.replace(p.getKey(), p.getValue().toString());
        }
        return line.split(" ");
    }

    /** Paths back to their names, so the table reads the same on every machine. */
    private static String named(String text) {
        for (Map.Entry<String, Path> p : PATHS.entrySet()) {
            text = text.replace(p.getValue().toString(), p.getKey());
        }
        return text.replace(tmp.toString(), "$TMP");
    }

    @Test
    void everyBadInputIsRefusedWithOneLine() {
        List<String> failures = new ArrayList<>();
        for (Row row : ROWS) {
            Cli r = result(row);
            String err = named(r.err());
            List<String> lines = err.lines().toList();
            String why = row.commandLine() + " -> exit " + r.code() + ", stderr:\n" + err + "stdout:\n" + r.out();
            if (r.code() != row.exit()
                    || lines.size() != 2
                    || !lines.get(0).matches("jgrad( [a-z]+)*: error: .+")
                    || !lines.get(0).contains(row.message())
                    || !lines.get(1).matches("Try 'jgrad( [a-z]+)* --help' for more information\\.")
                    || err.contains("Exception") || err.contains("\tat ")
                    || !r.out().isEmpty()) {
                failures.add(why);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + ROWS.size() + " rows failed:\n\n" + String.join("\n", failures));
        }
    }

    /**
     * Every option that takes a value has a row (booleans have nothing to check). An option of the
     * shared training options counts once for train, compare and gradcheck: the checks are the same code.
     */
    @Test
    void everyOptionWithAValueHasARow() {
        List<String> missing = new ArrayList<>();
        collect(new CommandLine(new Main()), new ArrayList<>(), missing);
        assertTrue(missing.isEmpty(), "options without a row in ROWS: " + missing);
        assertTrue(ROWS.size() >= 60, ROWS.size() + " rows");
    }

    private static void collect(CommandLine cli, List<String> path, List<String> missing) {
        CommandSpec spec = cli.getCommandSpec();
        CommandSpec trainOptions = spec.mixins().get("options");  // the TrainOptions field of train, compare, gradcheck
        List<String> shared = trainOptions == null ? List.of()
                : trainOptions.options().stream().map(OptionSpec::longestName).toList();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.typeInfo().isBoolean()) {
                continue;
            }
            String name = o.longestName();
            String prefix = shared.contains(name) ? "train " : String.join(" ", path) + " ";
            boolean covered = ROWS.stream().anyMatch(r -> r.commandLine().startsWith(prefix)
                    && List.of(r.commandLine().split(" ")).contains(name));
            if (!covered) {
                missing.add(String.join(" ", path) + " " + name);
            }
        }
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            collect(sub.getValue(), next, missing);
        }
    }

    /** The rows as the Markdown table of docs/reliability.md: command line, exit code, the error line. */
    static String table() {
        StringBuilder sb = new StringBuilder("| bad input | exit | message (first line of stderr) |\n|---|---|---|\n");
        for (Row row : ROWS) {
            Cli r = result(row);
            String first = named(r.err()).lines().findFirst().orElse("");
            sb.append("| `jgrad ").append(row.commandLine()).append("` | ").append(r.code()).append(" | `")
                    .append(first.replace("|", "\\|")).append("` |\n");
        }
        return sb.toString();
    }

    static final String BEGIN = "<!-- cli-input-table: generated by CliValidationTest, do not edit by hand -->\n";
    static final String END = "<!-- end of cli-input-table -->\n";

    @Test
    void docsHoldThisTable() throws IOException {
        new GeneratedDocTable(BEGIN, END, "CliValidationTest").check(table());
    }

    // ---- valid but absurd values, and a warning: these need MNIST (the checks need the data set's size)

    @Test
    void tf32OnTheCpuIsAWarningNotAnError() {
        Cli.requireMnist();
        Cli r = Cli.run("train", "--device", "cpu", "--tf32", "--steps", "1", "--hidden", "4", "--log-every", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("jgrad train: warning: --tf32 has no effect with --device cpu"), r.err());
    }

    /** A JVM of 512 MiB holds MNIST (about 220 MB as floats) but not a 784×100 000 layer with its gradient. */
    @Test
    void outOfMemoryIsOneLineAndExitOne() throws Exception {
        Cli.requireMnist();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "train", "--device", "cpu", "--hidden",
                "100000", "--steps", "1").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), err);
        List<String> errors = err.lines().filter(l -> l.contains("error")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(errors.get(0).startsWith("jgrad train: error: out of memory (Java heap space"), err);
        assertTrue(errors.get(0).contains("JGRAD_JAVA_OPTS=-Xmx"), err);
        assertFalse(err.contains("\tat ") || err.contains("OutOfMemoryError"), err);
    }
}
