package jgrad.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The lifetime of one step's intermediate tensors. Ops called while an arena is open register
 * their outputs (and intermediate gradients) with it; closing it returns all of that memory to the
 * device pool at once. Arenas nest; tensors go to the innermost.
 *
 * <pre>{@code
 * try (Arena step = Arena.open()) {
 *     Tensor loss = Ops.softmaxCrossEntropy(model.forward(x), y);
 *     loss.backward();
 *     optimizer.step();
 *     lossValue = loss.item();
 * }
 * }</pre>
 */
public final class Arena implements AutoCloseable {
    private static final ThreadLocal<Arena> CURRENT = new ThreadLocal<>();

    private final Arena parent;
    private final List<Tensor> tensors = new ArrayList<>();
    private boolean closed;

    private Arena(Arena parent) {
        this.parent = parent;
    }

    public static Arena open() {
        Arena arena = new Arena(CURRENT.get());
        CURRENT.set(arena);
        return arena;
    }

    static void track(Tensor t) {
        Arena arena = CURRENT.get();
        if (arena != null) {
            arena.tensors.add(t);
        }
    }

    /** Number of tensors this arena will release (for tests and leak checks). */
    public int size() {
        return tensors.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("arenas must be closed innermost first");
        }
        closed = true;
        CURRENT.set(parent);
        for (int i = tensors.size() - 1; i >= 0; i--) {
            tensors.get(i).close();
        }
        tensors.clear();
    }
}
