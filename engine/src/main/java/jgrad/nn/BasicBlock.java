package jgrad.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import jgrad.device.Device;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;

/**
 * ResNet's basic block (He et al. 2015, torchvision's BasicBlock): conv3×3(stride)-BN-ReLU-
 * conv3×3-BN, plus the shortcut, then ReLU. The shortcut is the identity when shape is kept, else
 * a 1×1 conv with the block's stride followed by BN (the "projection" shortcut). Convolutions
 * carry no bias: the BN after each one has its own shift.
 */
public final class BasicBlock implements Module {
    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Conv2d downsampleConv;
    private final BatchNorm downsampleBn;

    public BasicBlock(Device device, int in, int out, int stride, Init init, RandomGenerator rng) {
        conv1 = new Conv2d(device, in, out, 3, stride, 1, false, init, rng);
        bn1 = new BatchNorm(device, out);
        conv2 = new Conv2d(device, out, out, 3, 1, 1, false, init, rng);
        bn2 = new BatchNorm(device, out);
        boolean project = projects(in, out, stride);
        downsampleConv = project ? new Conv2d(device, in, out, 1, stride, 0, false, init, rng) : null;
        downsampleBn = project ? new BatchNorm(device, out) : null;
    }

    /** Whether a block from {@code in} to {@code out} channels with this stride needs the 1×1 projection shortcut. */
    public static boolean projects(int in, int out, int stride) {
        return stride != 1 || in != out;
    }

    public boolean hasProjection() {
        return downsampleConv != null;
    }

    /**
     * The main path's layers, named as in {@link #parameters}: conv1, bn1, conv2, bn2 (a ReLU follows
     * bn1); an exporter walks them to write the block as a graph.
     */
    public java.util.Map<String, Module> mainPath() {
        java.util.LinkedHashMap<String, Module> out = new java.util.LinkedHashMap<>();
        out.put("conv1", conv1);
        out.put("bn1", bn1);
        out.put("conv2", conv2);
        out.put("bn2", bn2);
        return out;
    }

    /** The projection shortcut's layers, downsample.0 (conv) and downsample.1 (BN); empty for the identity. */
    public java.util.Map<String, Module> shortcut() {
        java.util.LinkedHashMap<String, Module> out = new java.util.LinkedHashMap<>();
        if (downsampleConv != null) {
            out.put("downsample.0", downsampleConv);
            out.put("downsample.1", downsampleBn);
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = Ops.relu(bn1.forward(conv1.forward(x)));
        h = bn2.forward(conv2.forward(h));
        Tensor shortcut = downsampleConv == null ? x : downsampleBn.forward(downsampleConv.forward(x));
        return Ops.relu(Ops.add(h, shortcut));
    }

    /** torchvision's names: conv1, bn1, conv2, bn2, downsample.0 (conv), downsample.1 (BN). */
    private List<Parameter> collect(boolean buffers) {
        List<Parameter> out = new ArrayList<>();
        add(out, "conv1", conv1, buffers);
        add(out, "bn1", bn1, buffers);
        add(out, "conv2", conv2, buffers);
        add(out, "bn2", bn2, buffers);
        if (downsampleConv != null) {
            add(out, "downsample.0", downsampleConv, buffers);
            add(out, "downsample.1", downsampleBn, buffers);
        }
        return out;
    }

    private static void add(List<Parameter> out, String name, Module m, boolean buffers) {
        (buffers ? m.buffers() : m.parameters()).forEach(p -> out.add(p.prefixed(name)));
    }

    @Override
    public List<Parameter> parameters() {
        return collect(false);
    }

    @Override
    public List<Parameter> buffers() {
        return collect(true);
    }

    @Override
    public void train(boolean training) {
        bn1.train(training);
        bn2.train(training);
        if (downsampleBn != null) {
            downsampleBn.train(training);
        }
    }
}
