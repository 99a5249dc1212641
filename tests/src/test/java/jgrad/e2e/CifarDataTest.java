package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 through the CLI without the real files: small files in the binary format are refused by name. */
class CifarDataTest {
    @TempDir
    Path tmp;

    @Test
    void importOfFilesThatAreNotThePublishedOnesNamesThem() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        byte[] records = new byte[5 * 3073];
        new Random(1).nextBytes(records);
        for (int i = 0; i < 5; i++) {
            records[i * 3073] = (byte) (i % 10);
        }
        Files.write(src.resolve("data_batch_1.bin"), records);
        Cli r = Cli.run("data", "import", src.toString(), "--data-dir", tmp.resolve("store").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("data_batch_1.bin: SHA-256 mismatch") && r.err().contains("15365 bytes"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp.resolve("store/cifar10/data_batch_1.bin")), "nothing installed");

        Cli verify = Cli.run("data", "verify", "cifar10", "--data-dir", tmp.resolve("store").toString());
        assertEquals(1, verify.code());
        assertTrue(verify.err().contains("test_batch.bin"), verify.err());

        Cli train = Cli.run("train", "--dataset", "cifar10", "--steps", "1", "--device", "cpu", "--data-dir",
                tmp.resolve("store").toString());
        assertEquals(1, train.code());
        assertTrue(train.err().contains("cifar10: missing data_batch_1.bin") && train.err().contains("cifar-10-binary.tar.gz"),
                train.err());
    }
}
