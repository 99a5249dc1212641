package jgrad.nn;

import jgrad.tensor.NnOps;
import jgrad.tensor.Tensor;

/** Inverted dropout; each training forward draws a fresh mask from (seed, call count). */
public final class Dropout implements Module {
    private final float p;
    private final long seed;
    private long calls;
    private boolean training = true;

    public Dropout(float p, long seed) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!training) {
            return x;
        }
        long maskSeed = seed * 0x9E3779B97F4A7C15L + (calls++);
        return NnOps.dropout(x, p, maskSeed, true);
    }

    @Override
    public java.util.Map<String, Long> randomState() {
        return java.util.Map.of("calls", calls);
    }

    @Override
    public void restoreRandomState(java.util.Map<String, Long> state) {
        calls = state.get("calls");
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }
}
