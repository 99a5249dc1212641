package jgrad.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Crash-safe file replacement: readers of {@code target} see either the complete old content or the
 * complete new content, never a torn mix, even if the JVM or the machine dies mid-write.
 *
 * <p>Recipe: write a temp file in the target's directory (same file system, so the rename can be
 * atomic), flush and fsync it, rename it over the target with {@code ATOMIC_MOVE}, then fsync the
 * directory so the rename itself survives a power cut. If anything fails before the rename the temp
 * file is deleted and the target is untouched.
 *
 * <p>A process killed mid-write cannot delete its temp file; the next successful write of the same
 * target does, once the file's lock shows that its writer is gone (see {@link TempFile}). Temp files
 * are hidden: {@code .<name>.<12 hex digits>.tmp}.
 */
public final class AtomicFiles {

    /** Suffix of the backup kept by {@link #writeKeepingPrevious}. */
    public static final String PREVIOUS_SUFFIX = ".prev";

    private static final int BUFFER_BYTES = 1 << 16;

    /** Writes the body of a file; may throw any {@link IOException}, which aborts the replacement. */
    @FunctionalInterface
    public interface IoWriter {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Atomically replaces (or creates) {@code target} with what {@code body} writes. */
    public static void write(Path target, IoWriter body) throws IOException {
        replace(target, body, false);
    }

    /** Atomically replaces (or creates) {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        replace(target, out -> out.write(bytes), false);
    }

    /**
     * Like {@link #write(Path, IoWriter)}, but if {@code target} already exists its current content is
     * kept as {@code <name>.prev} (replacing an older {@code .prev}). Used by checkpoints, so a
     * checkpoint that turns out to be bad (NaN weights, say) still leaves the one before it.
     *
     * <p>The backup is only made once the new content is safely on disk, so a failing body leaves both
     * the target and the old {@code .prev} untouched. At every instant {@code target} names a complete
     * file; between the two renames {@code .prev} and {@code target} briefly hold the same content.
     */
    public static void writeKeepingPrevious(Path target, IoWriter body) throws IOException {
        replace(target, body, true);
    }

    /** The path of the backup that {@link #writeKeepingPrevious} keeps for {@code target}. */
    public static Path previousOf(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + PREVIOUS_SUFFIX);
    }

    private static void replace(Path target, IoWriter body, boolean keepPrevious) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (abs.getFileName() == null || dir == null) {
            throw new IOException("not a file path: " + target);
        }
        String name = abs.getFileName().toString();
        TempFile temp = TempFile.create(dir, name);
        boolean backupStaged = false;
        // The temp file stays open, and locked, until it has been renamed into place.
        try (temp) {
            writeAndSync(temp.channel(), body);
            if (keepPrevious && Files.isRegularFile(abs)) {
                backupStaged = true;
                stageBackup(abs, temp.backup());
                Files.move(temp.backup(), previousOf(abs), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                backupStaged = false;
            }
            // ATOMIC_MOVE replaces an existing target on POSIX and on Windows (MoveFileEx with
            // REPLACE_EXISTING); REPLACE_EXISTING is stated for clarity. No non-atomic fallback: a
            // plain move could leave a torn target, which is exactly what this class exists to avoid.
            Files.move(temp.path(), abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable t) {
            deleteQuietly(temp.path(), t);
            if (backupStaged) {
                deleteQuietly(temp.backup(), t);
            }
            throw t;
        }
        syncDirectory(dir);
        TempFile.removeStale(dir, name);
    }

    private static void writeAndSync(FileChannel channel, IoWriter body) throws IOException {
        // The body may close the stream it is given (try-with-resources habits); shield the channel
        // so we can still flush and force it afterwards.
        BufferedOutputStream buffered = new BufferedOutputStream(
                new NonClosingOutputStream(Channels.newOutputStream(channel)), BUFFER_BYTES);
        body.write(new NonClosingOutputStream(buffered));
        buffered.flush();
        channel.force(true);
    }

    /**
     * Makes a durable copy of the current target at {@code backup}: a hard link when the file system
     * has them (instant, no extra disk), otherwise a byte copy.
     */
    private static void stageBackup(Path target, Path backup) throws IOException {
        try {
            Files.createLink(backup, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(target, backup, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(backup, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
    }

    /**
     * Forces the directory entry (the rename) to disk. Opening a directory for reading works on Linux
     * and macOS; Windows refuses, and there NTFS journals the rename anyway, so failure is ignored.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not supported on this platform; the file content itself is already durable.
        }
    }

    private static void deleteQuietly(Path path, Throwable primary) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    /** Passes writes through but turns {@code close()} into {@code flush()}. */
    private static final class NonClosingOutputStream extends FilterOutputStream {
        NonClosingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream's default writes byte by byte
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
