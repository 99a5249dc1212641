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
    public void step() {
        for (Parameter p : params) {
            Tensor w = p.tensor();
            Tensor g = w.grad();
            if (g != null) {
                w.device().ops().sgdUpdate(w.storage(), g.storage(), w.numel(), lr, decayOf(p));
            }
        }
    }
}
