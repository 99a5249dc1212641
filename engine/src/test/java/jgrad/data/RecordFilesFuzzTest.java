package jgrad.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jgrad.io.ByteMutator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of a valid 2-record CIFAR-10 binary file, read through the same record reader the
 * store's loader and importer use: a consistent split or {@link DataException}, nothing else.
 */
class RecordFilesFuzzTest {
    private static final long SEED = ByteMutator.SEED;
    private static final int MUTATIONS = ByteMutator.MUTATIONS;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void mutatedRecordFilesOnlyEverThrowDataException() throws IOException {
        RecordDatasetSpec spec = RecordDatasetSpec.CIFAR10;
        int recordBytes = spec.recordBytes();
        byte[] valid = new byte[2 * recordBytes];
        Random init = new Random(SEED);
        init.nextBytes(valid);
        valid[0] = 3;
        valid[recordBytes] = 9;
        // The label bytes are the only fields; as 32-bit windows they also take the first pixels along.
        ByteMutator mutator = new ByteMutator(valid, new int[] {0, recordBytes}, ByteOrder.BIG_ENDIAN);
        Path file = dir.resolve("data_batch_1.bin");
        Random rnd = new Random(SEED);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < MUTATIONS + valid.length / 64; i++) {
            int kind = rnd.nextInt(ByteMutator.KINDS);
            // After the random mutations, truncation at every 64th offset (every region of both records).
            byte[] bytes = i < MUTATIONS ? mutator.mutate(kind, rnd) : Arrays.copyOf(valid, (i - MUTATIONS) * 64);
            String what = i < MUTATIONS ? "mutation " + i + " (kind " + kind + ", seed " + SEED + ")"
                    : "truncation at " + bytes.length;
            Files.write(file, bytes);
            long before = ByteMutator.allocatedBytes();
            try {
                ImageSplit split = RecordFiles.loadUnverified(spec, List.of(file));
                accepted++;
                assertEquals((long) bytes.length, (long) split.count() * recordBytes, what);
                for (int r = 0; r < split.count(); r++) {
                    assertTrue(split.labels()[r] >= 0 && split.labels()[r] < spec.classes(), what);
                }
            } catch (DataException expected) {
                rejected++;
                assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
                assertTrue(expected.getMessage().startsWith("data_batch_1.bin: "), expected.getMessage());
            } catch (Throwable t) {
                fail(what + " threw " + t + "; bytes=" + ByteMutator.head(bytes), t);
            }
            long allocated = ByteMutator.allocatedBytes() - before;
            assertTrue(allocated < ByteMutator.ALLOCATION_LIMIT, what + " allocated " + allocated + " bytes");
        }
        System.out.printf("cifar record fuzz: %d inputs, %d rejected, %d accepted%n", accepted + rejected, rejected,
                accepted);
        assertTrue(rejected > MUTATIONS / 4, "rejected " + rejected);
        assertTrue(accepted > 10, "accepted " + accepted);
    }
}
