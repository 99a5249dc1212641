package jgrad.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jgrad.cli.Main;
import jgrad.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a new user meets in the first hour (issue 14): runs kept, finished runs said so, Ctrl-C reported. */
@Timeout(180)
class FirstHourTest {
    @TempDir
    Path tmp;

    @Test
    void resumingAFinishedRunSaysSoAndRewritesNothing() throws Exception {
        Path run = tmp.resolve("run1");
        CliValidationTest.writeCheckpoint(run);  // 2 epochs of 2
        byte[] before = Files.readAllBytes(run.resolve(Checkpoint.FILE));
        long modified = Files.getLastModifiedTime(run.resolve(Checkpoint.FILE)).toMillis();
        // No data dir holds MNIST here: a run that would load the data fails, one that says it is done does not.
        Cli r = Cli.run("train", "--resume", run.toString(), "--data-dir", tmp.resolve("no-data").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(run + " is complete (epoch 2 of 2); give --epochs N (more than 2) to train further",
                r.out().strip());
        assertArrayEquals(before, Files.readAllBytes(run.resolve(Checkpoint.FILE)));
        assertEquals(modified, Files.getLastModifiedTime(run.resolve(Checkpoint.FILE)).toMillis());
        assertFalse(Files.exists(run.resolve("metrics.json")), "nothing written");
    }

    @Test
    void overwriteReplacesTheRunWithoutKeepingItsCheckpointAsPrevious() throws Exception {
        Cli.requireMnist();
        Path run = tmp.resolve("run1");
        CliValidationTest.writeCheckpoint(run);  // mlp --hidden 3, 2 epochs
        Cli refused = Cli.run("train", "--device", "cpu", "--steps", "10", "--hidden", "4", "--out", run.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("holds another run (mlp on mnist, epoch 2 of 2)"), refused.err());

        Cli r = Cli.run("train", "--device", "cpu", "--no-warmup", "--steps", "10", "--hidden", "4", "--out",
                run.toString(), "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new int[] {4}, Checkpoint.read(run).config().hidden());
        // The old run must not survive as the .prev that a damaged new checkpoint would fall back to.
        assertFalse(Files.exists(run.resolve(Checkpoint.FILE + ".prev")), "the replaced run's checkpoint is gone");
    }

    /**
     * SIGINT to a training JVM in its second epoch: exit 130 with one line naming that epoch, the
     * checkpoint of the first and the command that continues it, and the outputs of the first epoch
     * (metrics.json, charts, predictions) beside its checkpoint.
     */
    @Test
    void ctrlCNamesTheEpochAndKeepsTheOutputsOfCompletedEpochs() throws Exception {
        Cli.requireMnist();
        Path run = tmp.resolve("run1");
        List<String> cmd = new ArrayList<>();
        if (new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0) {
            // A JVM started with SIGINT ignored (a background job of a script, as Maven may be) never sees it.
            cmd.addAll(List.of("env", "--default-signal=INT"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train",
                "--device", "cpu", "--no-warmup", "--epochs", "50", "--batch-size", "6000", "--hidden", "100",
                "--out", run.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(tmp.resolve("stderr.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(run.resolve(Checkpoint.FILE)) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(p.isAlive(), "the run ended before its first checkpoint");
            ProcessHandle java = p.toHandle().descendants().findFirst().orElse(p.toHandle());  // env execs java
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(java.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run did not stop on SIGINT");
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(tmp.resolve("stderr.txt"), StandardCharsets.UTF_8);
        assertEquals(130, p.exitValue(), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
        Matcher m = Pattern.compile("jgrad train: interrupted during epoch (\\d+); checkpoint of epoch (\\d+) in "
                + Pattern.quote(run.toString()) + "; continue with `jgrad train --resume "
                + Pattern.quote(run.toString()) + "`").matcher(err);
        assertTrue(m.find(), err);
        int interrupted = Integer.parseInt(m.group(1));
        int saved = Integer.parseInt(m.group(2));
        assertEquals(saved + 1, interrupted, err);
        assertEquals(saved, Checkpoint.read(run).epoch(), "the checkpoint the line names");
        JsonNode metrics = new ObjectMapper().readTree(run.resolve("metrics.json").toFile());
        assertEquals(saved, metrics.get("epochs").size(), "metrics.json of the completed epochs");
        assertFalse(metrics.get("complete").asBoolean());
        for (String png : List.of("loss.png", "accuracy.png", "predictions.png")) {
            assertTrue(Files.size(run.resolve(png)) > 1000, png);
        }
    }
}
