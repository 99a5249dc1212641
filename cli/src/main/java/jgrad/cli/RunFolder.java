package jgrad.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jgrad.io.AtomicFiles;
import jgrad.train.Checkpoint;
import jgrad.train.CheckpointException;
import jgrad.train.TrainConfig;

/**
 * A {@code train --out} folder and the run it may already hold. A new run never silently replaces
 * another one: without --resume or --overwrite it is refused with one line saying what is there.
 */
final class RunFolder {
    /** The files a run writes into its folder; any of them marks the folder as holding a run. */
    static final List<String> RUN_FILES = List.of(Checkpoint.FILE, Checkpoint.FILE + ".prev", "model.safetensors",
            "metrics.json", "loss.png", "accuracy.png", "predictions.png");

    private RunFolder() {}

    /** True when {@code dir} holds a checkpoint, model or metrics of an earlier run. */
    static boolean holdsRun(Path dir) {
        return dir != null && (Files.isRegularFile(dir.resolve(Checkpoint.FILE))
                || Files.isRegularFile(AtomicFiles.previousOf(dir.resolve(Checkpoint.FILE)))
                || Files.isRegularFile(dir.resolve("model.safetensors"))
                || Files.isRegularFile(dir.resolve("metrics.json")));
    }

    /**
     * Refuses {@code --out dir} when it holds a run that this command does not continue.
     *
     * @param continuing the folder of the checkpoint --resume continues, or null for a new run
     */
    static void checkFree(Path dir, Path continuing, boolean overwrite) {
        if (dir == null || overwrite || !holdsRun(dir) || sameFolder(dir, continuing)) {
            return;
        }
        String what = describe(dir);
        throw new IllegalArgumentException("--out " + dir + " holds another run (" + what + "); continue it with "
                + "--resume " + dir + ", replace it with --overwrite, or give another --out");
    }

    /** "mlp on mnist, epoch 2 of 2", or the file found when the checkpoint cannot be read. */
    static String describe(Path dir) {
        if (!Files.isRegularFile(dir.resolve(Checkpoint.FILE))
                && !Files.isRegularFile(AtomicFiles.previousOf(dir.resolve(Checkpoint.FILE)))) {
            return "its " + RUN_FILES.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).findFirst()
                    .orElse("files");
        }
        try {
            Checkpoint c = Checkpoint.read(dir);
            return c.config().model() + " on " + Datasets.datasetOf(c.dataInfo()) + ", " + progress(c);
        } catch (CheckpointException | IllegalArgumentException e) {
            return "an unreadable " + Checkpoint.FILE;
        }
    }

    /** "epoch 2 of 2" (epochs mode) or "step 600 of 10000" (steps mode) of the checkpoint's run. */
    static String progress(Checkpoint c) {
        TrainConfig cfg = c.config();
        if (cfg.epochs() > 0) {
            return "epoch " + c.epoch() + " of " + cfg.epochs();
        }
        return "step " + c.step() + " of " + cfg.steps();
    }

    /**
     * Removes the files of the run that --overwrite replaces, so that nothing of it (a .prev
     * checkpoint that a later --resume could fall back to, a chart the new run does not draw) is
     * mixed up with the new run.
     */
    static void clear(Path dir) throws IOException {
        for (String name : RUN_FILES) {
            Files.deleteIfExists(dir.resolve(name));
        }
    }

    private static boolean sameFolder(Path dir, Path continuing) {
        if (continuing == null) {
            return false;
        }
        try {
            return Files.isSameFile(dir, continuing);
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize().equals(continuing.toAbsolutePath().normalize());
        }
    }
}
