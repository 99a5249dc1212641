package jgrad.optim;

import java.util.List;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/** The book's Momentum: v = μv − lr·g; w += v. */
public final class Momentum extends ParamState {
    private final float momentum;
    private final List<Tensor> velocity;

    public Momentum(List<Parameter> params, float lr, float momentum, float weightDecay) {
        super(params, lr, weightDecay);
        this.momentum = momentum;
        this.velocity = slot(Optimizer.SLOTS.get("momentum").get(0));
    }

    @Override
    void update(int i, Parameter p, Tensor w, Tensor g) {
        w.device().ops().momentumUpdate(w.storage(), g.storage(), velocity.get(i).storage(), w.numel(), lr,
                momentum, decayOf(p));
    }
}
