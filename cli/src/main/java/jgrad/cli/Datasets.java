package jgrad.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import jgrad.data.DataStore;
import jgrad.data.FileSpec;
import jgrad.data.IdxDatasetSpec;
import jgrad.data.ImageDataset;
import jgrad.data.ImageSplit;
import jgrad.nn.ImageShape;
import jgrad.train.TrainData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads data sets for the commands, fetching MNIST on first use. */
final class Datasets {
    private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

    private Datasets() {}

    static DataStore store(Path dataDir) {
        return dataDir == null ? DataStore.atDefaultLocation() : new DataStore(dataDir);
    }

    /** MNIST as flat 784-feature rows in [0,1]; every file is checked against its SHA-256 first. */
    static TrainData mnist(Path dataDir, boolean fetchIfMissing) {
        DataStore store = store(dataDir);
        IdxDatasetSpec spec = IdxDatasetSpec.MNIST;
        if (fetchIfMissing) {
            boolean missing = false;
            for (FileSpec f : spec.files()) {
                missing |= !Files.isRegularFile(store.path(spec, f));
            }
            if (missing) {
                LOG.info("MNIST is not in {} yet: fetching it (once)", store.root());
                store.fetch(spec);
            }
        }
        ImageDataset ds = store.load(spec);
        return new TrainData(ds.train().images(), labels(ds.train()), ds.train().count(),
                ds.test().images(), labels(ds.test()), ds.test().count(),
                new ImageShape(1, ds.train().rows(), ds.train().cols()), ds.classes());
    }

    private static float[] labels(ImageSplit split) {
        float[] out = new float[split.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = split.labels()[i];
        }
        return out;
    }
}
