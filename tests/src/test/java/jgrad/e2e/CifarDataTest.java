package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import jgrad.CapturedLog;
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
        Cli r;
        try (CapturedLog log = CapturedLog.of("jgrad.data.DataImport", Level.WARN)) {
            r = Cli.run("data", "import", src.toString(), "--data-dir", tmp.resolve("store").toString());
            List<String> warned = log.messages(Level.WARN);
            assertEquals(1, warned.size(), warned.toString());
            assertTrue(warned.get(0).startsWith("rejected " + src.resolve("data_batch_1.bin") + ": data_batch_1.bin: "
                    + "SHA-256 mismatch"), warned.get(0));
        }
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("data_batch_1.bin: SHA-256 mismatch") && r.err().contains("15365 bytes"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp.resolve("store/cifar10/data_batch_1.bin")), "nothing installed");

        Cli verify = Cli.run("data", "verify", "cifar10", "--data-dir", tmp.resolve("store").toString());
        assertEquals(1, verify.code());
        // Nothing of cifar10 got installed: one line says so, not one per missing file.
        assertTrue(verify.err().startsWith("cifar10: not installed in ") && verify.err().strip().lines().count() == 1,
                verify.err());

        Cli train = Cli.run("train", "--dataset", "cifar10", "--steps", "1", "--device", "cpu", "--data-dir",
                tmp.resolve("store").toString());
        assertEquals(1, train.code());
        assertTrue(train.err().contains("cifar10: missing data_batch_1.bin") && train.err().contains("cifar-10-binary.tar.gz"),
                train.err());
    }
}
