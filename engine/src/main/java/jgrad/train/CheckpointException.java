package jgrad.train;

/** A checkpoint cannot be read or does not fit the model it is meant for; the message is one line. */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message.strip().replaceAll("\\s*\\R\\s*", " "));
    }

    public CheckpointException(String message, Throwable cause) {
        super(message.strip().replaceAll("\\s*\\R\\s*", " "), cause);
    }
}
