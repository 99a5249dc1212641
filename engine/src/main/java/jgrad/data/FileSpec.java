package jgrad.data;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One file of a dataset as it is stored on disk: its canonical (uncompressed) name, the SHA-256
 * of its uncompressed content, and that content's exact size. The size lets import bound gzip
 * decompression and report a wrong file without hashing it.
 *
 * <p>Some datasets publish only the MD5 of their gzipped files (Fashion-MNIST). Such a file has
 * {@code sha256 == null} and a {@code gzipMd5}: import accepts it only as the published .gz whose
 * MD5 matches, and records the SHA-256 of the content it unpacked in the dataset's
 * {@code SHA256SUMS}, which later loads check.
 *
 * @param sha256  SHA-256 of the uncompressed content, or null when only {@code gzipMd5} is published
 * @param gzipMd5 MD5 of the published .gz file, or null
 */
public record FileSpec(String name, String sha256, long size, String gzipMd5) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");

    /** A file known by the SHA-256 of its uncompressed content. */
    public FileSpec(String name, String sha256, long size) {
        this(name, sha256, size, null);
    }

    public FileSpec {
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("bad file name: " + name);
        }
        if (sha256 == null && gzipMd5 == null) {
            throw new IllegalArgumentException(name + ": needs a SHA-256 or the MD5 of its published .gz");
        }
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!HEX64.matcher(sha256).matches()) {
                throw new IllegalArgumentException(name + ": not a SHA-256 hex digest: " + sha256);
            }
        }
        if (gzipMd5 != null) {
            gzipMd5 = gzipMd5.toLowerCase(Locale.ROOT);
            if (!HEX32.matcher(gzipMd5).matches()) {
                throw new IllegalArgumentException(name + ": not an MD5 hex digest: " + gzipMd5);
            }
        }
        if (size <= 0) {
            throw new IllegalArgumentException(name + ": size must be > 0, got " + size);
        }
    }

    /**
     * Maps the spellings found in the wild onto the canonical name: {@code x.gz} → {@code x}, and
     * {@code t10k-images.idx3-ubyte} (the dot variant some mirrors use) → {@code t10k-images-idx3-ubyte}.
     */
    public static String canonicalName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        return n.replace(".idx", "-idx");
    }
}
