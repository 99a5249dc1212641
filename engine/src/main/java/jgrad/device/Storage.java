package jgrad.device;

/**
 * A buffer of float32 elements owned by one device. Released buffers go back to that device's pool,
 * so a training step that allocates the same shapes every time reuses the same memory.
 */
public interface Storage extends AutoCloseable {
    Device device();

    /** Number of float32 elements. */
    int numel();

    /** Returns the buffer to its device's pool. Idempotent; using the storage afterwards is an error. */
    @Override
    void close();

    boolean isClosed();
}
