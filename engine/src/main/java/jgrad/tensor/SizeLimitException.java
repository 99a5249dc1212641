package jgrad.tensor;

/**
 * A size computed from outside input is over its stated bound (or negative). An
 * IllegalArgumentException, so a command line that asks for it is a usage error; a file that
 * implies it is reported by its reader as a problem of that file.
 */
public final class SizeLimitException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SizeLimitException(String message) {
        super(message);
    }
}
