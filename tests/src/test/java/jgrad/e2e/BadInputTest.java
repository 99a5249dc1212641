package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import jgrad.CapturedLog;
import jgrad.data.DataStore;
import jgrad.data.FileSpec;
import jgrad.data.IdxDatasetSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments exit 2 with a usage hint; bad data exits non-zero with one line naming the file. */
@Timeout(60)
class BadInputTest {
    @TempDir
    Path tmp;

    private static void assertOneLineError(Cli r, String... mustContain) {
        assertNotEquals(0, r.code(), "exit code");
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
        String errorLine = r.err().lines().filter(l -> l.contains("error")).findFirst().orElse(r.err());
        for (String s : mustContain) {
            assertTrue(errorLine.contains(s), "'" + s + "' in: " + r.err());
        }
    }

    @Test
    void badOptionsExitTwoWithUsage() {
        Cli unknown = Cli.run("train", "--bogus");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("jgrad train: error: Unknown option: '--bogus'")
                && unknown.err().contains("Try 'jgrad train --help'"), unknown.err());
        assertEquals(2, unknown.err().lines().count(), "the error and the --help hint, no usage dump: " + unknown.err());

        Cli notANumber = Cli.run("train", "--steps", "many");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("--steps"), notANumber.err());

        for (String[] args : new String[][] {{"--lr", "-1"}, {"--batch-size", "0"}, {"--dropout", "1.5"},
                {"--optimizer", "rmsprop"}, {"--activation", "gelu"}, {"--init", "zeros"}, {"--hidden", "0"},
                {"--model", "gpt"}, {"--device", "tpu"}, {"--steps", "0"}}) {
            String[] full = {"train", args[0], args[1]};
            Cli r = Cli.run(full);
            assertEquals(2, r.code(), String.join(" ", full) + ": " + r.err());
            assertOneLineError(r);
        }
    }

    @Test
    void cudaDeviceOnAMachineWithoutOneSaysWhy() {
        jgrad.cuda.CudaProbe.Result probe = jgrad.cuda.CudaProbe.probe();
        Assumptions.assumeFalse(probe.usable(), "this machine has a usable GPU: " + probe.summary());
        String reason = probe.driver().reason();  // e.g. "no NVIDIA driver (libcuda.so.1 not found)"
        for (String device : new String[] {"cuda", "cuda:1"}) {
            Cli r = Cli.run("train", "--device", device, "--data-dir", tmp.toString());
            assertEquals(1, r.code(), r.err());
            assertOneLineError(r, "--device " + device, reason);
        }
        Cli own = Cli.run("train", "--kernels", "own", "--data-dir", tmp.toString());
        assertEquals(1, own.code(), own.err());
        assertOneLineError(own, "--kernels own needs CUDA", reason);
    }

    @Test
    void kernelChoicesOtherThanAutoAreUsageErrorsOnTheCpu() {
        for (String kernels : new String[] {"own", "vendor"}) {
            Cli r = Cli.run("train", "--device", "cpu", "--kernels", kernels, "--data-dir", tmp.toString());
            assertEquals(2, r.code(), r.err());
            assertOneLineError(r, "--kernels " + kernels);
        }
        Cli bogus = Cli.run("train", "--kernels", "cublas");
        assertEquals(2, bogus.code(), bogus.err());
        assertOneLineError(bogus, "--kernels");
        Cli badOrdinal = Cli.run("train", "--device", "cuda:x");
        assertEquals(2, badOrdinal.code(), badOrdinal.err());
    }

    private Path installedCopyOfMnist() throws IOException {
        Path root = Cli.requireMnist();
        Path dir = tmp.resolve("data");
        Files.createDirectories(dir.resolve("mnist"));
        for (FileSpec f : IdxDatasetSpec.MNIST.files()) {
            Files.copy(new DataStore(root).path(IdxDatasetSpec.MNIST, f), dir.resolve("mnist").resolve(f.name()));
        }
        return dir;
    }

    @Test
    void checksumMismatchNamesTheFile() throws IOException {
        Path dir = installedCopyOfMnist();
        Path labels = dir.resolve("mnist/t10k-labels-idx1-ubyte");
        byte[] b = Files.readAllBytes(labels);
        b[100] ^= 1;
        Files.write(labels, b);
        assertOneLineError(Cli.run("train", "--steps", "1", "--device", "cpu", "--data-dir", dir.toString()),
                "t10k-labels-idx1-ubyte", "SHA-256");
        Cli verify = Cli.run("data", "verify", "mnist", "--data-dir", dir.toString());
        assertEquals(1, verify.code());
        assertTrue(verify.err().contains("t10k-labels-idx1-ubyte"), verify.err());
    }

    @Test
    void truncatedFileNamesTheFile() throws IOException {
        Path dir = installedCopyOfMnist();
        Path images = dir.resolve("mnist/train-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(b, 5000));
        assertOneLineError(Cli.run("train", "--steps", "1", "--device", "cpu", "--data-dir", dir.toString()),
                "train-images-idx3-ubyte");
    }

    @Test
    void importOfBrokenFilesNamesEachFile() throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        // Wrong magic, and a gzip that is cut short.
        Files.write(src.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 9, 9, 0, 0, 0, 1, 5});
        byte[] gz;
        try (var bytes = new java.io.ByteArrayOutputStream(); var z = new GZIPOutputStream(bytes)) {
            z.write(new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28});
            z.finish();
            gz = bytes.toByteArray();
        }
        Files.write(src.resolve("t10k-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(gz, gz.length - 6));
        Cli r;
        try (CapturedLog log = CapturedLog.of("jgrad.data.DataImport", Level.WARN)) {
            r = Cli.run("data", "import", src.toString(), "--data-dir", tmp.resolve("d").toString());
            // Each file rejected is logged with its reason; the error line sums them up.
            assertEquals(List.of("rejected " + src.resolve("t10k-images-idx3-ubyte.gz"),
                    "rejected " + src.resolve("train-labels-idx1-ubyte")), log.messages(Level.WARN).stream()
                    .map(m -> m.substring(0, m.indexOf(": "))).sorted().toList());
        }
        assertOneLineError(r);
        assertTrue(r.err().contains("train-labels-idx1-ubyte") || r.err().contains("t10k-images-idx3-ubyte"), r.err());
        assertFalse(Files.exists(tmp.resolve("d/mnist/train-labels-idx1-ubyte")), "nothing broken installed");

        Cli missing = Cli.run("data", "import", tmp.resolve("nope.tgz").toString(), "--data-dir", tmp.toString());
        assertOneLineError(missing, "nope.tgz");
    }
}
