package jgrad.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import jgrad.data.ImageShape;
import jgrad.device.Device;
import jgrad.io.AtomicFiles;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import jgrad.nn.Module;
import jgrad.nn.Parameter;
import jgrad.nn.Sequential;
import jgrad.optim.Optimizer;
import jgrad.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything needed to continue a run bit for bit, in one safetensors file written atomically:
 * tensors {@code model.<name>} (parameters and buffers such as BatchNorm running statistics),
 * {@code optimizer.<param>.<slot>} (velocity, Adam's moments, …) and {@code train.loss_history};
 * the header's {@code __metadata__} holds {@code format} ({@value #FORMAT}), {@code checksum} (see
 * {@link CheckpointChecksum}: CRC-32C over every other metadata value and every tensor) and JSON
 * strings: {@code config} (the {@link TrainConfig}), {@code data} (the caller's description of the
 * inputs) and {@code state} (step, epoch, optimizer step count, sampler position, dropout counters,
 * early-stopping state, per-epoch results).
 *
 * <p><b>Crash safety.</b> Each write goes to a temp file that is fsynced and then renamed over
 * {@value #FILE} ({@link AtomicFiles}), so the file is always a complete checkpoint, even if the
 * process is killed mid-write; the checkpoint it replaces is kept as {@value #FILE}{@code .prev}. A
 * read verifies the checksum. Reading a directory whose newest checkpoint is missing, damaged or
 * unreadable falls back to the {@code .prev} one with a warning naming both files; if that is bad too,
 * the error names both. The next write in that process then replaces the damaged file and leaves the
 * good {@code .prev} as it is. A file named explicitly is read as it is, with no fallback. Files of
 * format {@code jgrad-checkpoint/1} predate the checksum and load with a one-time warning.
 *
 * <p>The sampler is stored as its seed and the number of minibatches drawn: {@link BatchSampler}
 * uses {@link java.util.SplittableRandom}, whose state cannot be exported, so a resume replays the
 * draws (cheap: index arithmetic only). Augmentation and the learning rate are functions of the
 * step and epoch, so they need no state.
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.safetensors";
    static final String FORMAT = "jgrad-checkpoint/2";
    static final String LOSS_HISTORY = "train.loss_history";
    /** Written before checkpoints had a checksum; still loaded, without verification. */
    static final String FORMAT_WITHOUT_CHECKSUM = "jgrad-checkpoint/1";
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    private static final AtomicBoolean UNVERIFIED_LOGGED = new AtomicBoolean();
    /**
     * Newest checkpoints that a read found unusable and fell back from, with their file identity: the
     * next write replaces such a file instead of keeping it as the .prev, which the good one stays.
     */
    private static final Map<Path, Object> FELL_BACK_FROM = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final TrainConfig config;
    private final String dataInfo;
    private final JsonNode state;
    private final Map<String, NamedTensor> tensors;

    private Checkpoint(Path file, TrainConfig config, String dataInfo, JsonNode state, Map<String, NamedTensor> tensors) {
        this.file = file;
        this.config = config;
        this.dataInfo = dataInfo;
        this.state = state;
        this.tensors = tensors;
    }

    /** {@code dirOrFile} itself if it is a file, else the checkpoint file inside that directory. */
    public static Path fileIn(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
    }

    public Path file() {
        return file;
    }

    /** The configuration of the run that wrote this checkpoint. */
    public TrainConfig config() {
        return config;
    }

    /** The data description the run stored (JSON). */
    public String dataInfo() {
        return dataInfo;
    }

    /** Steps done when the checkpoint was written. */
    public int step() {
        return state.path("step").asInt();
    }

    /** Epochs done when the checkpoint was written. */
    public int epoch() {
        return state.path("epoch").asInt();
    }

    /** The epoch after which early stopping ended the run, or 0 (a stopped run has nothing left to do). */
    public int stoppedEarlyAfter() {
        return state.path("early_stopping").path("stopped_after").asInt();
    }

    // ------------------------------------------------------------------------------------ read

    /**
     * Reads and checks a checkpoint; any problem is a one-line {@link CheckpointException}. Given a
     * directory, falls back to the previous checkpoint when the newest one is unusable (see above).
     */
    public static Checkpoint read(Path dirOrFile) {
        Path file = fileIn(dirOrFile);
        Path previous = AtomicFiles.previousOf(file);
        try {
            return readFile(file);
        } catch (CheckpointException newest) {
            if (!Files.isRegularFile(previous)) {
                throw newest;
            }
            if (!Files.isDirectory(dirOrFile)) {
                throw new CheckpointException(newest.getMessage() + " (the previous checkpoint " + previous
                        + " is next to it: pass its directory, or that file, to use it)", newest);
            }
            Checkpoint older;
            try {
                older = readFile(previous);
            } catch (CheckpointException alsoBad) {
                CheckpointException both = new CheckpointException(newest.getMessage()
                        + "; the previous checkpoint is no good either: " + alsoBad.getMessage(), newest);
                both.addSuppressed(alsoBad);
                throw both;
            }
            LOG.warn("{}; using the previous checkpoint {} (epoch {}, step {}) instead", newest.getMessage(),
                    previous, older.epoch(), older.step());
            Object damaged = fileKey(file);
            if (damaged != null) {
                FELL_BACK_FROM.put(file.toAbsolutePath(), damaged);
            }
            return older;
        }
    }

    private static Checkpoint readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("no checkpoint at " + file + " (train with --out DIR to write one)");
        }
        Safetensors.Contents contents;
        try {
            contents = Safetensors.read(file);
        } catch (IOException e) {
            throw new CheckpointException("checkpoint " + file + " is unreadable: " + e.getMessage(), e);
        }
        return of(file, contents);
    }

    /**
     * The checkpoint in {@code contents}, as read from {@code file}: checksum, then metadata. Tests
     * call it with contents made in memory, so that thousands of inputs need no file writes.
     */
    static Checkpoint of(Path file, Safetensors.Contents contents) {
        verifyChecksum(file, contents.metadata(), contents.tensors());
        Map<String, String> meta = contents.metadata();
        try {
            TrainConfig config = StoredConfig.read((ObjectNode) requiredObject(file, meta, "config"));
            JsonNode state = requiredObject(file, meta, "state");
            String data = required(file, meta, "data");
            parseJson(file, "data", data);
            return new Checkpoint(file, config, data, state, contents.asMap());
        } catch (ConfigValueException e) {
            throw new CheckpointException("checkpoint " + file + " has a bad config: '" + e.field() + "' is "
                    + clip(e.value()) + "; allowed: " + e.allowed(), e);
        }
    }

    private static void verifyChecksum(Path file, Map<String, String> meta, List<NamedTensor> tensors) {
        String format = meta.get("format");
        String stored = meta.get(CheckpointChecksum.KEY);
        if (stored == null && FORMAT_WITHOUT_CHECKSUM.equals(format)) {
            if (UNVERIFIED_LOGGED.compareAndSet(false, true)) {
                LOG.warn("{} has no checksum (format {}, written by an older jgrad); loading it unverified", file,
                        format);
            }
            return;
        }
        if (TorchWeights.FORMAT.equals(format) || TorchWeights.FORMAT_JGRAD.equals(format)) {
            // A run's model.safetensors lies beside its checkpoint and is easily given in its place.
            throw new CheckpointException(file + " is a model file (format '" + format + "'), not a training "
                    + "checkpoint: eval --weights and train --init-from take it; --resume, eval --checkpoint and "
                    + "export take the run's checkpoint.safetensors");
        }
        if (!FORMAT.equals(format) && !FORMAT_WITHOUT_CHECKSUM.equals(format)) {
            throw new CheckpointException(file + " is not a jgrad checkpoint (metadata format is "
                    + (format == null ? "missing" : "'" + clip(format) + "'") + ", expected " + FORMAT + ")");
        }
        if (stored == null) {
            throw new CheckpointException("checkpoint " + file + " is corrupt: its '" + CheckpointChecksum.KEY
                    + "' metadata is missing");
        }
        String actual = CheckpointChecksum.of(meta, tensors);
        if (!actual.equals(stored)) {
            throw new CheckpointException("checkpoint " + file + " is corrupt: checksum mismatch (stored "
                    + clip(stored) + ", content has " + actual + ")");
        }
    }

    /** The file's identity (device and inode on POSIX), which every atomic replacement changes; null if absent. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static String clip(String s) {
        String flat = s.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...";
    }

    // "null", "" or a bare number parse as JSON, but would leave a Checkpoint without a config or state.
    private static JsonNode requiredObject(Path file, Map<String, String> meta, String key) {
        JsonNode node = parseJson(file, key, required(file, meta, key));
        if (node == null || !node.isObject()) {
            throw new CheckpointException("checkpoint " + file + " has bad metadata: '" + key
                    + "' is not a JSON object");
        }
        return node;
    }

    /** The metadata value {@code key} as JSON; a syntax error names the key and the offset, not the parser. */
    private static JsonNode parseJson(Path file, String key, String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new CheckpointException("checkpoint " + file + " has bad metadata: '" + key + "' is not valid JSON"
                    + (at >= 0 ? " (at character " + at + " of " + text.length() + ")" : ""), e);
        }
    }

    private static String required(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new CheckpointException("checkpoint " + file + " lacks the '" + key + "' metadata");
        }
        return v;
    }

    // ------------------------------------------------------------------------------------ write

    /** @param trainSeconds training time so far, which a resumed run continues counting from */
    static void write(Path dir, TrainConfig cfg, String dataInfo, Module model, Optimizer optimizer, TrainState st,
                      double trainSeconds) {
        List<NamedTensor> out = new ArrayList<>();
        modelTensors(model).forEach((name, t) -> out.add(new NamedTensor("model." + name, t.shape(), t.toArray())));
        optimizer.state().forEach((name, t) -> out.add(new NamedTensor("optimizer." + name, t.shape(), t.toArray())));
        out.add(new NamedTensor(LOSS_HISTORY, new int[] {st.step}, Arrays.copyOf(st.losses, st.step)));
        ObjectNode s = JSON.createObjectNode();
        s.put("step", st.step);
        s.put("epoch", st.epochsDone());
        s.put("total_steps", st.losses.length);
        s.put("train_seconds", trainSeconds);
        s.put("optimizer_steps", optimizer.stepCount());
        s.put("lr", optimizer.learningRate());
        ObjectNode sampler = s.putObject("sampler");
        sampler.put("seed", cfg.seed() + 1);
        sampler.put("batches_drawn", st.step);
        sampler.put("mode", cfg.epochs() > 0 ? "permutation" : "replacement");
        ObjectNode random = s.putObject("random_state");
        model.randomState().forEach(random::put);
        ObjectNode stop = s.putObject("early_stopping");
        if (Double.isFinite(st.stopper.best())) {
            stop.put("best", st.stopper.best());
        } else {
            stop.putNull("best");
        }
        stop.put("bad_epochs", st.stopper.badEpochs());
        stop.put("stopped_after", st.stopper.stoppedAfter());
        ArrayNode epochs = s.putArray("epochs");
        st.epochs.forEach(e -> epochs.add(JSON.valueToTree(e)));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        try {
            meta.put("config", JSON.writeValueAsString(cfg));
            meta.put("state", JSON.writeValueAsString(s));
            meta.put("data", dataInfo);
            meta.put(CheckpointChecksum.KEY, CheckpointChecksum.of(meta, out));
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE).toAbsolutePath();
            Object damaged = FELL_BACK_FROM.remove(file);
            if (damaged != null && damaged.equals(fileKey(file))) {
                LOG.info("replacing the damaged {}; {} stays the previous checkpoint", file, AtomicFiles.previousOf(file));
                Safetensors.write(file, out, meta);
            } else {
                Safetensors.writeKeepingPrevious(file, out, meta);
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot write checkpoint " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------ check

    /** The steps the checkpoint says it has done, which is also the length of its loss history. */
    private int storedStep() {
        JsonNode step = state.get("step");
        if (step == null || !step.isIntegralNumber() || !step.canConvertToInt() || step.intValue() < 0
                || step.intValue() > TrainConfig.MAX_STEPS) {
            throw new CheckpointException("checkpoint " + file + " has bad metadata: state field 'step' is "
                    + (step == null ? "missing" : clip(step.toString())) + "; allowed: an integer from 0 to "
                    + TrainConfig.MAX_STEPS);
        }
        return step.intValue();
    }

    /**
     * Checks the stored tensors against the ones the config implies for examples of {@code input}
     * shape and {@code classes} classes ({@link ModelShapes}): every model parameter and buffer and
     * every optimizer slot present with exactly the implied shape, the loss history as long as the
     * steps done, and nothing else. Only names and shapes are compared, so a config that implies a
     * model far larger than the file's tensors is refused before anything of that size is allocated.
     * The first disagreement is one line naming the tensor, the expected and the stored shape.
     */
    public void checkTensors(ImageShape input, int classes) {
        Map<String, int[]> expected;
        try {
            ModelShapes model = ModelShapes.of(config, input, classes);
            expected = new LinkedHashMap<>(model.checkpointTensors(config.optimizer()));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("checkpoint " + file + " has a config whose " + config.model()
                    + " cannot be made for " + input + " images and " + classes + " classes: " + e.getMessage(), e);
        }
        expected.put(LOSS_HISTORY, new int[] {storedStep()});
        String against = "checkpoint " + file + " does not match its config (" + describeModel() + "): tensor '";
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            NamedTensor stored = tensors.get(e.getKey());
            if (stored == null) {
                throw new CheckpointException(against + e.getKey() + "' should be " + Arrays.toString(e.getValue())
                        + " but is missing");
            }
            if (!Arrays.equals(stored.shape(), e.getValue())) {
                throw new CheckpointException(against + e.getKey() + "' should be " + Arrays.toString(e.getValue())
                        + " but is " + Arrays.toString(stored.shape()) + " in the file");
            }
        }
        for (NamedTensor t : tensors.values()) {
            if (!expected.containsKey(t.name())) {
                throw new CheckpointException(against + clip(t.name()) + "' " + Arrays.toString(t.shape())
                        + " is stored but not part of that model");
            }
        }
    }

    /**
     * The model of this checkpoint, built once {@link #checkTensors} has passed and loaded with the
     * stored weights, buffers and random counters: the one way to make a model from a checkpoint.
     */
    public Sequential buildModel(Device device, ImageShape input, int classes) {
        checkTensors(input, classes);
        Sequential model = Trainer.buildModel(config, device, input, classes);
        try {
            restoreModel(model);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** "mlp, hidden [100], batch norm, adam": what the tensors of a config depend on. */
    private String describeModel() {
        StringBuilder sb = new StringBuilder(config.model());
        if (!TrainConfig.isResNet(config.model())) {
            sb.append(", hidden ").append(Arrays.toString(config.hidden()));
        } else {
            sb.append(", stem ").append(config.stem());
        }
        if (config.batchNorm()) {
            sb.append(", batch norm");
        }
        return sb.append(", ").append(config.optimizer()).toString();
    }

    // ------------------------------------------------------------------------------------ restore

    /** Loads the model's parameters, buffers and random counters; the model must have exactly these tensors. */
    public void restoreModel(Module model) {
        restoreTensors("model.", modelTensors(model), "the model built from the config");
        Map<String, Long> random = new LinkedHashMap<>();
        state.path("random_state").fields().forEachRemaining(e -> random.put(e.getKey(), e.getValue().asLong()));
        if (!random.keySet().equals(model.randomState().keySet())) {
            throw new CheckpointException("checkpoint " + file + " has random counters " + random.keySet()
                    + " but the model has " + model.randomState().keySet());
        }
        model.restoreRandomState(random);
    }

    /** Puts the whole run back: model, optimizer state and step count, losses, epochs, early stopping. */
    void restoreRun(Module model, Optimizer optimizer, TrainState st, TrainConfig cfg) {
        if (cfg.batchSize() != config.batchSize() || cfg.seed() != config.seed()
                || (cfg.epochs() > 0) != (config.epochs() > 0)) {
            throw new IllegalArgumentException("--batch-size, --seed and the choice of --steps or --epochs must stay as"
                    + " the checkpoint has them (" + config.batchSize() + ", " + config.seed() + ", "
                    + (config.epochs() > 0 ? "--epochs" : "--steps") + ") for the run to continue");
        }
        int step = step();
        if (step > st.losses.length) {
            throw new IllegalArgumentException("the checkpoint is at step " + step + ", past the " + st.losses.length
                    + " steps asked for");
        }
        if (!cfg.optimizer().equals(config.optimizer())) {
            throw new CheckpointException("checkpoint " + file + " holds " + config.optimizer()
                    + " optimizer state; cannot continue with " + cfg.optimizer());
        }
        restoreModel(model);
        restoreTensors("optimizer.", optimizer.state(), "the " + cfg.optimizer() + " optimizer");
        optimizer.setStepCount(state.path("optimizer_steps").asInt());
        NamedTensor history = tensors.get(LOSS_HISTORY);
        if (history == null || history.data().length != step) {
            throw new CheckpointException("checkpoint " + file + " has no loss history of " + step + " steps");
        }
        System.arraycopy(history.data(), 0, st.losses, 0, step);
        st.step = step;
        st.earlierSeconds = state.path("train_seconds").asDouble();
        try {
            for (JsonNode e : state.path("epochs")) {
                st.epochs.add(JSON.treeToValue(e, EpochStats.class));
            }
        } catch (IOException e) {
            throw new CheckpointException("checkpoint " + file + " has bad epoch records: " + e.getMessage(), e);
        }
        JsonNode stop = state.path("early_stopping");
        st.stopper.restore(stop.path("best").isNumber() ? stop.path("best").asDouble() : Double.POSITIVE_INFINITY,
                stop.path("bad_epochs").asInt(), stop.path("stopped_after").asInt());
    }

    private void restoreTensors(String prefix, Map<String, Tensor> live, String what) {
        TreeSet<String> stored = new TreeSet<>();
        tensors.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(n -> stored.add(n.substring(prefix.length())));
        if (!stored.equals(new TreeSet<>(live.keySet()))) {
            TreeSet<String> missing = new TreeSet<>(live.keySet());
            missing.removeAll(stored);
            TreeSet<String> extra = new TreeSet<>(stored);
            extra.removeAll(live.keySet());
            throw new CheckpointException("checkpoint " + file + " does not match " + what + ": "
                    + (missing.isEmpty() ? "" : "missing " + prefix + missing + " ")
                    + (extra.isEmpty() ? "" : "unexpected " + prefix + extra));
        }
        for (Map.Entry<String, Tensor> e : live.entrySet()) {
            NamedTensor t = tensors.get(prefix + e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new CheckpointException("checkpoint " + file + " does not match " + what + ": " + prefix
                        + e.getKey() + " is " + Arrays.toString(t.shape()) + " in the checkpoint but "
                        + Arrays.toString(e.getValue().shape()) + " in the model");
            }
        }
        live.forEach((name, t) -> t.copyFrom(tensors.get(prefix + name).data()));
    }

    private static Map<String, Tensor> modelTensors(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Parameter> all = new ArrayList<>(model.parameters());
        all.addAll(model.buffers());
        for (Parameter p : all) {
            out.put(p.name(), p.tensor());
        }
        return out;
    }
}
