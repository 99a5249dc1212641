package jgrad.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Builders for small IDX files, so tests never need the real MNIST or the network. */
final class TestFiles {
    private TestFiles() {}

    /** An IDX file with an arbitrary header (any magic, any dims) followed by {@code dataBytes} bytes. */
    static byte[] idx(int magic, int[] dims, int dataBytes, long seed) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
        buf.putInt(magic);
        for (int d : dims) {
            buf.putInt(d);
        }
        byte[] data = new byte[dataBytes];
        new Random(seed).nextBytes(data);
        buf.put(data);
        return buf.array();
    }

    static byte[] images(int count, int rows, int cols, long seed) {
        return idx(0x0803, new int[] {count, rows, cols}, count * rows * cols, seed);
    }

    static byte[] labels(int count, int classes, long seed) {
        byte[] data = new byte[count];
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            data[i] = (byte) r.nextInt(classes);
        }
        return Idx.encode(new IdxArray(new int[] {count}, data));
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    static Path write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
