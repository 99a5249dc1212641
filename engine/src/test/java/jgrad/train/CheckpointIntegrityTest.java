package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jgrad.cpu.CpuDevice;
import jgrad.io.AtomicFiles;
import jgrad.io.Safetensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The checksum and the kept previous checkpoint: damage to the newest checkpoint is detected, and a
 * directory read falls back to the previous one with a warning naming both files.
 */
class CheckpointIntegrityTest {
    private static final CpuDevice CPU = CpuDevice.get();

    @TempDir
    Path tmp;

    private Path file;
    private Path prev;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** Two epochs of 12 steps, so the directory holds epoch 2 and, as {@code .prev}, epoch 1. */
    @BeforeEach
    void trainTwoEpochs() {
        Logger logger = (Logger) LoggerFactory.getLogger(Checkpoint.class);
        logger.addAppender(log);
        logger.setAdditive(false);  // the warnings these tests provoke are asserted on, not printed
        log.start();
        Trainer.train(ResumeTest.job("momentum", 2, new int[] {16}), CPU, ResumeTest.data(), new Trainer.Listener() {},
                new RunOptions(tmp, null, 0, "{}"));
        file = tmp.resolve(Checkpoint.FILE);
        prev = AtomicFiles.previousOf(file);
    }

    @AfterEach
    void detachLog() {
        Logger logger = (Logger) LoggerFactory.getLogger(Checkpoint.class);
        logger.detachAppender(log);
        logger.setAdditive(true);
    }

    private List<String> warnings() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachWriteKeepsThePreviousCheckpointAndBothVerify() throws IOException {
        assertEquals(List.of("checkpoint.safetensors", "checkpoint.safetensors.prev"), listing());
        Checkpoint newest = Checkpoint.read(tmp);
        assertEquals(24, newest.step());
        assertEquals(file, newest.file());
        Checkpoint older = Checkpoint.read(prev);
        assertEquals(12, older.step());
        assertEquals(1, older.epoch());
        Map<String, String> meta = Safetensors.read(file).metadata();
        assertEquals(Checkpoint.FORMAT, meta.get("format"));
        assertTrue(meta.get("checksum").matches("crc32c:[0-9a-f]{8}"), meta.get("checksum"));
        assertEquals(List.of(), warnings());
    }

    @Test
    void aFlippedBitIsReportedAsCorruptAndTheDirectoryFallsBackToThePreviousCheckpoint() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 5] ^= 0x10; // inside the last tensor's data: still valid safetensors
        Files.write(file, bytes);

        CheckpointException named = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));
        assertTrue(named.getMessage().startsWith("checkpoint " + file + " is corrupt: checksum mismatch"),
                named.getMessage());
        assertTrue(named.getMessage().contains("the previous checkpoint " + prev + " is next to it"), named.getMessage());

        Checkpoint used = Checkpoint.read(tmp);
        assertEquals(prev, used.file());
        assertEquals(12, used.step());
        assertEquals(1, warnings().size(), warnings().toString());
        String warning = warnings().get(0);
        assertTrue(warning.contains(file + " is corrupt") && warning.contains("using the previous checkpoint " + prev
                + " (epoch 1, step 12)"), warning);
        assertEquals(1, warning.lines().count());
    }

    @Test
    void aResumeFromTheFallbackContinuesExactlyAsTheUninterruptedRun() throws IOException {
        TrainConfig cfg = ResumeTest.job("momentum", 2, new int[] {16});
        TrainResult whole = Trainer.train(cfg, CPU, ResumeTest.data(), new Trainer.Listener() {});
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 3000)); // truncated: a torn copy
        Checkpoint fallback = Checkpoint.read(tmp);
        assertEquals(12, fallback.step());
        assertTrue(warnings().get(0).contains("is unreadable"), warnings().toString());
        TrainResult resumed = Trainer.train(cfg, CPU, ResumeTest.data(), new Trainer.Listener() {},
                new RunOptions(tmp, fallback, 0, "{}"));
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory());
        // The resumed run replaced the damaged checkpoint and kept the good one it resumed from as .prev.
        assertEquals(24, Checkpoint.read(file).step());
        assertEquals(12, Checkpoint.read(prev).step());
        assertEquals(List.of("checkpoint.safetensors", "checkpoint.safetensors.prev"), listing());
        // Later writes rotate as usual.
        Trainer.train(ResumeTest.job("momentum", 3, new int[] {16}), CPU, ResumeTest.data(), new Trainer.Listener() {},
                new RunOptions(tmp, Checkpoint.read(tmp), 0, "{}"));
        assertEquals(36, Checkpoint.read(file).step());
        assertEquals(24, Checkpoint.read(prev).step());
    }

    @Test
    void whenBothAreBadTheErrorNamesBoth() throws IOException {
        Files.write(file, new byte[] {1, 2, 3});
        byte[] older = Files.readAllBytes(prev);
        older[older.length / 2] ^= 1;
        Files.write(prev, older);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(tmp));
        assertTrue(e.getMessage().contains(file + " is unreadable") && e.getMessage().contains(
                "the previous checkpoint is no good either: checkpoint " + prev + " is"), e.getMessage());
        assertEquals(List.of(), warnings());
    }

    @Test
    void withoutAPreviousCheckpointDamageIsAPlainError() throws IOException {
        Files.delete(prev);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(file, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(tmp));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + " is corrupt: checksum mismatch (stored crc32c:"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("previous"), e.getMessage());
    }

    @Test
    void aMissingNewestCheckpointFallsBackToThePreviousOne() throws IOException {
        Files.delete(file);
        assertEquals(12, Checkpoint.read(tmp).step());
        assertTrue(warnings().get(0).contains("no checkpoint at " + file), warnings().toString());
    }

    @Test
    void checkpointsFromBeforeTheChecksumLoadWithAWarningButANewOneWithoutItIsCorrupt() throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.remove("checksum");
        meta.put("format", Checkpoint.FORMAT_WITHOUT_CHECKSUM);
        Safetensors.write(file, c.tensors(), meta);
        assertEquals(24, Checkpoint.read(file).step());
        Checkpoint.read(file);
        // Once per JVM, and no other test reads such a file.
        assertEquals(List.of(file + " has no checksum (format jgrad-checkpoint/1, written by an older jgrad); loading"
                + " it unverified"), warnings());

        meta.put("format", Checkpoint.FORMAT);
        Safetensors.write(file, c.tensors(), meta);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + " is corrupt: its 'checksum' metadata is missing"),
                e.getMessage());

        meta.put("format", "jgrad-checkpoint/9");
        Safetensors.write(file, c.tensors(), meta);
        e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().contains("is not a jgrad checkpoint (metadata format is 'jgrad-checkpoint/9'"),
                e.getMessage());

        // A run's model.safetensors, given where its checkpoint belongs (they lie side by side): named as such.
        for (String modelFormat : List.of(TorchWeights.FORMAT, TorchWeights.FORMAT_JGRAD)) {
            meta.put("format", modelFormat);
            Safetensors.write(file, c.tensors(), meta);
            e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));
            assertTrue(e.getMessage().startsWith(file + " is a model file (format '" + modelFormat + "'), not a "
                    + "training checkpoint: eval --weights and train --init-from take it; --resume, eval --checkpoint "
                    + "and export take the run's checkpoint.safetensors"), e.getMessage());
        }
    }

    @Test
    void theChecksumCoversMetadataNamesShapesAndDataButNotLayout() throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        String sum = CheckpointChecksum.of(c.metadata(), c.tensors());
        assertEquals(c.metadata().get("checksum"), sum);
        // Order of metadata entries and tensors does not matter; their content does.
        List<jgrad.io.NamedTensor> reversed = new java.util.ArrayList<>(c.tensors());
        java.util.Collections.reverse(reversed);
        assertEquals(sum, CheckpointChecksum.of(new java.util.TreeMap<>(c.metadata()).descendingMap(), reversed));
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("data", "{\"dataset\":\"other\"}");
        assertTrue(!sum.equals(CheckpointChecksum.of(meta, c.tensors())), "metadata value covered");
        jgrad.io.NamedTensor first = c.tensors().get(0);
        List<jgrad.io.NamedTensor> renamed = new java.util.ArrayList<>(c.tensors());
        renamed.set(0, new jgrad.io.NamedTensor(first.name() + "x", first.shape(), first.data()));
        assertTrue(!sum.equals(CheckpointChecksum.of(c.metadata(), renamed)), "tensor name covered");
        int[] reshaped = {first.data().length, 1};
        renamed.set(0, new jgrad.io.NamedTensor(first.name(), reshaped, first.data()));
        assertTrue(!sum.equals(CheckpointChecksum.of(c.metadata(), renamed)), "shape covered");
    }
}
