package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleAndStoppingTest {
    @Test
    void cosineFollowsPyTorchsClosedForm() {
        // CosineAnnealingLR(T_max=100, eta_min=0): lr·(1 + cos(π·e/100))/2.
        assertEquals(0.01f, LrSchedule.at("cosine", 0.01f, 0, 100));
        assertEquals(0.005f, LrSchedule.at("cosine", 0.01f, 50, 100), 1e-9f);
        assertEquals(0.01 * (1 + Math.cos(Math.PI * 45 / 100)) / 2, LrSchedule.at("cosine", 0.01f, 45, 100), 1e-9);
        assertEquals(0f, LrSchedule.at("cosine", 0.01f, 100, 100), 1e-9f);
        assertEquals(LrSchedule.at("cosine", 0.01f, 90, 100), LrSchedule.at("cosine", 0.01f, 110, 100), 1e-9f);
        assertEquals(0.3f, LrSchedule.at("constant", 0.3f, 77, 5));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.at("step", 0.1f, 0, 1));
    }

    @Test
    void earlyStoppingCountsEpochsWithoutEnoughImprovement() {
        EarlyStopping s = new EarlyStopping(2, 0.1f);
        assertFalse(s.observe(1, 1.0));   // best 1.0
        assertFalse(s.observe(2, 0.95));  // not by more than 0.1: 1 bad epoch
        assertFalse(s.observe(3, 0.85));  // 0.85 < 0.9: improved, counter reset
        assertEquals(0.85, s.best());
        assertFalse(s.observe(4, 0.80));
        assertTrue(s.observe(5, 0.90));
        assertEquals(5, s.stoppedAfter());
        EarlyStopping off = new EarlyStopping(0, 0f);
        for (int e = 1; e <= 50; e++) {
            assertFalse(off.observe(e, 1.0));
        }
    }

    @Test
    void configValidatesTheNewOptions() {
        TrainConfig d = TrainConfig.seedDefaults();
        assertEquals("constant", d.lrSchedule());
        assertEquals("none", d.augment());
        assertEquals(0.9f, d.momentum());
        assertEquals(17, d.totalEpochs(60_000), "10 000 steps of 100 span 16⅔ notional epochs");
        assertEquals(600, d.stepsPerEpoch(60_000));
        for (Object[] bad : List.of(new Object[] {1f, "constant", 0, 0, 0f, "none"},
                new Object[] {0.9f, "linear", 0, 0, 0f, "none"}, new Object[] {0.9f, "cosine", -1, 0, 0f, "none"},
                new Object[] {0.9f, "cosine", 0, -1, 0f, "none"}, new Object[] {0.9f, "cosine", 0, 3, -1f, "none"},
                new Object[] {0.9f, "cosine", 0, 3, 0f, "rotate,zoom"})) {
            assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().steps(10).batchSize(10)
                    .activation("relu").init("he").hidden(4).seed(1L).logEvery(1).momentum((float) bad[0])
                    .lrSchedule((String) bad[1]).tMax((int) bad[2]).patience((int) bad[3]).minDelta((float) bad[4])
                    .augment((String) bad[5]).build());
        }
    }

    @Test
    void evaluationBuildsTheConfusionMatrix() {
        Evaluation e = Evaluation.of(new int[] {0, 1, 1, 2, 2, 0}, new float[] {0, 1, 2, 2, 2, 1}, 4);
        assertEquals(1, e.confusion()[2][1]);
        assertEquals(2, e.confusion()[2][2]);
        assertEquals(4.0 / 6, e.accuracy(), 1e-12);
        double[] per = e.perClassAccuracy();
        assertEquals(1.0, per[0]);
        assertEquals(0.5, per[1]);
        assertEquals(2.0 / 3, per[2], 1e-12);
        assertTrue(Double.isNaN(per[3]), "no example of class 3");
        String table = e.confusionTable(List.of("a", "b", "c", "d"));
        assertEquals(5, table.lines().count());
        assertThrows(IllegalArgumentException.class, () -> Evaluation.of(new int[] {5}, new float[] {0}, 4));
    }
}
