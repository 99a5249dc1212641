package jgrad.nn;

import java.util.Locale;

/**
 * Weight initialisers of the book (ch. 6): a zero-mean Gaussian whose standard deviation is either
 * fixed (the book's {@code weight_init_std}, e.g. the 16 scales of its batch-norm experiment) or
 * follows the layer's fan-in n as √(gain/n): Xavier (gain 1) and He (gain 2).
 *
 * @param name      how the command line and a checkpoint spell it: std, xavier, he, or the number
 * @param fixedStd  the standard deviation of a fixed initialiser (unused when {@code fanInGain} is set)
 * @param fanInGain the gain of a fan-in initialiser, or 0 for a fixed one
 */
public record Init(String name, double fixedStd, double fanInGain) {
    /** The seed's 0.01·N(0,1). */
    public static final Init STD = new Init("std", 0.01, 0);
    /** Xavier/Glorot for sigmoid and tanh: √(1/n). */
    public static final Init XAVIER = new Init("xavier", 0, 1);
    /** He for ReLU: √(2/n). */
    public static final Init HE = new Init("he", 0, 2);

    private static final String EXPECTED = "std, xavier, he or a standard deviation such as 0.05";

    public Init {
        if (!(fanInGain >= 0) || !Double.isFinite(fanInGain)
                || fanInGain == 0 && !(fixedStd > 0 && Double.isFinite(fixedStd))) {
            throw new IllegalArgumentException("--init " + name + " must be a positive, finite standard deviation");
        }
    }

    /** A fixed standard deviation, named by its value. */
    public static Init fixed(double std) {
        return new Init(Double.toString(std), std, 0);
    }

    public double std(int fanIn) {
        return fanInGain > 0 ? Math.sqrt(fanInGain / fanIn) : fixedStd;
    }

    /** std, xavier, he (any case), or a positive number: a fixed standard deviation, kept as spelled. */
    public static Init parse(String s) {
        String name = s.trim().toLowerCase(Locale.ROOT);
        switch (name) {
            case "std":
                return STD;
            case "xavier":
                return XAVIER;
            case "he":
                return HE;
            default:
                break;
        }
        double std;
        try {
            // digits only: Double.parseDouble would also take "NaN", "Infinity", hex and a trailing "d"
            if (!name.matches("[0-9.]+(e[-+]?[0-9]+)?")) {
                throw new NumberFormatException(name);
            }
            std = Double.parseDouble(name);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown --init '" + s + "' (expected " + EXPECTED + ")");
        }
        return new Init(s.trim(), std, 0);
    }
}
