package jgrad.optim;

import java.util.List;
import jgrad.nn.Parameter;
import jgrad.tensor.Tensor;

/** Adam with bias correction (PyTorch's form), L2 weight decay added to the gradient. */
public final class Adam extends ParamState {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final List<Tensor> firstMoment;
    private final List<Tensor> secondMoment;
    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr, weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.firstMoment = slot(Optimizer.SLOTS.get("adam").get(0));
        this.secondMoment = slot(Optimizer.SLOTS.get("adam").get(1));
    }

    @Override
    void update(int i, Parameter p, Tensor w, Tensor g) {
        w.device().ops().adamUpdate(w.storage(), g.storage(), firstMoment.get(i).storage(),
                secondMoment.get(i).storage(), w.numel(), lr, beta1, beta2, eps, t, decayOf(p));
    }
}
