package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import jgrad.CapturedLog;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST (verified through the MD5 of its .gz files) and CIFAR-10 binary records, on small fakes. */
class MoreDatasetsTest {
    @TempDir
    Path tmp;

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    // ------------------------------------------------------------------ Fashion-MNIST

    private final Map<String, byte[]> fashion = new LinkedHashMap<>();
    private final Map<String, byte[]> fashionGz = new LinkedHashMap<>();

    private IdxDatasetSpec fakeFashion() throws Exception {
        fashion.put("train-images-idx3-ubyte", TestFiles.images(5, 28, 28, 11));
        fashion.put("train-labels-idx1-ubyte", TestFiles.labels(5, 10, 12));
        fashion.put("t10k-images-idx3-ubyte", TestFiles.images(2, 28, 28, 13));
        fashion.put("t10k-labels-idx1-ubyte", TestFiles.labels(2, 10, 14));
        FileSpec[] f = new FileSpec[4];
        int i = 0;
        for (var e : fashion.entrySet()) {
            byte[] gz = TestFiles.gzip(e.getValue());
            fashionGz.put(e.getKey(), gz);
            f[i++] = new FileSpec(e.getKey(), null, e.getValue().length, md5(gz));
        }
        return IdxDatasetSpec.FASHION_MNIST.withFiles(f[0], f[1], f[2], f[3]).withSources(List.of(), null);
    }

    @Test
    void fashionImportsOnlyThePublishedGzAndRecordsTheSha256() throws Exception {
        IdxDatasetSpec spec = fakeFashion();
        DataStore store = new DataStore(tmp.resolve("store"), List.of(IdxDatasetSpec.MNIST, spec));
        Path src = tmp.resolve("src");

        // Raw files cannot be checked against an MD5 of gzip bytes: refused, saying what to import.
        TestFiles.write(src.resolve("raw/t10k-labels-idx1-ubyte"), fashion.get("t10k-labels-idx1-ubyte"));
        // A .gz with another MD5 (same content, other compression) is refused too.
        byte[] regz = TestFiles.gzip(fashion.get("t10k-labels-idx1-ubyte"));
        regz[9] ^= 1; // the OS byte of the gzip header: same content, different file
        TestFiles.write(src.resolve("other/t10k-labels-idx1-ubyte.gz"), regz);
        try (CapturedLog log = CapturedLog.of(DataImport.class, Level.WARN)) {
            DataException raw = assertThrows(DataException.class, () -> store.importFrom(src.resolve("raw")));
            assertTrue(raw.getMessage().contains("fashion-mnist") && raw.getMessage().contains(".gz"), raw.getMessage());
            DataException other = assertThrows(DataException.class, () -> store.importFrom(src.resolve("other")));
            assertTrue(other.getMessage().contains("matches none of"), other.getMessage());
            List<String> warned = log.messages(Level.WARN);
            assertEquals(2, warned.size(), warned.toString());
            assertTrue(warned.get(0).startsWith("rejected " + src.resolve("raw/t10k-labels-idx1-ubyte") + ": "),
                    warned.get(0));
            assertTrue(warned.get(1).startsWith("rejected " + src.resolve("other/t10k-labels-idx1-ubyte.gz") + ": "),
                    warned.get(1));
        }

        fashionGz.forEach((name, gz) -> TestFiles.write(src.resolve("gz/" + name + ".gz"), gz));
        assertEquals(4, store.importFrom(src.resolve("gz")).size());
        String sums = Files.readString(store.root().resolve("fashion-mnist/SHA256SUMS"));
        assertTrue(sums.contains(FileOps.sha256(fashion.get("train-images-idx3-ubyte")) + "  train-images-idx3-ubyte"),
                sums);
        ImageDataset ds = store.load(spec);
        assertEquals(5, ds.train().count());
        assertEquals(new ImageShape(1, 28, 28), ds.shape());
        assertTrue(store.problems(spec).isEmpty());

        // The recorded digest guards the stored file like a published one would.
        Path p = store.path(spec, spec.trainImages());
        byte[] altered = Files.readAllBytes(p);
        altered[100] ^= 1;
        Files.write(p, altered);
        DataException e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: SHA-256 mismatch"), e.getMessage());
    }

    @Test
    void fashionWithoutRecordedDigestsSaysHowToImport() throws Exception {
        IdxDatasetSpec spec = fakeFashion();
        DataStore store = new DataStore(tmp.resolve("store"), List.of(spec));
        fashion.forEach((name, raw) -> TestFiles.write(store.path(spec, spec.file(name).orElseThrow()), raw));
        DataException e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().contains("no SHA-256 recorded") && e.getMessage().contains("MD5"), e.getMessage());
    }

    // ------------------------------------------------------------------ CIFAR-10

    /** {@code count} records in the CIFAR-10 binary layout: label byte, then R, G, B planes of 32×32. */
    static byte[] cifarRecords(int count, int recordBytes, long seed) {
        byte[] b = new byte[count * recordBytes];
        Random r = new Random(seed);
        r.nextBytes(b);
        for (int i = 0; i < count; i++) {
            b[i * recordBytes] = (byte) r.nextInt(10);
        }
        return b;
    }

    private final Map<String, byte[]> cifar = new LinkedHashMap<>();

    private RecordDatasetSpec fakeCifar(int recordBytes) {
        List<String> train = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin");
        for (int i = 0; i < train.size(); i++) {
            cifar.put(train.get(i), cifarRecords(3 + i, recordBytes, i));
        }
        cifar.put("test_batch.bin", cifarRecords(4, recordBytes, 99));
        List<FileSpec> specs = cifar.entrySet().stream()
                .map(e -> new FileSpec(e.getKey(), FileOps.sha256(e.getValue()), e.getValue().length)).toList();
        return new RecordDatasetSpec("cifar10", new ImageShape(3, 32, 32), 10, specs.subList(0, 5), specs.subList(5, 6),
                "cifar-10-binary.tar.gz");
    }

    @Test
    void cifarImportsFromTheTarballAndLoadsChannelPlanes() throws Exception {
        RecordDatasetSpec spec = fakeCifar(3073);
        DataStore store = new DataStore(tmp.resolve("store"), List.of(spec));
        Path tgz = tmp.resolve("cifar-10-binary.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            add(tar, "cifar-10-batches-bin/batches.meta.txt", "airplane\n".getBytes());
            for (var e : cifar.entrySet()) {
                add(tar, "cifar-10-batches-bin/" + e.getKey(), e.getValue());
            }
        }
        assertEquals(6, store.importFrom(tgz).size());
        ImageDataset ds = store.load(spec);
        assertEquals(3 + 4 + 5 + 6 + 7, ds.train().count());
        assertEquals(4, ds.test().count());
        assertEquals(new ImageShape(3, 32, 32), ds.shape());
        assertEquals(3072, ds.train().pixels());
        // Record 1 of data_batch_2 is training image 3 + 1: label byte first, then the planes in order.
        byte[] b2 = cifar.get("data_batch_2.bin");
        int rec = 3073;
        assertEquals(b2[rec] & 0xff, ds.train().labels()[4]);
        float[] img = ds.train().images();
        int green = 1024 + 5 * 32 + 7; // channel 1, row 5, column 7
        assertEquals((b2[rec + 1 + green] & 0xff) / 255f, img[4 * 3072 + green]);
        assertEquals(ds.test().labels()[3], cifar.get("test_batch.bin")[3 * 3073] & 0xff);
        assertTrue(store.problems(spec).isEmpty());
        DataException fetch = assertThrows(DataException.class, () -> {
            Files.delete(store.path(spec, spec.testFiles().get(0)));
            store.fetch(spec);
        });
        assertTrue(fetch.getMessage().contains("jgrad data import"), fetch.getMessage());
    }

    @Test
    void cifarFileWithTheWrongRecordSizeNamesTheFile() throws IOException {
        RecordDatasetSpec spec = fakeCifar(3000);
        DataStore store = new DataStore(tmp.resolve("store"), List.of(spec));
        Path dir = tmp.resolve("bins");
        cifar.forEach((name, b) -> TestFiles.write(dir.resolve(name), b));
        store.importFrom(dir); // hashes match the (fake) spec, so the files install
        DataException e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().startsWith("data_batch_1.bin: size 9000 bytes is not a whole number of 3073-byte"),
                e.getMessage());
        assertEquals(6, store.problems(spec).size());
        DataException direct = assertThrows(DataException.class,
                () -> RecordFiles.loadUnverified(spec, List.of(dir.resolve("test_batch.bin"))));
        assertTrue(direct.getMessage().startsWith("test_batch.bin: "), direct.getMessage());
    }

    @Test
    void cifarLabelOutOfRangeNamesFileAndRecord() {
        RecordDatasetSpec spec = fakeCifar(3073);
        byte[] bad = cifar.get("test_batch.bin").clone();
        bad[2 * 3073] = (byte) 10;
        Path p = TestFiles.write(tmp.resolve("test_batch.bin"), bad);
        DataException e = assertThrows(DataException.class, () -> RecordFiles.loadUnverified(spec, List.of(p)));
        assertEquals("test_batch.bin: label 10 in record 2 is out of range 0..9", e.getMessage());
    }

    /** CIFAR-10 has no mirror and no npm package: fetching it says how to install it, not "could not fetch (...)". */
    @Test
    void fetchingADataSetWithNoSourceSaysHowToImportIt() {
        DataStore store = new DataStore(tmp.resolve("store"), List.of(RecordDatasetSpec.CIFAR10));
        DataException e = assertThrows(DataException.class, () -> store.fetch(RecordDatasetSpec.CIFAR10));
        assertEquals("cifar10 is not fetched by jgrad (it has no mirror or npm package to fetch from); run `jgrad "
                + "data import PATH` with cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html or "
                + "its unpacked files", e.getMessage());
    }

    @Test
    void knownSpecsAreConsistent() {
        assertEquals(List.of("mnist", "fashion-mnist", "cifar10"), DatasetSpec.known().stream().map(DatasetSpec::name).toList());
        assertEquals(new ImageShape(3, 32, 32), DatasetSpec.byName("CIFAR10").shape());
        assertEquals(6, RecordDatasetSpec.CIFAR10.files().size());
        assertTrue(RecordDatasetSpec.CIFAR10.files().stream().allMatch(f -> f.size() == 10_000L * 3073));
        assertArrayEquals(IdxDatasetSpec.MNIST.files().stream().mapToLong(FileSpec::size).toArray(),
                IdxDatasetSpec.FASHION_MNIST.files().stream().mapToLong(FileSpec::size).toArray());
        assertEquals("Ankle boot", DatasetSpec.byName("fashion-mnist").classNames().get(9));
        assertEquals("7", DatasetSpec.byName("mnist").classNames().get(7));
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
