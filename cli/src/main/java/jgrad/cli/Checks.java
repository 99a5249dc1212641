package jgrad.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import jgrad.data.DatasetSpec;
import jgrad.train.Checkpoint;
import picocli.CommandLine;

/**
 * The checks commands make on their options before any work starts: names against their lists,
 * numbers that picocli parsed but no run can use, and paths that cannot be read or written. Each
 * failure is an IllegalArgumentException naming the option, which {@link Errors} turns into exit 2.
 */
final class Checks {
    private Checks() {}

    /**
     * Float and double options: picocli's own parsing takes "NaN", "Infinity" and "1e39" (a float
     * infinity), which no option of jgrad means; refused here for all of them at once.
     */
    static void registerFiniteNumbers(CommandLine cli) {
        CommandLine.ITypeConverter<Float> toFloat = s -> finite(s, Float.parseFloat(number(s)));
        CommandLine.ITypeConverter<Double> toDouble = s -> finite(s, Double.parseDouble(number(s)));
        cli.registerConverter(Float.class, toFloat);
        cli.registerConverter(float.class, toFloat);
        cli.registerConverter(Double.class, toDouble);
        cli.registerConverter(double.class, toDouble);
    }

    /** {@code s} if Java parses it as a number (the parse is then repeated at the option's precision). */
    private static String number(String s) {
        try {
            Double.parseDouble(s);
            return s;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a number");
        }
    }

    private static <T extends Number> T finite(String s, T value) {
        if (!Double.isFinite(value.doubleValue())) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a finite number");
        }
        return value;
    }

    /** A data set name (mnist, fashion-mnist, cifar10), any case, as DatasetSpec knows them. */
    static void dataset(String option, String name) {
        List<String> known = DatasetSpec.known().stream().map(DatasetSpec::name).toList();
        if (name == null || !known.contains(name.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown " + option + " '" + name + "' (expected "
                    + String.join(", ", known) + ")");
        }
    }

    /** {@code value >= min}, said with the option's name. */
    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** --data-dir: a directory, or a path where one can be created (data sets are fetched into it). */
    static void dataDir(Path dir) {
        if (dir != null) {
            outputDir("--data-dir", dir);
        }
    }

    /** An output directory: an existing directory, or one that can be created (mkdir -p). Null: not given. */
    static void outputDir(String option, Path dir) {
        if (dir == null) {
            return;
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is a file, not a directory");
        }
        creatable(option, dir, dir);
    }

    /**
     * An output file: not a directory, and its directory exists or can be created (as the writers
     * create it). The file itself is replaced atomically, so an existing one is fine.
     */
    static void outputFile(String option, Path file) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a directory; give a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            creatable(option, file, parent);
        }
    }

    /** A checkpoint: a directory holding {@link Checkpoint#FILE}, or that file (its content is read later). */
    static void checkpoint(String option, Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(option + " " + path + ": no such file or directory");
        }
        if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve(Checkpoint.FILE))) {
            throw new IllegalArgumentException(option + " " + path + ": no " + Checkpoint.FILE + " in this directory "
                    + "(train with --out DIR to write one)");
        }
    }

    /** An input file or directory that must exist (data import sources). */
    static void existing(String what, Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(what + " " + path + ": no such file or directory");
        }
    }

    /**
     * The nearest existing ancestor of {@code dir} is a directory in which this process can create a
     * file: tried by creating (and deleting) an empty one, since permission bits do not tell (root,
     * read-only mounts, /proc), with the operating system's reason when it fails.
     */
    private static void creatable(String option, Path given, Path dir) {
        Path p = dir.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return;  // nothing on the path exists, not even a root: let the writer report it
        }
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + " " + given + ": " + p + " is a file, not a directory");
        }
        try {
            Files.delete(Files.createTempFile(p, ".jgrad-probe-", ".tmp"));
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + given + ": cannot create files in " + p + ": "
                    + reason(e));
        }
    }

    /**
     * What the operating system said, in its words: Java maps the errno of a failed file operation
     * to an exception class and leaves the reason null, so the class is translated back.
     */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory (this file system does not take new files here)";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file of that name exists";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
