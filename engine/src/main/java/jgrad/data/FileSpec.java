package jgrad.data;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One file of a dataset as it is stored on disk: its canonical (uncompressed) name, the SHA-256
 * of its uncompressed content, and that content's exact size. The size lets import bound gzip
 * decompression and report a wrong file without hashing it.
 */
public record FileSpec(String name, String sha256, long size) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public FileSpec {
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("bad file name: " + name);
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException(name + ": not a SHA-256 hex digest: " + sha256);
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
