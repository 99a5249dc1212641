package jgrad.optim;

import java.util.List;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/** w −= lr·(g + λw). */
public final class Sgd extends ParamState {
    public Sgd(List<Parameter> params, float lr, float weightDecay) {
        super(params, lr, weightDecay);
    }

    @Override
    void update(int i, Parameter p, Tensor w, Tensor g) {
        w.device().ops().sgdUpdate(w.storage(), g.storage(), w.numel(), lr, decayOf(p));
    }
}
