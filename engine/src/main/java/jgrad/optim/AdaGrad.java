package jgrad.optim;

import java.util.List;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/** The book's AdaGrad: h += g²; w −= lr·g/(√h + 1e-7). */
public final class AdaGrad extends ParamState {
    private final List<Tensor> squares;

    public AdaGrad(List<Parameter> params, float lr, float weightDecay) {
        super(params, lr, weightDecay);
        this.squares = slot(Optimizer.SLOTS.get("adagrad").get(0));
    }

    @Override
    void update(int i, Parameter p, Tensor w, Tensor g) {
        w.device().ops().adagradUpdate(w.storage(), g.storage(), squares.get(i).storage(), w.numel(), lr, 1e-7f,
                decayOf(p));
    }
}
