package jgrad.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jgrad.device.Device;
import jgrad.device.Storage;

/**
 * A contiguous row-major float32 array on one {@link Device}, with reverse-mode autograd.
 *
 * <p>Ownership is explicit: tensors made by the factory methods belong to the caller; tensors made
 * by {@link Ops} inside an {@link Arena} (and intermediate gradients) are released when that arena
 * closes. A leaf's gradient buffer is kept across steps and overwritten by the first backward after
 * {@link #zeroGrad()}, so a training step reuses the same memory every time.
 */
public final class Tensor implements AutoCloseable {
    private final Device device;
    private final int[] shape;
    private final int numel;
    private final Storage storage;
    /** False for views (reshape): the storage belongs to another tensor. */
    private final boolean ownsStorage;
    private boolean requiresGrad;
    private Tensor grad;
    /** False after zeroGrad(): the next gradient write overwrites instead of accumulating. */
    private boolean gradValid;
    /** How to push this tensor's gradient to its inputs; null for leaves and untracked results. */
    Node node;

    /** One recorded op: its inputs and the closure that propagates the output gradient to them. */
    record Node(String op, Tensor[] inputs, Backward backward) {}

    @FunctionalInterface
    interface Backward {
        void apply(Tensor gradOutput);
    }

    Tensor(Device device, int[] shape, Storage storage, boolean ownsStorage) {
        this.device = device;
        this.shape = shape.clone();
        this.numel = numel(shape);
        if (storage.numel() < numel) {
            throw new IllegalArgumentException("storage of " + storage.numel() + " elements for shape " + Arrays.toString(shape));
        }
        this.storage = storage;
        this.ownsStorage = ownsStorage;
    }

    /** A new tensor owned by the current arena (op outputs and intermediate gradients). */
    static Tensor tracked(Device device, int... shape) {
        Tensor t = new Tensor(device, shape, device.allocate(numel(shape)), true);
        Arena.track(t);
        return t;
    }

    static int numel(int[] shape) {
        return Sizes.elements(shape);
    }

    /** Uninitialised-then-zeroed tensor owned by the caller. */
    public static Tensor zeros(Device device, int... shape) {
        return full(device, 0f, shape);
    }

    public static Tensor full(Device device, float value, int... shape) {
        Tensor t = new Tensor(device, shape, device.allocate(numel(shape)), true);
        device.ops().fill(t.storage, value, t.numel);
        return t;
    }

    /** Copies {@code data} (row-major, exactly numel(shape) values) to a new tensor on {@code device}. */
    public static Tensor of(Device device, float[] data, int... shape) {
        int n = numel(shape);
        if (data.length != n) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape)
                    + " (needs " + n + ")");
        }
        Tensor t = new Tensor(device, shape, device.allocate(n), true);
        device.copyIn(data, 0, t.storage, 0, n);
        return t;
    }

    public Device device() {
        return device;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return numel;
    }

    public Storage storage() {
        return storage;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as trainable: backward() fills its gradient. */
    public Tensor requiresGrad(boolean value) {
        if (node != null) {
            throw new IllegalStateException("requiresGrad can only be set on leaf tensors");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient, or null if no backward has reached this tensor since zeroGrad(). */
    public Tensor grad() {
        return gradValid ? grad : null;
    }

    /** Makes the next backward overwrite the gradient; keeps the buffer for reuse. */
    public void zeroGrad() {
        gradValid = false;
    }

    /**
     * Ensures a gradient buffer exists and returns whether a backward kernel must add to it (true)
     * or overwrite it (false). The buffer then counts as valid.
     */
    boolean prepareGrad() {
        if (grad == null) {
            grad = node == null
                    ? new Tensor(device, shape, device.allocate(numel), true)
                    : tracked(device, shape);
        }
        boolean accumulate = gradValid;
        gradValid = true;
        return accumulate;
    }

    Tensor gradBuffer() {
        return grad;
    }

    public float[] toArray() {
        float[] out = new float[numel];
        device.copyOut(storage, 0, out, 0, numel);
        return out;
    }

    /** The value of a one-element tensor (a host sync on asynchronous devices). */
    public float item() {
        if (numel != 1) {
            throw new IllegalStateException("item() of a tensor with shape " + Arrays.toString(shape));
        }
        float[] out = new float[1];
        device.copyOut(storage, 0, out, 0, 1);
        return out[0];
    }

    /** Overwrites the contents from a host array of exactly numel() values. */
    public void copyFrom(float[] data) {
        if (data.length != numel) {
            throw new IllegalArgumentException(data.length + " values for a tensor of " + numel);
        }
        device.copyIn(data, 0, storage, 0, numel);
    }

    /** Reverse-mode autograd from this scalar: fills grad() of every leaf that requires it. */
    public void backward() {
        if (numel != 1) {
            throw new IllegalStateException("backward() needs a scalar, got shape " + Arrays.toString(shape));
        }
        if (node == null) {
            throw new IllegalStateException("backward() on a tensor that does not require grad");
        }
        List<Tensor> order = topologicalOrder();
        prepareGrad();
        device.ops().fill(grad.storage, 1f, 1);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.node != null && t.gradValid) {
                t.node.backward().apply(t.grad);
            }
        }
    }

    /** Post-order DFS (iterative, so deep nets cannot overflow the stack). */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = new HashSet<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if ((in.node != null || in.requiresGrad) && visited.add(in)) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    boolean ownsStorage() {
        return ownsStorage;
    }

    /** Releases the storage (if owned) and the gradient buffer back to the device pool. */
    @Override
    public void close() {
        if (ownsStorage) {
            storage.close();
        }
        if (grad != null) {
            grad.close();
            grad = null;
        }
        gradValid = false;
        node = null;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "@" + device.name();
    }
}
