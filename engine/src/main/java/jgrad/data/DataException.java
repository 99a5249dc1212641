package jgrad.data;

/**
 * The one error type of {@code jgrad.data}: a dataset file is missing, corrupt, or not what its
 * spec says. The message is always a single line naming the file and the problem, because the
 * CLI prints it as-is to the user.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(oneLine(message));
    }

    public DataException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code "<file>: <problem>"}, the shape of nearly every message in this package. */
    static DataException inFile(String file, String problem) {
        return new DataException(file + ": " + problem);
    }

    static DataException inFile(String file, String problem, Throwable cause) {
        return new DataException(file + ": " + problem, cause);
    }

    // Messages often embed an IOException's text, which may carry newlines; the CLI contract is one line.
    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
