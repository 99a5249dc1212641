package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.io.LongTensor;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import jgrad.train.Checkpoint;
import jgrad.train.ModelShapes;
import jgrad.train.TorchWeights;
import jgrad.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * model.safetensors in PyTorch's state_dict layout (issue 16). Each model is trained for a step on a
 * few MNIST images; its model.safetensors must hold exactly the state_dict of the torch.nn
 * definition in scripts/torch_load_check.py, as that script printed it with PyTorch 1.13
 * (torch_state_dict.txt: written once from the torch definitions, not from jgrad's output). Loading
 * it back ({@code --init-from}, {@link TorchWeights}) must give the checkpoint's weights bit for bit,
 * the older jgrad layout must still load, and a file that does not fit gets one line naming the tensor.
 */
@Timeout(600)
class TorchLayoutTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    @TempDir
    static Path tmp;

    /** The table's configurations and the command-line options that train them. */
    private static final Map<String, List<String>> CONFIGS = new LinkedHashMap<>();
    private static final Map<String, Path> RUNS = new LinkedHashMap<>();

    static {
        CONFIGS.put("mlp", List.of("--model", "mlp"));
        CONFIGS.put("mlp-bn", List.of("--model", "mlp", "--batch-norm", "--hidden", "50,30", "--activation", "relu"));
        CONFIGS.put("convnet", List.of("--model", "convnet"));
        CONFIGS.put("deepconvnet", List.of("--model", "deepconvnet"));
        CONFIGS.put("resnet8", List.of("--model", "resnet8"));
        CONFIGS.put("resnet8-cifar", List.of("--model", "resnet8", "--stem", "cifar"));
        CONFIGS.put("resnet18", List.of("--model", "resnet18"));
    }

    @BeforeAll
    static void trainEachModelBriefly() {
        Cli.requireMnist();
        for (Map.Entry<String, List<String>> c : CONFIGS.entrySet()) {
            Path out = tmp.resolve(c.getKey());
            // The MLPs are evaluated on the whole test set, so that eval --weights can be held against them.
            List<String> args = new ArrayList<>(List.of("train", "--steps", "3", "--batch-size", "8", "--train-limit",
                    "64", "--no-warmup", "--out", out.toString()));
            if (!c.getKey().startsWith("mlp")) {
                args.addAll(List.of("--test-limit", "16"));
            }
            args.addAll(c.getValue());
            Cli r = Cli.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), c.getKey() + ": " + r.err());
            RUNS.put(c.getKey(), out);
        }
    }

    /** config → name → "DTYPE [shape]", in state_dict order, from the resource PyTorch wrote. */
    private static Map<String, Map<String, String>> torchTable() throws IOException {
        Map<String, Map<String, String>> table = new LinkedHashMap<>();
        try (InputStream in = TorchLayoutTest.class.getResourceAsStream("torch_state_dict.txt")) {
            assertNotNull(in, "torch_state_dict.txt on the test class path");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                table.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], f[2] + " " + f[3]);
            }
        }
        return table;
    }

    private static Map<String, String> fileEntries(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Safetensors.TensorInfo t : Safetensors.readHeader(file).tensors()) {
            out.put(t.name(), t.dtype() + " " + Arrays.toString(t.shape()).replace(", ", ","));
        }
        return out;
    }

    @Test
    void modelFileHoldsExactlyPyTorchsStateDict() throws IOException {
        Map<String, Map<String, String>> table = torchTable();
        assertEquals(CONFIGS.keySet(), table.keySet(), "the table covers every configuration trained here");
        for (String config : CONFIGS.keySet()) {
            Path file = RUNS.get(config).resolve("model.safetensors");
            Map<String, String> expected = new java.util.TreeMap<>(table.get(config));
            assertEquals(expected, new java.util.TreeMap<>(fileEntries(file)), config + ": names, dtypes, shapes");
            Map<String, String> meta = Safetensors.readHeader(file).metadata();
            assertEquals(TorchWeights.FORMAT, meta.get("format"), config);
            assertEquals(CONFIGS.get(config).get(1), meta.get("model"), config);
            assertEquals("none", meta.get("normalize"), config + ": inputs are pixels / 255");
        }
        assertEquals(20, table.get("resnet18").keySet().stream().filter(n -> n.endsWith(".num_batches_tracked"))
                .count(), "resnet18 has 20 batch norms, each with its counter");
    }

    @Test
    void linearWeightsAreTransposedAndCountersHoldTheSteps() throws IOException {
        Path run = RUNS.get("mlp-bn");
        Map<String, NamedTensor> ckpt = Safetensors.read(run.resolve(Checkpoint.FILE)).asMap();
        Path file = run.resolve("model.safetensors");
        Safetensors.Contents model = Safetensors.readF32(file, java.util.Set.of("fc1.weight", "bn1.running_var"));
        float[] stored = model.get("fc1.weight").data();     // [50, 784]
        float[] internal = ckpt.get("model.fc1.weight").data(); // [784, 50]
        for (int in = 0; in < 784; in += 97) {
            for (int out = 0; out < 50; out += 7) {
                assertEquals(Float.floatToIntBits(internal[in * 50 + out]), Float.floatToIntBits(stored[out * 784 + in]),
                        "fc1.weight[" + out + ", " + in + "]");
            }
        }
        assertArrayEquals(ckpt.get("model.bn1.running_var").data(), model.get("bn1.running_var").data());
        assertEquals(3L, int64Scalar(file, "bn2.num_batches_tracked"), "one forward in training mode per step");
    }

    /** The value of a 0-dimensional I64 tensor, read from its header offsets. */
    private static long int64Scalar(Path file, String name) throws IOException {
        Safetensors.Header h = Safetensors.readHeader(file);
        Safetensors.TensorInfo t = h.tensors().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
        assertEquals(Safetensors.DType.I64, t.dtype());
        assertArrayEquals(new int[0], t.shape());
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, h.dataOffset() + t.begin());
            return b.getLong(0);
        }
    }

    @Test
    void roundTripGivesTheCheckpointsWeightsAndPredictions() {
        for (String config : List.of("mlp-bn", "convnet", "deepconvnet", "resnet8")) {
            Checkpoint ckpt = Checkpoint.read(RUNS.get(config));
            ModelShapes shapes = ModelShapes.of(ckpt.config(), MNIST, 10);
            TorchWeights weights = TorchWeights.read(RUNS.get(config).resolve("model.safetensors"), shapes);
            try (Sequential original = ckpt.buildModel(CpuDevice.get(), MNIST, 10);
                 Sequential loaded = Trainer.buildModel(ckpt.config(), CpuDevice.get(), MNIST, 10)) {
                weights.copyInto(loaded);
                assertSameTensors(config, original, loaded);
                float[] x = randomImages(64);
                assertArrayEquals(Trainer.predict(original, CpuDevice.get(), x, 64, 784),
                        Trainer.predict(loaded, CpuDevice.get(), x, 64, 784), config + ": predictions");
            }
        }
    }

    private static void assertSameTensors(String config, Sequential a, Sequential b) {
        List<Parameter> x = new ArrayList<>(a.parameters());
        x.addAll(a.buffers());
        List<Parameter> y = new ArrayList<>(b.parameters());
        y.addAll(b.buffers());
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.get(i).name(), y.get(i).name());
            assertArrayEquals(x.get(i).tensor().toArray(), y.get(i).tensor().toArray(), config + " " + x.get(i).name());
        }
    }

    private static float[] randomImages(int n) {
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    /** Test accuracy that `train` printed. */
    private static String accuracy(Cli r) {
        return r.out().lines().filter(l -> l.startsWith("test accuracy")).findFirst().orElse("none: " + r.out());
    }

    private static Cli trainFrom(Path weights, String... more) {
        // SGD at lr 1e-30 leaves every weight as it is (each step adds less than half an ulp), so the
        // test accuracy is that of the weights given; the MLP has no running statistics to move.
        List<String> args = new ArrayList<>(List.of("train", "--model", "mlp", "--init-from", weights.toString(),
                "--optimizer", "sgd", "--lr", "1e-30", "--steps", "1", "--batch-size", "8", "--train-limit", "64",
                "--test-limit", "500", "--no-warmup"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void initFromGivesTheTrainedModelsAccuracyInBothLayouts() throws IOException {
        Path run = RUNS.get("mlp");
        Cli evaluated = Cli.run("eval", "--checkpoint", run.toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        Cli fresh = trainFrom(run.resolve("model.safetensors"), "--seed", "99");
        assertEquals(0, fresh.code(), fresh.err());
        assertTrue(fresh.out().contains("initial weights from " + run.resolve("model.safetensors")), fresh.out());

        // The layout model.safetensors had before: jgrad's names and [in, out] Linear weights, format jgrad.
        Path old = tmp.resolve("old-layout.safetensors");
        List<NamedTensor> tensors = new ArrayList<>();
        for (NamedTensor t : Safetensors.read(run.resolve(Checkpoint.FILE)).tensors()) {
            if (t.name().startsWith("model.")) {
                tensors.add(new NamedTensor(t.name().substring("model.".length()), t.shape(), t.data()));
            }
        }
        Safetensors.write(old, tensors, Map.of("format", TorchWeights.FORMAT_JGRAD, "model", "mlp"));
        Cli fromOld = trainFrom(old);
        assertEquals(0, fromOld.code(), fromOld.err());
        assertEquals(accuracy(fresh), accuracy(fromOld), "the same weights in either layout");

        Cli random = trainFrom(run.resolve("model.safetensors").resolveSibling("none.safetensors"));
        assertEquals(2, random.code(), random.err());
        assertTrue(random.err().contains("--init-from " + run.resolve("none.safetensors") + ": no such file"),
                random.err());
    }

    @Test
    void evalOfTheWeightsFileGivesTheCheckpointsResults() {
        for (String config : List.of("mlp", "mlp-bn")) {
            Path run = RUNS.get(config);
            Cli ckpt = Cli.run("eval", "--checkpoint", run.toString());
            Cli weights = Cli.run("eval", "--weights", run.resolve("model.safetensors").toString());
            assertEquals(0, ckpt.code(), ckpt.err());
            assertEquals(0, weights.code(), weights.err());
            assertTrue(weights.out().startsWith("jgrad eval: " + run.resolve("model.safetensors") + " (mlp) on mnist test "
                    + "set (10000 images)"), weights.out());
            // Past the first line (which names the file): accuracy, per-class accuracy and confusion matrix.
            assertEquals(ckpt.out().substring(ckpt.out().indexOf('\n')), weights.out().substring(weights.out().indexOf('\n')),
                    config);
        }
        Path noModel = RUNS.get("mlp").resolve("model.safetensors").resolveSibling("no-model.safetensors");
        try {
            Safetensors.write(noModel, Safetensors.read(RUNS.get("mlp").resolve("model.safetensors")).tensors(),
                    Map.of("format", "pt"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Cli unsaid = Cli.run("eval", "--weights", noModel.toString());
        assertEquals(1, unsaid.code(), unsaid.err());
        assertEquals(List.of("jgrad eval: error: weights " + noModel + " do not say which network they hold (no 'model' "
                + "in their metadata; jgrad writes it, and PyTorch's save_file takes metadata={\"model\": ...})"),
                unsaid.err().lines().toList());
    }

    /** A copy of the mlp-bn run's model.safetensors with its tensors edited, re-written by jgrad's writer. */
    private static Path edited(String name, UnaryOperator<List<Object>> edit) throws IOException {
        Path file = RUNS.get("mlp-bn").resolve("model.safetensors");
        Map<String, NamedTensor> floats = new LinkedHashMap<>(Safetensors.readF32(file,
                new java.util.HashSet<>(List.of("fc1.weight", "fc1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean",
                        "bn1.running_var", "fc2.weight", "fc2.bias", "bn2.weight", "bn2.bias", "bn2.running_mean",
                        "bn2.running_var", "fc3.weight", "fc3.bias"))).asMap());
        List<Object> all = new ArrayList<>(floats.values());
        all.add(LongTensor.scalar("bn1.num_batches_tracked", 3));
        all.add(LongTensor.scalar("bn2.num_batches_tracked", 3));
        all = edit.apply(all);
        List<NamedTensor> f = new ArrayList<>();
        List<LongTensor> l = new ArrayList<>();
        all.forEach(t -> {
            if (t instanceof NamedTensor n) {
                f.add(n);
            } else {
                l.add((LongTensor) t);
            }
        });
        Path out = tmp.resolve("edited-" + name + ".safetensors");
        Safetensors.write(out, f, l, Map.of("format", "pt"));
        return out;
    }

    private static List<Object> without(List<Object> all, String name) {
        List<Object> out = new ArrayList<>(all);
        out.removeIf(t -> t instanceof NamedTensor n ? n.name().equals(name) : ((LongTensor) t).name().equals(name));
        return out;
    }

    @Test
    void aFileThatDoesNotFitGetsOneLineNamingTheTensor() throws IOException {
        String[] mlpBn = {"--batch-norm", "--hidden", "50,30", "--activation", "relu"};
        Map<Path, String> cases = new LinkedHashMap<>();
        cases.put(edited("missing", all -> without(all, "fc3.bias")),
                "tensor 'fc3.bias' should be F32 [10] but is missing");
        cases.put(edited("no-counter", all -> without(all, "bn2.num_batches_tracked")),
                "tensor 'bn2.num_batches_tracked' should be I64 [] but is missing");
        cases.put(edited("float-counter", all -> {
            List<Object> out = without(all, "bn1.num_batches_tracked");
            out.add(new NamedTensor("bn1.num_batches_tracked", new int[0], new float[] {3}));
            return out;
        }), "tensor 'bn1.num_batches_tracked' should be I64 [] but is F32 [] in the file");
        cases.put(edited("untransposed", all -> {
            List<Object> out = without(all, "fc2.weight");
            out.add(new NamedTensor("fc2.weight", new int[] {50, 30}, new float[1500]));
            return out;
        }), "tensor 'fc2.weight' should be F32 [30, 50] but is F32 [50, 30] in the file");
        cases.put(edited("extra", all -> {
            List<Object> out = new ArrayList<>(all);
            out.add(new NamedTensor("fc4.bias", new int[] {10}, new float[10]));
            return out;
        }), "tensor 'fc4.bias' F32 [10] is stored but not part of that model");
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.write(garbage, "not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
        cases.put(garbage, "are unreadable");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            Cli r = trainFrom(c.getKey(), mlpBn);
            List<String> lines = r.err().lines().toList();
            assertEquals(1, r.code(), c.getValue() + ": " + r.err());
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.get(0).startsWith("jgrad train: error: weights " + c.getKey()), r.err());
            assertTrue(lines.get(0).contains(c.getValue()), r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
            assertFalse(r.out().contains("test accuracy"), "refused before training: " + r.out());
        }
        Cli convnet = Cli.run("train", "--model", "convnet", "--init-from",
                RUNS.get("mlp").resolve("model.safetensors").toString(), "--steps", "1");
        assertEquals(1, convnet.code(), convnet.err());
        assertTrue(convnet.err().contains("tensor 'conv1.weight' should be F32 [30, 1, 5, 5] but is missing"),
                convnet.err());
        Cli both = Cli.run("train", "--init-from", RUNS.get("mlp").resolve("model.safetensors").toString(), "--resume",
                RUNS.get("mlp").toString());
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("--init-from and --resume both given"), both.err());
    }
}
