package jgrad.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/**
 * Shared bookkeeping: the parameter list, the learning rate, the step count, and per-parameter
 * state buffers ("slots", e.g. Momentum's velocity), which {@link #state()} names for checkpoints.
 */
abstract class ParamState implements Optimizer {
    final List<Parameter> params;
    final float weightDecay;
    float lr;
    /** Steps taken so far (Adam's bias-correction exponent; kept by all for checkpoints). */
    int t;
    private final Map<String, List<Tensor>> slots = new LinkedHashMap<>();

    ParamState(List<Parameter> params, float lr, float weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    float decayOf(Parameter p) {
        return p.decay() ? weightDecay : 0f;
    }

    /** One zero-filled state tensor per parameter, same shape and device, kept for the whole run. */
    List<Tensor> slot(String name) {
        List<Tensor> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            out.add(Tensor.zeros(p.tensor().device(), p.tensor().shape()));
        }
        slots.put(name, out);
        return out;
    }

    /** Releases every state buffer (device memory on a GPU); the optimizer is unusable afterwards. */
    @Override
    public void close() {
        for (List<Tensor> tensors : slots.values()) {
            for (Tensor t : tensors) {
                t.close();
            }
        }
        slots.clear();
    }

    /** Applies the update rule to parameter i (only called when it has a gradient). */
    abstract void update(int i, Parameter p, Tensor w, Tensor g);

    @Override
    public void step() {
        t++;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            Tensor w = p.tensor();
            Tensor g = w.grad();
            if (g != null) {
                update(i, p, w, g);
            }
        }
    }

    @Override
    public void zeroGrad() {
        for (Parameter p : params) {
            p.tensor().zeroGrad();
        }
    }

    @Override
    public void setLearningRate(float lr) {
        this.lr = lr;
    }

    @Override
    public float learningRate() {
        return lr;
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        slots.forEach((slot, tensors) -> {
            for (int i = 0; i < params.size(); i++) {
                out.put(params.get(i).name() + "." + slot, tensors.get(i));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    @Override
    public int stepCount() {
        return t;
    }

    @Override
    public void setStepCount(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        this.t = steps;
    }
}
