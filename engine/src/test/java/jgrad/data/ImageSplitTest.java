package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSplitTest {
    @TempDir
    Path dir;

    @Test
    void loadsAndScalesPixels() {
        byte[] img = TestFiles.images(4, 28, 28, 7);
        byte[] lab = TestFiles.labels(4, 10, 7);
        Path images = TestFiles.write(dir.resolve("train-images-idx3-ubyte"), img);
        Path labels = TestFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"), TestFiles.gzip(lab));

        ImageSplit split = DataStore.loadIdxSplit(images, labels);

        assertEquals(4, split.count());
        assertEquals(28, split.rows());
        assertEquals(28, split.cols());
        assertEquals(4 * 784, split.images().length);
        for (int i = 0; i < split.images().length; i++) {
            assertEquals((img[16 + i] & 0xff) / 255f, split.images()[i]);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(lab[8 + i], split.labels()[i]);
        }
    }

    @Test
    void extremesMapToZeroAndOne() {
        byte[] data = new byte[2 * 784];
        data[0] = (byte) 255;
        IdxArray img = new IdxArray(new int[] {2, 28, 28}, data);
        IdxArray lab = new IdxArray(new int[] {2}, new byte[] {0, 9});
        ImageSplit s = ImageSplit.of("i", img, "l", lab, 28, 28, 10);
        assertEquals(1f, s.images()[0]);
        assertEquals(0f, s.images()[1]);
        assertArrayEquals(new int[] {0, 9}, s.labels());
    }

    @Test
    void countMismatchNamesBothFiles() {
        Path images = TestFiles.write(dir.resolve("t10k-images-idx3-ubyte"), TestFiles.images(5, 28, 28, 1));
        Path labels = TestFiles.write(dir.resolve("t10k-labels-idx1-ubyte"), TestFiles.labels(4, 10, 1));
        DataException e = assertThrows(DataException.class, () -> DataStore.loadIdxSplit(images, labels));
        assertEquals("t10k-images-idx3-ubyte has 5 images but t10k-labels-idx1-ubyte has 4 labels", e.getMessage());
    }

    @Test
    void labelOutOfRange() {
        Path images = TestFiles.write(dir.resolve("i"), TestFiles.images(3, 28, 28, 1));
        Path labels = TestFiles.write(dir.resolve("train-labels-idx1-ubyte"),
                Idx.encode(new IdxArray(new int[] {3}, new byte[] {1, 12, 3})));
        DataException e = assertThrows(DataException.class, () -> DataStore.loadIdxSplit(images, labels));
        assertEquals("train-labels-idx1-ubyte: label 12 at index 1 is out of range 0..9", e.getMessage());
    }

    @Test
    void wrongImageSize() {
        Path images = TestFiles.write(dir.resolve("train-images-idx3-ubyte"), TestFiles.images(3, 32, 32, 1));
        Path labels = TestFiles.write(dir.resolve("l"), TestFiles.labels(3, 10, 1));
        DataException e = assertThrows(DataException.class, () -> DataStore.loadIdxSplit(images, labels));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte: images are 32×32, expected 28×28"), e.getMessage());
        // The general overload accepts other shapes and class counts.
        assertEquals(32, DataStore.loadIdxSplit(images, labels, 32, 32, 10).rows());
    }

    @Test
    void labelsFileInPlaceOfImages() {
        Path labels = TestFiles.write(dir.resolve("train-labels-idx1-ubyte"), TestFiles.labels(3, 10, 1));
        DataException e = assertThrows(DataException.class, () -> DataStore.loadIdxSplit(labels, labels));
        assertTrue(e.getMessage().contains("bad magic 0x00000801 (expected 0x00000803"), e.getMessage());
    }
}
