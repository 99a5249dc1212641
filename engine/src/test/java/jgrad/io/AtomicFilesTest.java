package jgrad.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createsNewFileWithoutLeavingTempFiles() throws IOException {
        Path target = dir.resolve("a.bin");
        AtomicFiles.write(target, out -> out.write(utf8("hello")));
        assertArrayEquals(utf8("hello"), Files.readAllBytes(target));
        assertEquals(List.of("a.bin"), listing());
    }

    @Test
    void replacesExistingFile() throws IOException {
        Path target = dir.resolve("a.bin");
        Files.write(target, utf8("old content that is longer"));
        AtomicFiles.write(target, utf8("new"));
        assertArrayEquals(utf8("new"), Files.readAllBytes(target));
        assertEquals(List.of("a.bin"), listing());
    }

    @Test
    void relativePathWorks() throws IOException {
        Path target = dir.resolve("sub");
        Files.createDirectory(target);
        Path rel = Path.of("").toAbsolutePath().relativize(target.resolve("r.bin"));
        AtomicFiles.write(rel, utf8("x"));
        assertArrayEquals(utf8("x"), Files.readAllBytes(target.resolve("r.bin")));
    }

    @Test
    void failingBodyLeavesOldTargetAndNoTempFile() throws IOException {
        Path target = dir.resolve("a.bin");
        Files.write(target, utf8("old"));
        IOException boom = new IOException("disk on fire");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(utf8("partial new content"));
            throw boom;
        }));
        assertSame(boom, thrown);
        assertArrayEquals(utf8("old"), Files.readAllBytes(target));
        assertEquals(List.of("a.bin"), listing());
    }

    @Test
    void runtimeExceptionInBodyAlsoCleansUp() throws IOException {
        Path target = dir.resolve("a.bin");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            throw new UncheckedIOException(new IOException("x"));
        }));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), listing());
    }

    @Test
    void bodyMayCloseTheStream() throws IOException {
        Path target = dir.resolve("a.bin");
        AtomicFiles.write(target, out -> {
            try (OutputStream o = out) {
                o.write(utf8("closed early"));
            }
        });
        assertArrayEquals(utf8("closed early"), Files.readAllBytes(target));
    }

    @Test
    void largeBodyIsWrittenCompletely() throws IOException {
        Path target = dir.resolve("big.bin");
        byte[] data = new byte[3_000_001];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        AtomicFiles.write(target, out -> {
            out.write(data, 0, 1000);
            for (int i = 1000; i < 2000; i++) {
                out.write(data[i]);
            }
            out.write(data, 2000, data.length - 2000);
        });
        assertArrayEquals(data, Files.readAllBytes(target));
    }

    @Test
    void missingDirectoryFailsWithoutCreatingAnything() {
        Path target = dir.resolve("no/such/dir/a.bin");
        assertThrows(NoSuchFileException.class, () -> AtomicFiles.write(target, utf8("x")));
    }

    @Test
    void keepPreviousRotatesBackups() throws IOException {
        Path target = dir.resolve("ckpt.safetensors");
        Path prev = AtomicFiles.previousOf(target);
        assertEquals("ckpt.safetensors.prev", prev.getFileName().toString());

        AtomicFiles.writeKeepingPrevious(target, out -> out.write(utf8("one")));
        assertFalse(Files.exists(prev), "nothing to keep on the first write");

        AtomicFiles.writeKeepingPrevious(target, out -> out.write(utf8("two")));
        assertArrayEquals(utf8("two"), Files.readAllBytes(target));
        assertArrayEquals(utf8("one"), Files.readAllBytes(prev));

        AtomicFiles.writeKeepingPrevious(target, out -> out.write(utf8("three")));
        assertArrayEquals(utf8("three"), Files.readAllBytes(target));
        assertArrayEquals(utf8("two"), Files.readAllBytes(prev));
        assertEquals(List.of("ckpt.safetensors", "ckpt.safetensors.prev"), listing());

        // The backup must be independent of the target, not an alias that later writes would change.
        AtomicFiles.write(target, utf8("four"));
        assertArrayEquals(utf8("two"), Files.readAllBytes(prev));
    }

    @Test
    void keepPreviousFailureTouchesNeitherFile() throws IOException {
        Path target = dir.resolve("ckpt.bin");
        AtomicFiles.writeKeepingPrevious(target, out -> out.write(utf8("one")));
        AtomicFiles.writeKeepingPrevious(target, out -> out.write(utf8("two")));
        assertThrows(IOException.class, () -> AtomicFiles.writeKeepingPrevious(target, out -> {
            out.write(utf8("thr"));
            throw new IOException("interrupted");
        }));
        assertArrayEquals(utf8("two"), Files.readAllBytes(target));
        assertArrayEquals(utf8("one"), Files.readAllBytes(AtomicFiles.previousOf(target)));
        assertEquals(List.of("ckpt.bin", "ckpt.bin.prev"), listing());
    }

    @Test
    void targetThatIsADirectoryFailsAndCleansUp() throws IOException {
        Path target = dir.resolve("d");
        Files.createDirectory(target);
        Files.write(target.resolve("inside"), utf8("keep"));
        assertThrows(IOException.class, () -> AtomicFiles.write(target, utf8("x")));
        assertTrue(Files.isDirectory(target));
        assertEquals(List.of("d"), listing());
    }
    @Test
    void staleTempFilesOfAKilledWriterAreRemovedByTheNextWriteAndNothingElse() throws IOException {
        Path target = dir.resolve("a.bin");
        // What a writer killed mid-write leaves: its content temp and (between its renames) its backup link.
        Files.write(dir.resolve(".a.bin.0123456789ab.tmp"), utf8("torn"));
        Files.write(dir.resolve(".a.bin.0123456789ab.prev.tmp"), utf8("old"));
        Files.write(dir.resolve(".a.bin.ffffffffffff.prev.tmp"), utf8("old")); // its content temp already gone
        List<String> unrelated = List.of(".a.bin.notsalt.tmp", ".b.bin.0123456789ab.tmp", "a.bin.0123456789ab.tmp",
                ".a.bin.0123456789ab.tmp.keep", ".a.bin.x.0123456789ab.tmp");
        for (String name : unrelated) {
            Files.write(dir.resolve(name), utf8("keep"));
        }
        AtomicFiles.writeKeepingPrevious(target, utf8Writer("new"));
        java.util.ArrayList<String> expected = new java.util.ArrayList<>(unrelated);
        expected.add("a.bin");
        assertEquals(expected.stream().sorted().toList(), listing());
    }

    @Test
    void aTempFileThatIsStillLockedIsLeftAlone() throws IOException {
        Path busy = dir.resolve(".a.bin.0123456789ab.tmp");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(busy,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = ch.lock()) {
            AtomicFiles.write(dir.resolve("a.bin"), utf8("x"));
            assertTrue(Files.exists(busy), "a locked temp file belongs to a live writer");
            assertTrue(lock.isValid());
        }
    }

    @Test
    void aConcurrentWriteOfTheSameTargetDoesNotRemoveTheOtherWritersTempFile() throws Exception {
        Path target = dir.resolve("a.bin");
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.FutureTask<Void> slow = new java.util.concurrent.FutureTask<>(() -> {
            AtomicFiles.writeKeepingPrevious(target, out -> {
                out.write(utf8("slow"));
                started.countDown();
                try {
                    proceed.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
            return null;
        });
        Thread t = new Thread(slow, "slow writer");
        t.start();
        try {
            assertTrue(started.await(30, java.util.concurrent.TimeUnit.SECONDS));
            AtomicFiles.writeKeepingPrevious(target, utf8Writer("fast"));
            List<String> during = listing();
            assertEquals(2, during.size(), "the target and the slow writer's temp: " + during);
            assertTrue(during.get(0).matches("\\.a\\.bin\\.[0-9a-f]{12}\\.tmp"), during.toString());
        } finally {
            proceed.countDown();
        }
        slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertArrayEquals(utf8("slow"), Files.readAllBytes(target));
        assertArrayEquals(utf8("fast"), Files.readAllBytes(AtomicFiles.previousOf(target)));
        assertEquals(List.of("a.bin", "a.bin.prev"), listing());
    }

    private static AtomicFiles.IoWriter utf8Writer(String s) {
        return out -> out.write(utf8(s));
    }
}
