package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jgrad.cpu.CpuDevice;
import jgrad.io.AtomicFiles;
import jgrad.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 (Process.destroyForcibly is SIGKILL on Linux) lands on a child JVM that writes a ~10 MB
 * checkpoint after every one-step epoch, at seeded random moments, again and again: a third of the kills
 * anywhere from the start of a child's first (slow, cold) write, a third into its steady rhythm of
 * writes, a third just after a write has created its temp file. After every kill
 * the newest checkpoint and its .prev must load with their checksums, the next child must resume from
 * exactly the newest one, and the temp files of a killed write must be gone after the next successful
 * write. The test fails unless some kills really landed mid-write (their temp files are the evidence).
 */
class CheckpointKillTest {
    private static final long SEED = Long.getLong("jgrad.kill.seed", 0x6b1119L);
    private static final int KILLS = Integer.getInteger("jgrad.kill.count", 20);
    /** Random delays (uniform from 0) of the three kinds of kill; see the loop. */
    private static final int COLD_WINDOW_MS = 1000;
    private static final int STEADY_WINDOW_MS = 100;
    private static final int IN_WRITE_WINDOW_MS = 20;
    private static final Pattern TEMP = Pattern.compile("\\.checkpoint\\.safetensors\\.[0-9a-f]{12}(\\.prev)?\\.tmp");

    @TempDir
    Path tmp;

    @Test
    @Timeout(300)
    void afterEveryKillTheNewestCompleteCheckpointLoadsAndTheRunResumesFromIt() throws Exception {
        Path dir = tmp.resolve("run");
        Path file = dir.resolve(Checkpoint.FILE);
        Path prev = AtomicFiles.previousOf(file);
        Path log = tmp.resolve("child.log");
        Random rnd = new Random(SEED);
        int lastStep = 0;
        int midWrite = 0;
        int withPrevious = 0;
        int progressed = 0;
        List<String> leftover = List.of();
        for (int kill = 1; kill <= KILLS; kill++) {
            String what = "kill " + kill + " (seed " + SEED + ")";
            Object before = fileKey(file);
            Process child = CheckpointWriterProcess.start("train", dir, log);
            try (BufferedReader out = reader(child)) {
                assertEquals("started " + lastStep, out.readLine(),
                        what + ": the child resumes from the newest checkpoint; its stderr: " + tail(log));
                assertEquals("writing", out.readLine(), what + ": " + tail(log));
                switch (kill % 3) {
                    // Anywhere from the start of the child's first write, which is slow (class loading, JIT).
                    case 0 -> Thread.sleep(rnd.nextInt(COLD_WINDOW_MS));
                    // Into the steady rhythm of writes (tens of ms each), once the first is complete.
                    case 1 -> {
                        awaitReplaced(file, before, child, what);
                        Thread.sleep(rnd.nextInt(STEADY_WINDOW_MS));
                    }
                    // Just after a later write has created its temp file.
                    default -> {
                        awaitReplaced(file, before, child, what);
                        awaitTempFile(dir, child, what);
                        Thread.sleep(rnd.nextInt(IN_WRITE_WINDOW_MS));
                    }
                }
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), what + ": child still alive");
            }
            List<String> temps = temps(dir);
            midWrite += temps.isEmpty() ? 0 : 1;
            if (!Files.exists(file)) {
                assertEquals(0, lastStep, what + ": the checkpoint vanished");
                continue; // killed before its first checkpoint
            }
            Checkpoint newest = Checkpoint.read(file); // the file itself: no fallback, checksum verified
            assertTrue(newest.step() >= lastStep, what + ": went back from step " + lastStep + " to " + newest.step());
            // A write removes stale temp files after its rename; once a second write has begun, the first
            // one's cleanup is done. (A kill may land between the first rename and its cleanup.)
            if (newest.step() >= lastStep + 2) {
                for (String t : leftover) {
                    assertFalse(temps.contains(t), what + ": temp file " + t + " of an earlier kill survived a write");
                }
            }
            if (Files.exists(prev)) {
                withPrevious++;
                // One epoch (= one step) older, or the same while the two renames of a write were between.
                int older = Checkpoint.read(prev).step();
                assertTrue(older == newest.step() - 1 || older == newest.step(),
                        what + ": .prev at step " + older + ", newest at " + newest.step());
            }
            progressed += newest.step() > lastStep ? 1 : 0;
            lastStep = newest.step();
            leftover = temps;
        }
        assertTrue(progressed >= KILLS / 2, progressed + " of " + KILLS + " children wrote a checkpoint; their stderr: "
                + tail(log));

        // One more resume, in this JVM: two further epochs, continuing the stored loss curve.
        Checkpoint last = Checkpoint.read(dir);
        assertEquals(lastStep, last.step());
        float[] history = Safetensors.read(file).get("train.loss_history").data();
        TrainResult resumed = Trainer.train(CheckpointWriterProcess.config(last.epoch() + 2), CpuDevice.get(),
                CheckpointWriterProcess.data(), new Trainer.Listener() {}, new RunOptions(dir, last, 0, "{}"));
        assertTrue(resumed.complete());
        assertEquals(lastStep + 2, resumed.steps());
        assertArrayEquals(history, Arrays.copyOf(resumed.lossHistory(), lastStep));
        assertEquals(lastStep + 2, Checkpoint.read(file).step());
        assertEquals(List.of(), temps(dir), "the killed writers' temp files were removed by the successful writes");
        System.out.printf("checkpoint kill test: %d kills, %d mid-write (temp files left), %d after new checkpoints, "
                + "%d with a .prev; resumed at step %d%n", KILLS, midWrite, progressed, withPrevious, lastStep);
        assertTrue(midWrite > 0, "no kill landed mid-write, so nothing was tested; try another -Djgrad.kill.seed");
    }

    @Test
    @Timeout(120)
    void aWriteInProgressInAnotherProcessKeepsItsTempFile() throws Exception {
        Path target = tmp.resolve("shared.bin");
        Process child = CheckpointWriterProcess.start("hold", target, tmp.resolve("hold.log"));
        try (BufferedReader out = reader(child);
             Writer in = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
            assertEquals("writing", out.readLine(), tail(tmp.resolve("hold.log")));
            List<String> childTemp = listing(tmp).stream().filter(n -> n.startsWith(".shared.bin.")).toList();
            assertEquals(1, childTemp.size(), listing(tmp).toString());

            AtomicFiles.write(target, "from the parent".getBytes(StandardCharsets.UTF_8));
            assertTrue(Files.exists(tmp.resolve(childTemp.get(0))), "the live writer's temp file was removed");

            in.write("go\n");
            in.flush();
            assertEquals("done", out.readLine(), tail(tmp.resolve("hold.log")));
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
        assertEquals("from the child", Files.readString(target));
        assertEquals(List.of("hold.log", "shared.bin"), listing(tmp));
    }

    /** The file's identity (device and inode on Linux), which every atomic replacement changes; null if absent. */
    private static Object fileKey(Path file) throws IOException {
        return Files.exists(file) ? Files.readAttributes(file, BasicFileAttributes.class).fileKey() : null;
    }

    private static void awaitReplaced(Path file, Object before, Process child, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (java.util.Objects.equals(fileKey(file), before)) {
            assertTrue(child.isAlive(), what + ": child died");
            assertTrue(System.nanoTime() < deadline, what + ": no checkpoint written within 60 s");
            Thread.sleep(2);
        }
    }

    private static void awaitTempFile(Path dir, Process child, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (temps(dir).isEmpty()) {
            assertTrue(child.isAlive(), what + ": child died");
            assertTrue(System.nanoTime() < deadline, what + ": no checkpoint write began within 60 s");
            Thread.sleep(1);
        }
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static List<String> temps(Path dir) throws IOException {
        return Files.isDirectory(dir) ? listing(dir).stream().filter(n -> TEMP.matcher(n).matches()).toList() : List.of();
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.exists(log) ? Files.readString(log) : "";
            return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
