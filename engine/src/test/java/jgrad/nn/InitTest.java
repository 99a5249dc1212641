package jgrad.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import jgrad.cpu.CpuDevice;
import org.junit.jupiter.api.Test;

/** The named initialisers keep their book formulas; a number is a fixed standard deviation (weight_init_std). */
class InitTest {
    @Test
    void namedInitialisersFollowTheFanIn() {
        assertEquals(0.01, Init.parse("std").std(784));
        assertEquals(Math.sqrt(1.0 / 100), Init.parse("Xavier").std(100), 1e-15);
        assertEquals(Math.sqrt(2.0 / 50), Init.parse(" he ").std(50), 1e-15);
        assertEquals(Init.HE, Init.parse("HE"));
    }

    @Test
    void aNumberIsAFixedStandardDeviationKeptAsSpelled() {
        Init scale = Init.parse("1E-4");
        assertEquals(1e-4, scale.std(784));
        assertEquals(1e-4, scale.std(3));
        assertEquals("1E-4", scale.name());
        assertEquals(0.5, Init.parse("0.5").std(10));
        assertEquals(0.25, Init.fixed(0.25).std(7));
    }

    @Test
    void aLinearLayersWeightsHaveTheFixedStandardDeviation() {
        float[] w = new Linear(CpuDevice.get(), 200, 200, Init.parse("0.05"), new SplittableRandom(3)).weight()
                .toArray();
        double sq = 0;
        for (float v : w) {
            sq += v * v;
        }
        assertEquals(0.05, Math.sqrt(sq / w.length), 0.001, "40 000 draws: the sample std is within 2%");
    }

    @Test
    void otherSpellingsAreRefusedWithOneLine() {
        for (String bad : new String[] {"zeros", "NaN", "Infinity", "-0.1", "0x1p3", "1d", "."}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse(bad), bad);
            assertEquals("unknown --init '" + bad + "' (expected std, xavier, he or a standard deviation such as 0.05)",
                    e.getMessage());
        }
        for (String bad : new String[] {"0", "0.0", "1e999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse(bad), bad);
            assertEquals("--init " + bad + " must be a positive, finite standard deviation", e.getMessage());
        }
    }
}
