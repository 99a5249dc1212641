package jgrad.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temp file of one {@link AtomicFiles} write, held open and exclusively locked until the write
 * has renamed it into place. The lock is what makes leftovers safe to clean up: a writer killed
 * mid-write (kill -9, a crash) leaves its temp file behind, but the operating system drops its lock,
 * so {@link #removeStale} can tell a dead writer's file from a live one and delete only the former.
 *
 * <p>Names, for target {@code name}: {@code .name.<salt>.tmp} for the new content and
 * {@code .name.<salt>.prev.tmp} for the backup link of {@link AtomicFiles#writeKeepingPrevious},
 * where {@code <salt>} is 12 random hex digits shared by the two. A backup temp only exists while
 * its content temp does (it is renamed first), so a backup temp whose content temp is gone or
 * unlocked is stale too.
 *
 * <p>POSIX record locks belong to the process and are all dropped when any descriptor of the file
 * is closed, so this JVM never opens its own temp files to test them: it keeps their paths in
 * {@link #IN_FLIGHT} instead.
 */
final class TempFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TempFile.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SALT_BYTES = 6;
    private static final String SUFFIX = ".tmp";
    private static final String BACKUP_SUFFIX = ".prev" + SUFFIX;
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean LOCKS_UNSUPPORTED_LOGGED = new AtomicBoolean();

    private final Path path;
    private final Path backup;
    private final FileChannel channel;

    private TempFile(Path path, Path backup, FileChannel channel) {
        this.path = path;
        this.backup = backup;
        this.channel = channel;
    }

    /** Creates, opens and locks a new uniquely named temp file next to {@code dir/name}. */
    static TempFile create(Path dir, String name) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 16; attempt++) {
            byte[] salt = new byte[SALT_BYTES];
            RANDOM.nextBytes(salt);
            String stem = "." + name + "." + HexFormat.of().formatHex(salt);
            Path path = dir.resolve(stem + SUFFIX);
            IN_FLIGHT.add(path);
            FileChannel channel = null;
            try {
                // CREATE_NEW rather than Files.createTempFile, which forces mode 0600 on POSIX and the
                // renamed file would keep it; CREATE_NEW honours the umask like any ordinary write.
                channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                lock(channel, dir);
                // Between CREATE_NEW and lock() another process's cleanup may have taken the lock and
                // deleted the (then unlocked) file; lock() waited for it, and the name is now gone.
                if (Files.exists(path)) {
                    return new TempFile(path, dir.resolve(stem + BACKUP_SUFFIX), channel);
                }
                last = new IOException("temp file " + path + " was removed while being created");
            } catch (FileAlreadyExistsException e) {
                last = e;
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(channel, path, e);
                throw e;
            }
            closeAfterFailure(channel, path, last);
        }
        throw new IOException("could not create a unique temp file next to " + dir.resolve(name), last);
    }

    /**
     * Takes the exclusive lock. Where the file system has no locks (some network and FUSE mounts) the
     * write goes ahead unlocked; cleanup then cannot test such files either and leaves them alone.
     */
    private static void lock(FileChannel channel, Path dir) throws IOException {
        try {
            channel.lock();
        } catch (IOException e) {
            if (LOCKS_UNSUPPORTED_LOGGED.compareAndSet(false, true)) {
                LOG.warn("cannot lock temp files in {} ({}); temp files of interrupted writes there will not be "
                        + "cleaned up", dir, e.getMessage());
            }
        }
    }

    private static void closeAfterFailure(FileChannel channel, Path path, Throwable primary) {
        try {
            if (channel != null) {
                channel.close();
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            primary.addSuppressed(e);
        } finally {
            IN_FLIGHT.remove(path);
        }
    }

    Path path() {
        return path;
    }

    /** Where {@link AtomicFiles#writeKeepingPrevious} stages the backup before renaming it to {@code .prev}. */
    Path backup() {
        return backup;
    }

    FileChannel channel() {
        return channel;
    }

    /** Closes the channel (dropping the lock); the file itself is renamed or deleted by the caller. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            IN_FLIGHT.remove(path);
        }
    }

    /**
     * Deletes the temp files that earlier, interrupted writes of {@code dir/name} left behind: those
     * whose writer no longer holds the lock. A temp file of a write still in progress, in this
     * process or another, is left alone. Best effort: a file that cannot be examined is skipped.
     *
     * @return the paths deleted
     */
    static List<Path> removeStale(Path dir, String name) {
        Pattern pattern = Pattern.compile("\\." + Pattern.quote(name) + "\\.([0-9a-f]{" + 2 * SALT_BYTES
                + "})(\\.prev)?" + Pattern.quote(SUFFIX));
        Set<String> salts = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = pattern.matcher(p.getFileName().toString());
                if (m.matches()) {
                    salts.add(m.group(1));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot list {} for stale temp files: {}", dir, e.toString());
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        for (String salt : salts) {
            String stem = "." + name + "." + salt;
            removeIfStale(dir.resolve(stem + SUFFIX), dir.resolve(stem + BACKUP_SUFFIX), removed);
        }
        if (!removed.isEmpty()) {
            LOG.info("removed {} temp file(s) of {} left by an interrupted write", removed.size(), dir.resolve(name));
        }
        return removed;
    }

    private static void removeIfStale(Path content, Path backup, List<Path> removed) {
        if (IN_FLIGHT.contains(content)) {
            return;
        }
        try {
            if (!Files.exists(content)) {
                deleteIfExists(backup, removed); // its content temp is gone, so its writer is too
                return;
            }
            try (FileChannel channel = FileChannel.open(content, StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    return; // a live writer in another process
                }
                // Delete while holding the lock, so a writer that has just created the file and is
                // waiting for its lock finds the name gone and picks another.
                deleteIfExists(backup, removed);
                deleteIfExists(content, removed);
            }
        } catch (OverlappingFileLockException e) {
            // locked by this JVM through a path it does not track: in use
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot examine temp file {}: {}", content, e.toString());
        }
    }

    private static void deleteIfExists(Path p, List<Path> removed) throws IOException {
        if (Files.deleteIfExists(p)) {
            removed.add(p);
        }
    }
}
