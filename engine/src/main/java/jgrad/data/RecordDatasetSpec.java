package jgrad.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset stored as files of fixed-size records, each one label byte followed by the pixels as
 * channel planes (CIFAR-10's "binary version": 1 + 3·32·32 = 3073 bytes per record, R, G, B planes
 * of 32×32, row-major). The files come from {@code cifar-10-binary.tar.gz} through
 * {@code jgrad data import}; there is no mirror serving them file by file.
 *
 * @param trainFiles the training files in the order their records are concatenated
 * @param testFiles  the test files, likewise
 * @param archive    the published archive holding the files and where it is, for messages
 */
public record RecordDatasetSpec(String name, ImageShape shape, int classes, List<FileSpec> trainFiles,
                                List<FileSpec> testFiles, String archive) implements DatasetSpec {

    private static final long CIFAR_FILE_BYTES = 10_000L * 3073;

    /**
     * CIFAR-10, binary version. SHA-256 of each file as listed by torchvision-ruby's CIFAR10
     * (the test file's digest also appears independently elsewhere); each file holds 10 000 records.
     * The tarball's own SHA-256 is c4a38c50…a59bca1dd (170 052 171 bytes, MD5 c32a1d4a…e8d87530),
     * but files are checked one by one, so a folder of the unpacked files imports as well.
     */
    public static final RecordDatasetSpec CIFAR10 = new RecordDatasetSpec("cifar10", new ImageShape(3, 32, 32), 10,
            List.of(cifar("data_batch_1.bin", "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5"),
                    cifar("data_batch_2.bin", "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed"),
                    cifar("data_batch_3.bin", "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67"),
                    cifar("data_batch_4.bin", "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48"),
                    cifar("data_batch_5.bin", "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add")),
            List.of(cifar("test_batch.bin", "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b")),
            "cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html");

    private static FileSpec cifar(String name, String sha256) {
        return new FileSpec(name, sha256, CIFAR_FILE_BYTES);
    }

    public RecordDatasetSpec {
        DatasetSpec.checkName(name);
        if (classes <= 0 || classes > 256) {
            throw new IllegalArgumentException(name + ": class count must be in 1..256, got " + classes);
        }
        trainFiles = List.copyOf(trainFiles);
        testFiles = List.copyOf(testFiles);
        if (trainFiles.isEmpty() || testFiles.isEmpty()) {
            throw new IllegalArgumentException(name + ": needs training and test files");
        }
    }

    /** Bytes per record: the label byte and the pixels. */
    public int recordBytes() {
        return 1 + shape.pixels();
    }

    @Override
    public List<FileSpec> files() {
        List<FileSpec> all = new ArrayList<>(trainFiles);
        all.addAll(testFiles);
        return all;
    }

    @Override
    public List<URI> mirrors() {
        return List.of();
    }

    @Override
    public String npmPackage() {
        return null;
    }

    @Override
    public int trainCount() {
        return Math.toIntExact(trainFiles.stream().mapToLong(FileSpec::size).sum() / recordBytes());
    }

    @Override
    public int testCount() {
        return Math.toIntExact(testFiles.stream().mapToLong(FileSpec::size).sum() / recordBytes());
    }
}
