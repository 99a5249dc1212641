package jgrad.nn;

import java.util.Locale;

/** Weight initialisers of the book (ch. 6): a Gaussian whose standard deviation depends on fan-in. */
public enum Init {
    /** The seed's 0.01·N(0,1). */
    STD {
        @Override
        public double std(int fanIn) {
            return 0.01;
        }
    },
    /** Xavier/Glorot for sigmoid and tanh: √(1/n). */
    XAVIER {
        @Override
        public double std(int fanIn) {
            return Math.sqrt(1.0 / fanIn);
        }
    },
    /** He for ReLU: √(2/n). */
    HE {
        @Override
        public double std(int fanIn) {
            return Math.sqrt(2.0 / fanIn);
        }
    };

    public abstract double std(int fanIn);

    public static Init parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --init '" + s + "' (expected std, xavier or he)");
        }
    }
}
