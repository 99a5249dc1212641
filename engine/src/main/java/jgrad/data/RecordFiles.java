package jgrad.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads datasets of fixed-size records (CIFAR-10 binary: one label byte, then the pixels as channel
 * planes). The record layout already is NCHW, so pixels are copied in order and scaled by 1/255.
 */
final class RecordFiles {
    private RecordFiles() {}

    /** One file's records, still as bytes. */
    record Records(String file, byte[] bytes, int count) {}

    static ImageDataset load(DataStore store, RecordDatasetSpec spec) {
        store.requirePresent(spec);
        List<Records> train = new ArrayList<>();
        for (FileSpec f : spec.trainFiles()) {
            train.add(store.readVerified(spec, f, (in, size) -> read(spec, f.name(), in, size)));
        }
        List<Records> test = new ArrayList<>();
        for (FileSpec f : spec.testFiles()) {
            test.add(store.readVerified(spec, f, (in, size) -> read(spec, f.name(), in, size)));
        }
        return new ImageDataset(spec.name(), split(spec, train), split(spec, test), spec.classes());
    }

    /** Records from files on disk, checked for structure only (no hashes): tools and tests. */
    static ImageSplit loadUnverified(RecordDatasetSpec spec, List<Path> files) {
        List<Records> all = new ArrayList<>();
        for (Path p : files) {
            String name = p.getFileName().toString();
            try (InputStream in = Files.newInputStream(p)) {
                all.add(read(spec, name, in, Files.size(p)));
            } catch (IOException e) {
                throw DataException.inFile(name, "cannot read " + p + ": " + e.getMessage(), e);
            }
        }
        return split(spec, all);
    }

    /** Reads and checks a whole file: a whole number of records, every label below the class count. */
    static Records read(RecordDatasetSpec spec, String name, InputStream in, long size) throws IOException {
        int recordBytes = spec.recordBytes();
        if (size <= 0 || size % recordBytes != 0) {
            throw DataException.inFile(name, "size " + size + " bytes is not a whole number of " + recordBytes
                    + "-byte records (1 label byte + " + spec.shape() + " pixels)");
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw DataException.inFile(name, "too large for one file of records: " + size + " bytes");
        }
        byte[] bytes = in.readNBytes((int) size);
        if (bytes.length != size) {
            throw DataException.inFile(name, "truncated while reading: " + bytes.length + " of " + size + " bytes");
        }
        int count = (int) (size / recordBytes);
        for (int r = 0; r < count; r++) {
            int label = bytes[r * recordBytes] & 0xff;
            if (label >= spec.classes()) {
                throw DataException.inFile(name, "label " + label + " in record " + r + " is out of range 0.."
                        + (spec.classes() - 1));
            }
        }
        return new Records(name, bytes, count);
    }

    private static ImageSplit split(RecordDatasetSpec spec, List<Records> files) {
        int recordBytes = spec.recordBytes();
        int pixels = spec.shape().pixels();
        long total = files.stream().mapToLong(Records::count).sum();
        // total is below 2^31 (each file's records are) and so is pixels: the exact product fits a long.
        if (Math.multiplyExact(total, (long) pixels) > jgrad.tensor.Sizes.MAX_ELEMENTS) {
            throw new DataException(spec.name() + ": " + total + " images of " + pixels + " values do not fit one"
                    + " array (at most " + jgrad.tensor.Sizes.MAX_ELEMENTS + ")");
        }
        float[] images = new float[Math.toIntExact(total * pixels)];
        int[] labels = new int[(int) total];
        int i = 0;
        for (Records f : files) {
            byte[] b = f.bytes();
            for (int r = 0; r < f.count(); r++, i++) {
                int base = r * recordBytes;
                labels[i] = b[base] & 0xff;
                int out = i * pixels;
                for (int k = 0; k < pixels; k++) {
                    images[out + k] = (b[base + 1 + k] & 0xff) / 255f;
                }
            }
        }
        ImageShape s = spec.shape();
        return new ImageSplit(images, labels, (int) total, s.height(), s.width(), s.channels());
    }
}
