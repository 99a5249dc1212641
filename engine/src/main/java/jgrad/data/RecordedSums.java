package jgrad.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@code SHA256SUMS} file in a dataset's directory ({@code sha256sum} format: "digest␠␠name").
 * It holds the digests of files whose spec has no SHA-256 (only the MD5 of the published .gz):
 * import writes the digest of what a verified .gz unpacked to, and loads check against it.
 */
final class RecordedSums {
    private RecordedSums() {}

    static Optional<String> lookup(Path sums, String fileName) {
        return Optional.ofNullable(read(sums).get(fileName));
    }

    static void record(Path sums, String fileName, String sha256) {
        Map<String, String> all = read(sums);
        if (sha256.equals(all.get(fileName))) {
            return;
        }
        all.put(fileName, sha256);
        StringBuilder text = new StringBuilder();
        all.forEach((name, sha) -> text.append(sha).append("  ").append(name).append('\n'));
        FileOps.writeAtomically(sums, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> read(Path sums) {
        Map<String, String> out = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
                String[] parts = line.strip().split("\\s+\\*?", 2);
                if (parts.length == 2 && parts[0].matches("[0-9a-f]{64}")) {
                    out.put(parts[1], parts[0]);
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw DataException.inFile(sums.toString(), "cannot read: " + e.getMessage(), e);
        }
        return out;
    }
}
