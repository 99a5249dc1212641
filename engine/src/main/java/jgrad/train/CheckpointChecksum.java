package jgrad.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import jgrad.io.NamedTensor;

/**
 * The {@code checksum} metadata entry of a checkpoint: {@code "crc32c:" + 8 lowercase hex digits}, the
 * CRC-32C (Castagnoli, as {@link CRC32C}) of this byte stream, where {@code u64} is an unsigned 64-bit
 * little-endian integer and {@code str(s)} is {@code u64(length of s in UTF-8) ++ UTF-8 bytes of s}:
 *
 * <pre>
 *   u64(number of metadata entries other than "checksum")
 *   for each such entry, by key (UTF-8 byte order):   str(key) str(value)
 *   u64(number of tensors)
 *   for each tensor, by name (UTF-8 byte order):      str(name) str(dtype) u64(rank) u64(dim)... u64(byte count)
 *                                                     the tensor's bytes as stored (little-endian)
 * </pre>
 *
 * <p>So it covers everything a load uses (every other metadata value, every tensor's name, dtype,
 * shape and data) and nothing of the layout (header formatting, padding, offsets, tensor order), which
 * the safetensors parser validates on its own. A file re-saved by another safetensors writer with the
 * same tensors and metadata keeps a valid checksum. CRC-32C detects every burst error up to 32 bits
 * and misses a random corruption with probability 2^-32; it guards against damage, not tampering.
 */
final class CheckpointChecksum {
    static final String KEY = "checksum";
    static final String PREFIX = "crc32c:";
    private static final int CHUNK_FLOATS = 1 << 18;

    private CheckpointChecksum() {}

    /** The checksum value for this metadata (its own {@code checksum} entry, if any, is skipped) and these F32 tensors. */
    static String of(Map<String, String> metadata, List<NamedTensor> tensors) {
        CRC32C crc = new CRC32C();
        ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        List<Map.Entry<String, String>> entries = new ArrayList<>(metadata.entrySet());
        entries.removeIf(e -> e.getKey().equals(KEY));
        entries.sort(Comparator.comparing(e -> utf8(e.getKey()), Arrays::compareUnsigned));
        u64(crc, word, entries.size());
        for (Map.Entry<String, String> e : entries) {
            str(crc, word, e.getKey());
            str(crc, word, e.getValue());
        }
        List<NamedTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(t -> utf8(t.name()), Arrays::compareUnsigned));
        u64(crc, word, sorted.size());
        ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
        for (NamedTensor t : sorted) {
            str(crc, word, t.name());
            str(crc, word, "F32");
            u64(crc, word, t.shape().length);
            for (int d : t.shape()) {
                u64(crc, word, d);
            }
            float[] data = t.data();
            u64(crc, word, 4L * data.length);
            for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
                int n = Math.min(CHUNK_FLOATS, data.length - off);
                chunk.clear();
                chunk.asFloatBuffer().put(data, off, n); // raw bits, exactly as Safetensors writes them
                crc.update(chunk.array(), 0, 4 * n);
            }
        }
        return PREFIX + HexFormat.of().toHexDigits((int) crc.getValue());
    }

    private static void u64(CRC32C crc, ByteBuffer word, long v) {
        word.clear();
        crc.update(word.putLong(v).array(), 0, 8);
    }

    private static void str(CRC32C crc, ByteBuffer word, String s) {
        byte[] b = utf8(s);
        u64(crc, word, b.length);
        crc.update(b);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
