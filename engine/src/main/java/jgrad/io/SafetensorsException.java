package jgrad.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file is malformed or uses something this reader does not support.
 *
 * <p>It is an {@link IOException} because a bad file is an input problem, not a programming error:
 * callers that already handle I/O failures (a missing file, a full disk) handle this too, and may
 * catch it specifically to tell "the file is corrupt" from "the file could not be read". Plain I/O
 * errors (no such file, permission denied) are not wrapped in it.
 *
 * <p>The message is one line: {@code <file>: <problem>}.
 */
public final class SafetensorsException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public SafetensorsException(Path file, String problem) {
        this(file, problem, null);
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file that was being read or written. */
    public Path file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
