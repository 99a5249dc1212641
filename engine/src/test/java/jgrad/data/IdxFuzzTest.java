package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import jgrad.io.ByteMutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of a valid 3-image IDX file, raw and gzipped: the reader must return a consistent
 * array or throw {@link DataException} with a one-line message - never another exception, never hang,
 * never allocate from a header it has not checked against the bytes actually there.
 */
class IdxFuzzTest {
    private static final long SEED = ByteMutator.SEED;
    private static final int MUTATIONS = ByteMutator.MUTATIONS;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void mutatedRawFilesOnlyEverThrowDataException() throws IOException {
        byte[] valid = TestFiles.images(3, 4, 5, SEED);
        // The magic and the three dimensions are the fields worth making extreme.
        ByteMutator mutator = new ByteMutator(valid, new int[] {0, 4, 8, 12}, ByteOrder.BIG_ENDIAN);
        Random rnd = new Random(SEED);
        int[] outcome = new int[2];
        Path file = dir.resolve("images-idx3-ubyte");
        for (int i = 0; i < MUTATIONS; i++) {
            int kind = rnd.nextInt(ByteMutator.KINDS);
            byte[] bytes = mutator.mutate(kind, rnd);
            boolean viaFile = i % 8 == 0;
            if (viaFile) {
                Files.write(file, bytes);
            }
            check(bytes, "mutation " + i + " (kind " + kind + ", raw, seed " + SEED + ")", outcome,
                    () -> viaFile ? Idx.read(file, Idx.ANY_DIMS) : Idx.parse("fuzz", bytes, Idx.ANY_DIMS));
        }
        for (int len = 0; len < valid.length; len++) { // truncation at every offset, each region of the header
            byte[] cut = Arrays.copyOf(valid, len);
            check(cut, "truncation at " + len, outcome, () -> Idx.parse("fuzz", cut, 3));
        }
        report("raw", outcome);
    }

    @Test
    @Timeout(120)
    void mutatedGzipFilesOnlyEverThrowDataException() throws IOException {
        byte[] valid = TestFiles.images(3, 4, 5, SEED + 1);
        byte[] validGz = gzip(valid);
        ByteMutator inner = new ByteMutator(valid, new int[] {0, 4, 8, 12}, ByteOrder.BIG_ENDIAN);
        // Gzip's own header and trailer (CRC, length) are little-endian; damage those as well.
        ByteMutator outer = new ByteMutator(validGz, new int[] {4, validGz.length - 8, validGz.length - 4},
                ByteOrder.LITTLE_ENDIAN);
        Random rnd = new Random(SEED + 2);
        int[] outcome = new int[2];
        Path file = dir.resolve("images-idx3-ubyte.gz");
        for (int i = 0; i < MUTATIONS; i++) {
            int kind = rnd.nextInt(ByteMutator.KINDS);
            boolean damageContent = rnd.nextBoolean();
            byte[] bytes = damageContent ? gzip(inner.mutate(kind, rnd)) : outer.mutate(kind, rnd);
            boolean viaFile = i % 8 == 0;
            if (viaFile) {
                Files.write(file, bytes);
            }
            check(bytes, "mutation " + i + " (kind " + kind + (damageContent ? ", content" : ", gzip bytes")
                    + ", seed " + SEED + ")", outcome,
                    () -> viaFile ? Idx.read(file, 3) : Idx.parse("fuzz.gz", bytes, 3));
        }
        for (int len = 0; len < validGz.length; len++) {
            byte[] cut = Arrays.copyOf(validGz, len);
            check(cut, "gzip truncation at " + len, outcome, () -> Idx.parse("fuzz.gz", cut, 3));
        }
        report("gzip", outcome);
    }

    @Test
    void headerClaimingTwoBillionImagesIsRejectedWithoutAllocating() throws IOException {
        byte[] bytes = TestFiles.images(3, 4, 5, SEED);
        bytes[4] = 0x01; // count 0x01000003: 335 MB of pixels claimed by a 76-byte file
        long before = ByteMutator.allocatedBytes();
        DataException raw = org.junit.jupiter.api.Assertions.assertThrows(DataException.class,
                () -> Idx.parse("big", bytes, 3));
        DataException gz = org.junit.jupiter.api.Assertions.assertThrows(DataException.class,
                () -> Idx.parse("big.gz", gzip(bytes), 3));
        assertTrue(ByteMutator.allocatedBytes() - before < ByteMutator.ALLOCATION_LIMIT);
        assertTrue(raw.getMessage().startsWith("big: truncated"), raw.getMessage());
        assertTrue(gz.getMessage().contains("truncated"), gz.getMessage());
    }

    private interface Reader {
        IdxArray read();
    }

    private static void check(byte[] bytes, String what, int[] outcome, Reader reader) {
        long before = ByteMutator.allocatedBytes();
        try {
            IdxArray a = reader.read();
            outcome[0]++;
            long product = 1;
            for (int d : a.dims()) {
                product *= d;
            }
            assertEquals(product, a.data().length, what + ": accepted array is inconsistent");
        } catch (DataException expected) {
            outcome[1]++;
            assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
            assertFalse(expected.getMessage().isBlank(), what);
        } catch (Throwable t) {
            fail(what + " threw " + t + "; bytes=" + ByteMutator.head(bytes), t);
        }
        long allocated = ByteMutator.allocatedBytes() - before;
        assertTrue(allocated < ByteMutator.ALLOCATION_LIMIT, what + " allocated " + allocated + " bytes");
    }

    private static void report(String variant, int[] outcome) {
        System.out.printf("idx %s fuzz: %d inputs, %d rejected, %d accepted%n", variant, outcome[0] + outcome[1],
                outcome[1], outcome[0]);
        assertTrue(outcome[1] > MUTATIONS / 4, "rejected " + outcome[1]);
        assertTrue(outcome[0] > 10, "accepted " + outcome[0]);
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bos.toByteArray();
    }
}
