package jgrad.tensor;

import static jgrad.tensor.GradAssert.CPU;
import static jgrad.tensor.GradAssert.check;
import static jgrad.tensor.GradAssert.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NnOpsTest {
    @Test
    void crossEntropyMatchesTheBookFormula() {
        Tensor logits = randn(1, 2f, 5, 4);
        Tensor labels = Tensor.of(CPU, new float[] {0, 3, 1, 2, 3}, 5);
        float loss = NnOps.softmaxCrossEntropy(logits, labels).item();
        float[] l = logits.toArray();
        double ref = 0;
        for (int i = 0; i < 5; i++) {
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                sum += Math.exp(l[i * 4 + j]);
            }
            int t = (int) labels.toArray()[i];
            ref -= Math.log(Math.exp(l[i * 4 + t]) / sum);
        }
        assertEquals(ref / 5, loss, 1e-5);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor logits = Tensor.of(CPU, new float[] {1000f, 0f, -1000f, 0f}, 2, 2);
        Tensor labels = Tensor.of(CPU, new float[] {1, 0}, 2);
        float loss = NnOps.softmaxCrossEntropy(logits, labels).item();
        assertEquals(1000f, loss, 1e-3f); // each row puts its label 1000 below the maximum
    }

    @Test
    void crossEntropyBackward() {
        Tensor labels = Tensor.of(CPU, new float[] {2, 0, 1, 1}, 4);
        check("softmaxCrossEntropy", in -> NnOps.softmaxCrossEntropy(in[0], labels), 1e-2, randn(2, 1f, 4, 3));
    }

    @Test
    void badLabelsAreRejected() {
        Tensor logits = randn(3, 1f, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NnOps.softmaxCrossEntropy(logits, Tensor.of(CPU, new float[] {0, 3}, 2)));
        assertTrue(e.getMessage().contains("label 3.0 in row 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NnOps.softmaxCrossEntropy(logits, Tensor.of(CPU, new float[] {0}, 1)));
    }

    @Test
    void dropoutKeepsExpectedFractionAndScales() {
        Tensor x = Tensor.full(CPU, 1f, 100_000);
        float[] y = NnOps.dropout(x, 0.3f, 1234, true).toArray();
        int kept = 0;
        for (float v : y) {
            if (v != 0f) {
                assertEquals(1f / 0.7f, v, 1e-6f);
                kept++;
            }
        }
        assertEquals(0.7, kept / 100_000.0, 0.01);
        assertArrayEquals(y, NnOps.dropout(x, 0.3f, 1234, true).toArray(), "same seed, same mask");
        assertTrue(NnOps.dropout(x, 0.3f, 1234, false) == x, "identity in eval");
    }

    @Test
    void dropoutBackward() {
        check("dropout", in -> NnOps.dropout(in[0], 0.5f, 77, true), 1e-2, randn(4, 1f, 6, 5));
    }

    @Test
    void batchNormNormalisesPerChannel() {
        Tensor x = randn(5, 3f, 64, 4);
        Tensor gamma = Tensor.full(CPU, 1f, 4);
        Tensor beta = Tensor.zeros(CPU, 4);
        Tensor rm = Tensor.zeros(CPU, 4);
        Tensor rv = Tensor.full(CPU, 1f, 4);
        float[] y = NnOps.batchNorm(x, gamma, beta, rm, rv, true, 0.1f, 1e-5f).toArray();
        for (int c = 0; c < 4; c++) {
            double s = 0;
            double ss = 0;
            for (int i = 0; i < 64; i++) {
                s += y[i * 4 + c];
                ss += y[i * 4 + c] * y[i * 4 + c];
            }
            assertEquals(0, s / 64, 1e-5);
            assertEquals(1, ss / 64, 1e-3);
        }
        assertTrue(rm.toArray()[0] != 0f, "running mean updated");
    }

    @Test
    void batchNormBackward() {
        Tensor rm = Tensor.zeros(CPU, 3);
        Tensor rv = Tensor.full(CPU, 1f, 3);
        check("batchNorm1d", in -> NnOps.batchNorm(in[0], in[1], in[2], rm, rv, true, 0.1f, 1e-5f), 2e-2,
                randn(6, 1f, 8, 3), randn(7, 1f, 3), randn(8, 1f, 3));
        Tensor rm2 = Tensor.zeros(CPU, 2);
        Tensor rv2 = Tensor.full(CPU, 1f, 2);
        check("batchNorm2d", in -> NnOps.batchNorm(in[0], in[1], in[2], rm2, rv2, true, 0.1f, 1e-5f), 2e-2,
                randn(9, 1f, 3, 2, 2, 2), randn(10, 1f, 2), randn(11, 1f, 2));
    }
}
