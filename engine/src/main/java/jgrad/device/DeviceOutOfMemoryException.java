package jgrad.device;

/**
 * A device allocation failed for lack of memory, after the pool had already released its cached blocks
 * and retried. The message is one line: the size asked for, the pool's statistics, the device's free
 * memory and a hint. The device stays usable (smaller work still fits), and so does every other device.
 */
public final class DeviceOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final transient MemoryStats stats;

    public DeviceOutOfMemoryException(String message, long requestedBytes, MemoryStats stats) {
        super(message);
        this.requestedBytes = requestedBytes;
        this.stats = stats;
    }

    /** The size of the allocation that failed, before rounding to the pool's block size. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** The pool's statistics when it failed. */
    public MemoryStats stats() {
        return stats;
    }
}
