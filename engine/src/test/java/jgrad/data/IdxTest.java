package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    private DataException fails(String name, byte[] content, int expectedDims) {
        Path f = TestFiles.write(dir.resolve(name), content);
        DataException e = assertThrows(DataException.class, () -> Idx.read(f, expectedDims));
        assertTrue(e.getMessage().startsWith(name + ": "), "message names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private static void assertContains(DataException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void readsRawAndGzipIdentically() {
        byte[] content = TestFiles.images(5, 28, 28, 1);
        IdxArray raw = Idx.read(TestFiles.write(dir.resolve("a-idx3-ubyte"), content));
        // The gzip copy deliberately has no .gz suffix: detection is by content.
        IdxArray gz = Idx.read(TestFiles.write(dir.resolve("b-idx3-ubyte"), TestFiles.gzip(content)));
        assertArrayEquals(new int[] {5, 28, 28}, raw.dims());
        assertEquals(raw, gz);
        assertEquals(5, raw.count());
        assertEquals(784, raw.itemSize());
        assertArrayEquals(Arrays.copyOfRange(content, 16, content.length), raw.data());
        assertArrayEquals(content, Idx.encode(raw));
    }

    @Test
    void readsLabelsAndFourDims() {
        IdxArray labels = Idx.read(TestFiles.write(dir.resolve("l"), TestFiles.labels(7, 10, 2)), 1);
        assertArrayEquals(new int[] {7}, labels.dims());
        IdxArray four = Idx.parse("x", TestFiles.idx(0x0804, new int[] {2, 3, 4, 5}, 120, 3), Idx.ANY_DIMS);
        assertEquals(4, four.rank());
    }

    @Test
    void wrongMagic() {
        DataException e = fails("train-images-idx3-ubyte", TestFiles.idx(0, new int[] {}, 100, 1), 3);
        assertContains(e, "bad magic 0x00000000", "expected 0x00000803 for unsigned-byte 3-d IDX");
        e = fails("junk", "PK\u0003\u0004 this is a zip".getBytes(), Idx.ANY_DIMS);
        assertContains(e, "bad magic 0x504B0304");
    }

    @Test
    void wrongDimensionCountIsBadMagic() {
        DataException e = fails("t10k-labels-idx1-ubyte", TestFiles.labels(3, 10, 1), 3);
        assertContains(e, "bad magic 0x00000801", "expected 0x00000803");
    }

    @Test
    void dimensionCountOutOfRange() {
        assertContains(fails("zero", TestFiles.idx(0x0800, new int[] {}, 4, 1), Idx.ANY_DIMS), "dimension count 0");
        assertContains(fails("five", TestFiles.idx(0x0805, new int[] {1, 1, 1, 1, 1}, 1, 1), Idx.ANY_DIMS),
                "dimension count 5");
    }

    @Test
    void unsupportedTypeCode() {
        DataException e = fails("floats", TestFiles.idx(0x0D03, new int[] {1, 2, 2}, 16, 1), 3);
        assertContains(e, "unsupported IDX type code 0x0D (float)", "only unsigned byte");
    }

    @Test
    void truncatedRawAndGzip() {
        byte[] full = TestFiles.images(3, 28, 28, 1);
        byte[] cut = Arrays.copyOf(full, 1000);
        assertContains(fails("train-images-idx3-ubyte", cut, 3),
                "truncated: header says 3 images of 28×28 (2368 bytes) but file has 1000 bytes");
        assertContains(fails("gz-images", TestFiles.gzip(cut), 3), "truncated", "2368 bytes", "1000 bytes");
        assertContains(fails("header-only", Arrays.copyOf(full, 10), 3), "truncated", "3 dimensions");
        assertContains(fails("tiny", new byte[] {0, 0}, 3), "truncated", "2 bytes");
    }

    @Test
    void trailingBytesRawAndGzip() {
        byte[] full = TestFiles.labels(5, 10, 1);
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        assertContains(fails("labels", longer, 1), "trailing bytes", "5 entries (13 bytes)", "file has 16 bytes");
        assertContains(fails("labels-gz", TestFiles.gzip(longer), 1), "trailing bytes", "16 bytes");
    }

    @Test
    void zeroDimension() {
        assertContains(fails("z", TestFiles.idx(0x0803, new int[] {4, 0, 28}, 0, 1), 3), "dimension 1 is 0");
    }

    @Test
    void hugeHeaderOnTinyFileNeitherAllocatesNorHangs() {
        // 2^31-1 × 28 × 28 would overflow an int; 60000 × 28 × 28 fits but the file has 100 bytes.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            byte[] overflow = TestFiles.idx(0x0803, new int[] {Integer.MAX_VALUE, 28, 28}, 100, 1);
            assertContains(fails("overflow", overflow, 3), "too large");
            assertContains(fails("overflow-gz", TestFiles.gzip(overflow), 3), "too large");
            byte[] negative = TestFiles.idx(0x0801, new int[] {-1}, 100, 1);
            assertContains(fails("negative", negative, 1), "dimension 0 is 4294967295");
            byte[] big = TestFiles.idx(0x0803, new int[] {60000, 28, 28}, 100, 1);
            assertContains(fails("big", big, 3), "truncated", "47040016 bytes", "file has 116 bytes");
            // For gzip the length is unknown up front: the reader must grow with the data, not the header.
            byte[] huge = TestFiles.idx(0x0803, new int[] {2_000_000, 32, 32}, 100, 1);
            assertContains(fails("huge-gz", TestFiles.gzip(huge), 3), "truncated", "after gzip decompression");
        });
    }

    @Test
    void corruptGzip() {
        byte[] gz = TestFiles.gzip(TestFiles.images(3, 28, 28, 1));
        byte[] broken = Arrays.copyOf(gz, gz.length / 2);
        assertContains(fails("broken-gz", broken, 3), "corrupt gzip data");
    }

    @Test
    void missingFile() {
        DataException e = assertThrows(DataException.class, () -> Idx.read(dir.resolve("nope-idx1-ubyte")));
        assertContains(e, "nope-idx1-ubyte: file not found");
    }
}
