package jgrad.nn;

import java.util.LinkedHashMap;
import java.util.random.RandomGenerator;
import jgrad.device.Device;

/** The book's (Extended) MultiLayerNet: [Affine → (BatchNorm) → activation → (Dropout)]* → Affine. */
public final class Mlp {
    private Mlp() {}

    /**
     * @param hidden     hidden layer widths, e.g. {100} for the seed's TwoLayerNet
     * @param dropout    drop probability after each activation, 0 for none
     * @param batchNorm  insert BatchNorm1d between each hidden Affine and its activation
     */
    public static Sequential build(Device device, int inputs, int[] hidden, int outputs, String activation,
                                   Init init, float dropout, boolean batchNorm, RandomGenerator rng, long seed) {
        LinkedHashMap<String, Module> layers = new LinkedHashMap<>();
        int width = inputs;
        for (int i = 0; i < hidden.length; i++) {
            int n = i + 1;
            layers.put("fc" + n, new Linear(device, width, hidden[i], init, rng));
            if (batchNorm) {
                layers.put("bn" + n, new BatchNorm(device, hidden[i]));
            }
            layers.put("act" + n, Activation.parse(activation));
            if (dropout > 0f) {
                layers.put("drop" + n, new Dropout(dropout, seed + n));
            }
            width = hidden[i];
        }
        layers.put("fc" + (hidden.length + 1), new Linear(device, width, outputs, init, rng));
        return new Sequential(layers);
    }
}
