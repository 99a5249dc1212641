package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jgrad.cpu.CpuDevice;
import jgrad.data.DataStore;
import jgrad.data.IdxDatasetSpec;
import jgrad.data.ImageShape;
import jgrad.data.ImageSplit;
import jgrad.data.Normalization;
import jgrad.nn.Module;
import jgrad.nn.Sequential;
import jgrad.onnx.OnnxExport;
import jgrad.onnx.OnnxExportException;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.Tensor;
import jgrad.train.Checkpoint;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jgrad model used outside jgrad (issue 16): {@code jgrad export --format onnx} runs in ONNX
 * Runtime (Java) with jgrad's logits on 1 000 MNIST test images for mlp, convnet, deepconvnet, resnet8
 * and resnet18 (plus an MLP with batch norm and dropout, and a convnet trained on mean-std normalised
 * inputs, whose statistics the graph folds in), at batch sizes of 200, 1 and 7 against the symbolic
 * batch of the file; ONNX's own checker (Debian's python3-onnx) accepts every file; and PyTorch
 * (Debian's python3-torch) loads each model.safetensors with strict=True and gets the run's accuracy.
 * The Python checks skip with their reason where the package is missing, and fail instead where
 * {@code JGRAD_REQUIRE_PYTHON_CHECKS} is set (.ci/run sets it and installs both packages).
 */
@Timeout(900)
class UseElsewhereTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);
    private static final int IMAGES = 1000;
    private static final double ATOL = 1e-4;
    private static final double RTOL = 1e-4;
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path tmp;

    private static final Map<String, List<String>> CONFIGS = new LinkedHashMap<>();
    private static final Map<String, Path> RUNS = new LinkedHashMap<>();
    private static ImageSplit test;

    static {
        CONFIGS.put("mlp", List.of("--model", "mlp"));
        CONFIGS.put("mlp-bn-dropout", List.of("--model", "mlp", "--batch-norm", "--dropout", "0.3", "--hidden", "50,30",
                "--activation", "tanh"));
        CONFIGS.put("convnet", List.of("--model", "convnet"));
        CONFIGS.put("convnet-mean-std", List.of("--model", "convnet", "--normalize", "mean-std", "--activation",
                "sigmoid"));
        CONFIGS.put("deepconvnet", List.of("--model", "deepconvnet"));
        CONFIGS.put("resnet8", List.of("--model", "resnet8"));
        CONFIGS.put("resnet18", List.of("--model", "resnet18"));
    }

    /** Each model trained for a few steps (batch-norm statistics move off their start) and exported. */
    @BeforeAll
    static void trainAndExport() {
        Cli.requireMnist();
        test = DataStore.atDefaultLocation().load(IdxDatasetSpec.MNIST).test();
        for (Map.Entry<String, List<String>> c : CONFIGS.entrySet()) {
            Path out = tmp.resolve(c.getKey());
            List<String> args = new ArrayList<>(List.of("train", "--steps", "3", "--batch-size", "8", "--train-limit",
                    "64", "--test-limit", "16", "--no-warmup", "--out", out.toString()));
            args.addAll(c.getValue());
            Cli r = Cli.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), c.getKey() + ": " + r.err());
            Cli e = Cli.run("export", "--checkpoint", out.toString(), "--format", "onnx", "--out",
                    out.resolve("model.onnx").toString());
            assertEquals(0, e.code(), c.getKey() + ": " + e.err());
            assertTrue(e.out().startsWith("jgrad export: "), e.out());
            RUNS.put(c.getKey(), out);
        }
    }

    // ------------------------------------------------------------------------------------ ONNX Runtime

    @Test
    void onnxRuntimeGivesJgradsLogitsAtAnyBatchSize() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Map.Entry<String, Path> run : RUNS.entrySet()) {
            Checkpoint ckpt = Checkpoint.read(run.getValue());
            Normalization norm = normalizationOf(run.getValue());
            float[] pixels = Arrays.copyOf(test.images(), IMAGES * MNIST.pixels());
            float[] reference = jgradLogits(ckpt, norm, pixels);
            boolean images = !ckpt.config().model().equals("mlp");
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(run.getValue().resolve("model.onnx").toString(), options)) {
                float[] ort = ortLogits(env, session, pixels, 0, IMAGES, 200, images);
                String what = run.getKey() + ", batches of 200";
                double worst = assertClose(reference, ort, what);
                System.out.printf(java.util.Locale.ROOT, "%s: ONNX Runtime against jgrad on %d test images: largest "
                        + "logit difference %.2g%n", run.getKey(), IMAGES, worst);
                // The file's batch is symbolic: other batch sizes give the same logits.
                for (int batch : new int[] {1, 7}) {
                    float[] small = ortLogits(env, session, pixels, 0, 21, batch, images);
                    assertClose(Arrays.copyOf(reference, small.length), small, run.getKey() + ", batches of " + batch);
                }
            }
        }
    }

    /** The run's own evaluation (its 16 test images) predicts what ONNX Runtime predicts. */
    @Test
    void onnxRuntimePredictsWhatTheRunEvaluated() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Map.Entry<String, Path> run : RUNS.entrySet()) {
            boolean images = !Checkpoint.read(run.getValue()).config().model().equals("mlp");
            float[] logits;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(run.getValue().resolve("model.onnx").toString(), options)) {
                logits = ortLogits(env, session, test.images(), 0, 16, 16, images);
            }
            int correct = 0;
            for (int i = 0; i < 16; i++) {
                correct += argmax(logits, i, 10) == test.labels()[i] ? 1 : 0;
            }
            double recorded = new ObjectMapper().readTree(run.getValue().resolve("metrics.json").toFile())
                    .path("test_accuracy").asDouble();
            assertEquals(recorded, correct / 16.0, 1e-12, run.getKey() + ": ONNX Runtime's accuracy on the run's 16 "
                    + "test images against the run's");
        }
    }

    @Test
    void fileSaysWhatItTakesAndIsTheSameOnEveryExport() throws Exception {
        Path run = RUNS.get("convnet-mean-std");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(run.resolve("model.onnx").toString(), options)) {
            assertEquals(List.of(OnnxExport.INPUT), List.copyOf(session.getInputNames()));
            assertEquals(List.of(OnnxExport.OUTPUT), List.copyOf(session.getOutputNames()));
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals("convnet", meta.get("model"));
            assertTrue(meta.get("normalization").startsWith("mean-std, folded in"), meta.get("normalization"));
            assertEquals(Arrays.toString(normalizationOf(run).mean()), meta.get("normalization_mean"));
            assertEquals("jgrad", session.getMetadata().getProducerName());
            assertTrue(session.getMetadata().getDescription().contains("pixels scaled to [0, 1]"),
                    session.getMetadata().getDescription());
        }
        // An existing --out is replaced (atomically, as every output file of jgrad), with the same bytes.
        byte[] first = Files.readAllBytes(run.resolve("model.onnx"));
        Cli again = Cli.run("export", "--checkpoint", run.toString(), "--format", "ONNX", "--out",
                run.resolve("model.onnx").toString());
        assertEquals(0, again.code(), again.err());
        assertArrayEquals(first, Files.readAllBytes(run.resolve("model.onnx")));
    }

    /**
     * Every layer kind the exporter knows, in models no command builds: 3-channel images with mean-std
     * statistics, average pooling with padding (which counts, as in jgrad), Tanh and Sigmoid, a
     * projecting residual block, dropout; and flat rows (per-feature statistics) turned into images
     * mid-network (Reshape). Random weights and batch-norm statistics, random pixels.
     */
    @Test
    void everyLayerKindRunsInOnnxRuntimeAsInJgrad() throws Exception {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        jgrad.nn.Init he = jgrad.nn.Init.parse("he");
        CpuDevice cpu = CpuDevice.get();
        ImageShape rgb = new ImageShape(3, 8, 8);
        Normalization stats = new Normalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.2f, 0.3f});
        LinkedHashMap<String, Module> conv = new LinkedHashMap<>();
        conv.put("input", new jgrad.nn.Unflatten(rgb));
        conv.put("conv1", new jgrad.nn.Conv2d(cpu, 3, 4, 3, 1, 1, true, he, rng));
        conv.put("bn1", new jgrad.nn.BatchNorm(cpu, 4));
        conv.put("act1", jgrad.nn.Activation.parse("tanh"));
        conv.put("avg", new jgrad.nn.AvgPool2d(3, 2, 1));
        conv.put("block", new jgrad.nn.BasicBlock(cpu, 4, 6, 2, he, rng));
        conv.put("max", new jgrad.nn.MaxPool2d(2, 1, 0));
        conv.put("gap", new jgrad.nn.GlobalAvgPool2d());
        conv.put("flatten", new jgrad.nn.Flatten());
        conv.put("drop", new jgrad.nn.Dropout(0.5f, 3));
        conv.put("fc1", new jgrad.nn.Linear(cpu, 6, 5, he, rng));
        conv.put("act2", jgrad.nn.Activation.parse("sigmoid"));
        conv.put("fc2", new jgrad.nn.Linear(cpu, 5, 3, he, rng));
        ImageShape small = new ImageShape(3, 4, 4);
        LinkedHashMap<String, Module> flat = new LinkedHashMap<>();
        flat.put("fc1", new jgrad.nn.Linear(cpu, 48, 48, he, rng));
        flat.put("image", new jgrad.nn.Unflatten(small));
        flat.put("conv", new jgrad.nn.Conv2d(cpu, 3, 2, 2, 1, 0, false, he, rng));
        flat.put("flatten", new jgrad.nn.Flatten());
        flat.put("fc2", new jgrad.nn.Linear(cpu, 18, 4, he, rng));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (Map.Entry<String, Sequential> c : Map.of("conv", new Sequential(conv), "flat", new Sequential(flat))
                .entrySet()) {
            Sequential model = c.getValue();
            ImageShape shape = c.getKey().equals("conv") ? rgb : small;
            for (jgrad.nn.Parameter p : model.buffers()) {  // running statistics away from 0 and 1
                float[] v = new float[p.tensor().dim(0)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (p.name().endsWith("running_var") ? 0.5 + rng.nextDouble() : rng.nextDouble() - 0.5);
                }
                p.tensor().copyFrom(v);
            }
            byte[] onnx = OnnxExport.export(model, new OnnxExport.Inputs(shape, stats),
                    new OnnxExport.About("test", "every layer", Map.of())).toByteArray();
            int n = 9;
            float[] pixels = new float[n * shape.pixels()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) rng.nextDouble();
            }
            float[] x = pixels.clone();
            stats.applyInPlace(x, shape);
            model.train(false);
            float[] reference;
            try (GradMode g = GradMode.noGrad(); Tensor xb = Tensor.of(cpu, x, n, shape.pixels())) {
                reference = model.forward(xb).toArray();
            }
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = env.createSession(onnx, options)) {
                long[] dims = c.getKey().equals("conv") ? new long[] {n, 3, 8, 8} : new long[] {n, shape.pixels()};
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), dims);
                     OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
                    float[][] out = (float[][]) r.get(0).getValue();
                    float[] logits = new float[reference.length];
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(out[i], 0, logits, i * out[i].length, out[i].length);
                    }
                    assertClose(reference, logits, c.getKey());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ bad input

    @Test
    void badInputIsOneLine() throws IOException {
        String ckpt = RUNS.get("mlp").toString();
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        assertOneLine(Cli.run("export", "--checkpoint", ckpt, "--format", "tflite", "--out", tmp + "/m.x"),
                "unknown --format 'tflite' (expected onnx)");
        assertOneLine(Cli.run("export", "--checkpoint", tmp + "/no-such-run", "--format", "onnx", "--out",
                tmp + "/m.onnx"), "no-such-run: no such file or directory");
        assertOneLine(Cli.run("export", "--checkpoint", ckpt, "--format", "onnx", "--out", aFile + "/m.onnx"),
                "is a file, not a directory");
        assertOneLine(Cli.run("export", "--checkpoint", ckpt, "--format", "onnx", "--out", tmp.toString()),
                "is a directory; give a file name");
        assertOneLine(Cli.run("export", "--checkpoint", ckpt, "--out", tmp + "/m.onnx"),
                "Missing required option: '--format=<format>'");
        Cli damaged = Cli.run("export", "--checkpoint", aFile.toString(), "--format", "onnx", "--out",
                tmp + "/m.onnx");
        assertEquals(1, damaged.code(), damaged.err());
        assertEquals(1, damaged.err().strip().lines().count(), damaged.err());
        assertTrue(damaged.err().startsWith("jgrad export: error: "), damaged.err());
        assertFalse(Files.exists(tmp.resolve("m.onnx")), "nothing written after an error");
    }

    private static void assertOneLine(Cli r, String expected) {
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertTrue(lines.get(0).startsWith("jgrad export: error: ") && lines.get(0).contains(expected), r.err());
        assertEquals(2, lines.size(), "the error and the --help pointer: " + r.err());
    }

    /** A layer the exporter does not know is named in one line, not written as something else. */
    @Test
    void unknownLayerIsNamed() {
        Module square = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        LinkedHashMap<String, Module> layers = new LinkedHashMap<>();
        layers.put("fc1", new jgrad.nn.Linear(CpuDevice.get(), 4, 3, jgrad.nn.Init.parse("he"),
                new java.util.SplittableRandom(1)));
        layers.put("odd", square);
        OnnxExportException e = assertThrows(OnnxExportException.class, () -> OnnxExport.export(
                new Sequential(layers), new OnnxExport.Inputs(ImageShape.flat(4), Normalization.identity(1)),
                new OnnxExport.About("test", "test", Map.of())));
        assertTrue(e.getMessage().startsWith("cannot export layer 'odd' ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        LinkedHashMap<String, Module> mismatched = new LinkedHashMap<>();
        mismatched.put("fc1", new jgrad.nn.Linear(CpuDevice.get(), 5, 3, jgrad.nn.Init.parse("he"),
                new java.util.SplittableRandom(1)));
        OnnxExportException shapes = assertThrows(OnnxExportException.class, () -> OnnxExport.export(
                new Sequential(mismatched), new OnnxExport.Inputs(ImageShape.flat(4), Normalization.identity(1)),
                new OnnxExport.About("test", "test", Map.of())));
        assertEquals("layer 'fc1' takes 5 features but gets [4]", shapes.getMessage());
    }

    // ------------------------------------------------------------------------------------ Python

    @Test
    void onnxCheckerAcceptsEveryFile() throws Exception {
        requirePython("onnx", "python3-onnx");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, ROOT.resolve("scripts/onnx_check.py").toString()));
        RUNS.values().forEach(run -> cmd.add(run.resolve("model.onnx").toString()));
        String out = python(cmd);
        assertEquals(RUNS.size(), out.lines().filter(l -> l.contains("check_model(full_check=True) OK; IR 8, opset "
                + "ai.onnx 17;") && l.endsWith("output logits [batch, 10]")).count(), out);
        assertTrue(out.lines().filter(l -> l.contains("/mlp/")).allMatch(l -> l.contains("input input [batch, 784]")),
                out);
        assertTrue(out.lines().filter(l -> l.contains("/resnet18/")).allMatch(l -> l.contains(
                "input input [batch, 1, 28, 28]") && l.contains("Add BatchNormalization Conv")), out);
    }

    /** scripts/torch_load_check.py: load_state_dict(strict=True) into torch.nn, then the run's accuracy. */
    @Test
    void pyTorchLoadsEachModelStrictlyWithTheRunsAccuracy() throws Exception {
        requirePython("torch", "python3-torch");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, ROOT.resolve("scripts/torch_load_check.py").toString()));
        RUNS.values().forEach(run -> cmd.add(run.resolve("model.safetensors").toString()));
        cmd.addAll(List.of("--limit", "16"));
        String out = python(cmd);  // one process: torch loads once
        for (Map.Entry<String, Path> run : RUNS.entrySet()) {
            Matcher m = Pattern.compile(Pattern.quote(run.getValue().resolve("model.safetensors") + ": ")
                    + "\\w+: load_state_dict\\(strict=True\\) OK .*test accuracy [0-9.]+ \\((\\d+)/16\\)").matcher(out);
            assertTrue(m.find(), run.getKey() + ": " + out);
            double recorded = new ObjectMapper().readTree(run.getValue().resolve("metrics.json").toFile())
                    .path("test_accuracy").asDouble();
            assertEquals(recorded, Integer.parseInt(m.group(1)) / 16.0, 1e-12, run.getKey() + ": " + out);
        }
    }

    /**
     * The README hands torch_load_check.py and onnx_check.py to users: --help prints the usage, and
     * a file that is missing or of the wrong kind is one line naming it, exit 1, not a Python traceback.
     */
    @Test
    void theScriptsAnswerHelpAndABadFileInOneLine() throws Exception {
        requirePython("torch", "python3-torch");
        requirePython("onnx", "python3-onnx");
        Path missing = tmp.resolve("missing.file");
        Path wrongKind = Files.writeString(tmp.resolve("notes.file"), "neither safetensors nor ONNX");
        for (String name : List.of("torch_load_check.py", "onnx_check.py")) {
            String script = ROOT.resolve("scripts").resolve(name).toString();
            Process h = new ProcessBuilder(PYTHON, script, "--help").redirectErrorStream(true).start();
            String helpText = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, h.waitFor(), name + ": " + helpText);
            assertTrue(helpText.contains("/usr/bin/python3 scripts/" + name + " "), helpText);
            for (Path bad : List.of(missing, wrongKind)) {
                Process p = new ProcessBuilder(PYTHON, script, bad.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(1, p.waitFor(), name + ": " + out);
                assertEquals(1, out.lines().count(), name + ": " + out);
                assertTrue(out.startsWith(bad + ": ") && !out.contains("Traceback"), name + ": " + out);
            }
        }
    }

    private static void requirePython(String module, String debianPackage) throws Exception {
        boolean present = Files.isExecutable(Path.of(PYTHON))
                && new ProcessBuilder(PYTHON, "-c", "import " + module).redirectErrorStream(true).start().waitFor() == 0;
        if (!present && System.getenv("JGRAD_REQUIRE_PYTHON_CHECKS") != null) {
            throw new AssertionError(debianPackage + " is required (JGRAD_REQUIRE_PYTHON_CHECKS) but " + PYTHON
                    + " cannot import " + module);
        }
        Assumptions.assumeTrue(present, PYTHON + " cannot import " + module + " (apt-get install " + debianPackage + ")");
    }

    private static String python(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(ROOT.resolve("scripts").toFile());
        pb.environment().put("JGRAD_DATA", DataStore.defaultDataDir().toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python did not finish: " + cmd);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), cmd + ": " + text);
        return text;
    }

    // ------------------------------------------------------------------------------------ helpers

    private static Normalization normalizationOf(Path run) throws IOException {
        var data = new ObjectMapper().readTree(Checkpoint.read(run).dataInfo());
        if (!data.path("normalize").asText().equals("mean-std")) {
            return Normalization.identity(1);
        }
        return new Normalization(new float[] {(float) data.path("mean").get(0).asDouble()},
                new float[] {(float) data.path("std").get(0).asDouble()});
    }

    /** jgrad's own forward in eval mode on the normalised pixels, 200 images at a time: the reference. */
    private static float[] jgradLogits(Checkpoint ckpt, Normalization norm, float[] pixels) {
        float[] x = pixels.clone();
        norm.applyInPlace(x, MNIST);
        int n = x.length / MNIST.pixels();
        float[] out = new float[n * 10];
        try (Sequential model = ckpt.buildModel(CpuDevice.get(), MNIST, 10); GradMode g = GradMode.noGrad()) {
            model.train(false);
            for (int from = 0; from < n; from += 200) {
                int k = Math.min(200, n - from);
                float[] rows = Arrays.copyOfRange(x, from * MNIST.pixels(), (from + k) * MNIST.pixels());
                try (Arena arena = Arena.open(); Tensor xb = Tensor.of(CpuDevice.get(), rows, k, MNIST.pixels())) {
                    System.arraycopy(model.forward(xb).toArray(), 0, out, from * 10, k * 10);
                }
            }
        }
        return out;
    }

    /** ONNX Runtime's logits for images [from, from + count) of {@code pixels}, {@code batch} at a time. */
    private static float[] ortLogits(OrtEnvironment env, OrtSession session, float[] pixels, int from, int count,
                                     int batch, boolean images) throws OrtException {
        float[] out = new float[count * 10];
        for (int i = 0; i < count; i += batch) {
            int k = Math.min(batch, count - i);
            long[] shape = images ? new long[] {k, 1, 28, 28} : new long[] {k, MNIST.pixels()};
            FloatBuffer rows = FloatBuffer.wrap(pixels, (from + i) * MNIST.pixels(), k * MNIST.pixels()).slice();
            try (OnnxTensor t = OnnxTensor.createTensor(env, rows, shape);
                 OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
                float[][] logits = (float[][]) r.get(0).getValue();
                for (int j = 0; j < k; j++) {
                    System.arraycopy(logits[j], 0, out, (i + j) * 10, 10);
                }
            }
        }
        return out;
    }

    /** |ort - ref| <= atol + rtol·|ref| everywhere (the first mismatch named); returns the largest difference. */
    private static double assertClose(float[] reference, float[] actual, String what) {
        assertEquals(reference.length, actual.length, what);
        double worst = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = Math.abs(actual[i] - reference[i]);
            worst = Math.max(worst, d);
            if (!(d <= ATOL + RTOL * Math.abs(reference[i]))) {
                throw new AssertionError(what + ": image " + i / 10 + ", logit " + i % 10 + ": ONNX Runtime "
                        + actual[i] + ", jgrad " + reference[i]);
            }
        }
        return worst;
    }

    private static int argmax(float[] logits, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[row * classes + c] > logits[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }
}
