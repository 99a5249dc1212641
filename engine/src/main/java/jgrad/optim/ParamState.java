package jgrad.optim;

import java.util.ArrayList;
import java.util.List;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/** Shared bookkeeping: the parameter list, the learning rate, per-parameter state buffers. */
abstract class ParamState implements Optimizer {
    final List<Parameter> params;
    final float weightDecay;
    float lr;
    /** Every state tensor made by zerosLike, released by close(). */
    private final List<Tensor> state = new ArrayList<>();

    ParamState(List<Parameter> params, float lr, float weightDecay) {
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    float decayOf(Parameter p) {
        return p.decay() ? weightDecay : 0f;
    }

    /** One zero-filled state tensor per parameter, same shape and device, kept for the whole run. */
    List<Tensor> zerosLike() {
        List<Tensor> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            out.add(Tensor.zeros(p.tensor().device(), p.tensor().shape()));
        }
        state.addAll(out);
        return out;
    }

    @Override
    public void close() {
        for (Tensor t : state) {
            t.close();
        }
        state.clear();
    }

    /** Applies the update rule to parameter i (only called when it has a gradient). */
    abstract void update(int i, Parameter p, Tensor w, Tensor g);

    @Override
    public void step() {
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
}
