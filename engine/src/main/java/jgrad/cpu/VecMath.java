package jgrad.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised transcendental functions. JDK 17's Vector API computes EXP lane by lane in scalar
 * code, which would make sigmoid the slowest op of an MLP step; this is the Cephes expf scheme
 * (range reduction by ln 2, degree-6 polynomial, exponent built from bits), within 2 ulp.
 */
final class VecMath {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private static final float EXP_HI = 88.3762626647949f;
    private static final float EXP_LO = -87.3365447504f;
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    private VecMath() {}

    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = n.fma(bc(-LN2_HI), x);
        r = n.fma(bc(-LN2_LO), r);
        FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
        p = p.fma(r, bc(8.3334519073E-3f));
        p = p.fma(r, bc(4.1665795894E-2f));
        p = p.fma(r, bc(1.6666665459E-1f));
        p = p.fma(r, bc(5.0000001201E-1f));
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector bits = (IntVector) t.reinterpretAsInts();
        FloatVector scale = ((IntVector) bits.sub(ROUND_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23))
                .reinterpretAsFloats();
        return p.mul(scale);
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(SPECIES, v);
    }

    /**
     * The same operation sequence as {@link #exp(FloatVector)} on one float. Every step (fma, mul,
     * add, bit arithmetic) is exactly rounded, so it returns the lane's bits: loop tails done in
     * scalar code give the same result as the vector body.
     */
    static float exp(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(x, LOG2E, ROUND_MAGIC);
        float n = t - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, 1.9875691500E-4f, 1.3981999507E-3f);
        p = Math.fma(p, r, 8.3334519073E-3f);
        p = Math.fma(p, r, 4.1665795894E-2f);
        p = Math.fma(p, r, 1.6666665459E-1f);
        p = Math.fma(p, r, 5.0000001201E-1f);
        p = p * (r * r) + r + 1f;
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_MAGIC_BITS - 127)) << 23);
        return p * scale;
    }

    /** x[i] = exp(x[i]) for i in [0, n): vectors, then the scalar twin (same bits) for the tail. */
    static void expInPlace(float[] x, int n) {
        int step = SPECIES.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            exp(FloatVector.fromArray(SPECIES, x, i)).intoArray(x, i);
        }
        for (; i < n; i++) {
            x[i] = exp(x[i]);
        }
    }

    static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    /** 1/(1+e^−x). */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        return one.div(exp(x.neg()).add(one));
    }
}
