package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The book's loss smoothing, against numpy's results, and the batch-norm experiment's weight scales. */
class MnistRunsTest {
    @Test
    void smoothIsTheBooksSmoothCurve() {
        float[] x = new float[15];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((i * 7) % 5 + i * 0.1);
        }
        // numpy: w = np.kaiser(11, 2); s = np.r_[x[10:0:-1], x, x[-1:-11:-1]];
        //        y = np.convolve(w / w.sum(), s, mode='valid'); y[5:len(y) - 5]
        double[] numpy = {2.17228898, 2.24569197, 2.31033835, 2.36653508, 2.41134703, 2.43889101, 2.6, 2.76110899,
            2.74669683, 2.95330317, 3.09098202, 3.2437944, 3.40602028, 3.41588815, 3.42325823};
        assertArrayEquals(numpy, MnistRuns.smooth(x), 1e-6);
    }

    @Test
    void curvesShorterThanTheWindowStayAsTheyAre() {
        assertArrayEquals(new double[] {1, 2, 3}, MnistRuns.smooth(new float[] {1, 2, 3}));
    }

    @Test
    void headAndTailMeans() {
        float[] losses = {4, 2, 1, 1, 0.5f};
        assertEquals(3, MnistRuns.headMean(losses, 2));
        assertEquals(0.75, MnistRuns.tailMean(losses, 2));
        assertEquals(1.7, MnistRuns.tailMean(losses, 99), 1e-9, "a tail longer than the run is the whole run");
    }

    @Test
    void batchNormScalesAreTheBooksLogspace() {
        double[] s = BatchNormExperiment.scales();
        assertEquals(16, s.length);
        assertEquals(1, s[0], 1e-12);
        assertEquals(1e-4, s[15], 1e-16);
        assertEquals(Math.pow(10, -4.0 / 15), s[1], 1e-12);
    }
}
