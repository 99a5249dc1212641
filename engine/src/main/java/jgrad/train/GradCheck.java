package jgrad.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import jgrad.nn.Parameter;
import jgrad.tensor.Arena;
import jgrad.tensor.GradMode;
import jgrad.tensor.Tensor;

/**
 * Compares backprop with central differences (f(w+h) − f(w−h))/2h, the book's numerical_gradient,
 * on a sample of coordinates of every parameter.
 *
 * <p>The error per coordinate is |analytic − numeric| / max(|analytic| + |numeric|, floor): float32
 * round-off in f limits how well a finite difference can resolve a gradient, and the floor keeps
 * gradients that are essentially zero from dominating the maximum.
 */
public final class GradCheck {
    /**
     * Per-parameter result: coordinates compared, coordinates skipped because f has a kink within
     * ±h there (ReLU crossing zero: the one-sided slopes disagree, so no finite difference is
     * meaningful), and the worst errors among those compared.
     */
    public record ParamError(String name, int checked, int skippedKinks, double maxRelError, double maxAbsError) {}

    private GradCheck() {}

    /**
     * @param loss          builds the scalar loss from the current parameter values (called in an arena)
     * @param coordinates   coordinates sampled per parameter (all of them if the parameter is smaller)
     * @param h             finite-difference step
     */
    public static List<ParamError> run(List<Parameter> params, Supplier<Tensor> loss, int coordinates, double h,
                                       double floor, long seed) {
        List<float[]> analytic = new ArrayList<>();
        for (Parameter p : params) {
            p.tensor().zeroGrad();
        }
        try (Arena arena = Arena.open()) {
            loss.get().backward();
            for (Parameter p : params) {
                Tensor g = p.tensor().grad();
                analytic.add(g == null ? new float[p.tensor().numel()] : g.toArray());
            }
        }
        double base = evaluate(loss);
        SplittableRandom rng = new SplittableRandom(seed);
        List<ParamError> out = new ArrayList<>();
        for (int pi = 0; pi < params.size(); pi++) {
            Parameter p = params.get(pi);
            Tensor w = p.tensor();
            float[] values = w.toArray();
            int n = values.length;
            int count = Math.min(coordinates, n);
            int kinks = 0;
            double maxRel = 0;
            double maxAbs = 0;
            for (int s = 0; s < count; s++) {
                int i = count == n ? s : rng.nextInt(n);
                float original = values[i];
                values[i] = (float) (original + h);
                w.copyFrom(values);
                double plus = evaluate(loss);
                values[i] = (float) (original - h);
                w.copyFrom(values);
                double minus = evaluate(loss);
                values[i] = original;
                w.copyFrom(values);
                // Divide by the steps actually taken: w ± h is rounded to float.
                double up = (double) (float) (original + h) - original;
                double down = original - (double) (float) (original - h);
                double numeric = (plus - minus) / (up + down);
                double slopeUp = (plus - base) / up;
                double slopeDown = (base - minus) / down;
                if (Math.abs(slopeUp - slopeDown) > 0.05 * Math.max(Math.abs(slopeUp) + Math.abs(slopeDown), floor)) {
                    kinks++;
                    continue;
                }
                double a = analytic.get(pi)[i];
                double abs = Math.abs(a - numeric);
                maxAbs = Math.max(maxAbs, abs);
                maxRel = Math.max(maxRel, abs / Math.max(Math.abs(a) + Math.abs(numeric), floor));
            }
            out.add(new ParamError(p.name(), count - kinks, kinks, maxRel, maxAbs));
        }
        return out;
    }

    private static double evaluate(Supplier<Tensor> loss) {
        try (GradMode g = GradMode.noGrad(); Arena arena = Arena.open()) {
            return loss.get().item();
        }
    }
}
