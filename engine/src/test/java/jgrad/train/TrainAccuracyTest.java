package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jgrad.cpu.CpuDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunOptions#withTrainAccuracy}: every epoch also reports the training split's accuracy, in
 * eval mode, without changing what is trained; runs that do not ask write the checkpoints they
 * always wrote.
 */
class TrainAccuracyTest {
    private static final CpuDevice CPU = CpuDevice.get();

    @TempDir
    Path tmp;

    /** Dropout, so that a measurement that left the model in training mode or drew from its masks would show. */
    private static TrainConfig job() {
        return TrainConfig.builder().steps(0).epochs(5).batchSize(20).activation("relu").init("he").hidden(16)
                .weightDecay(1e-3f).dropout(0.2f).seed(7L).logEvery(5).build();
    }

    @Test
    void everyEpochReportsTheTrainingSplitsAccuracyAndTrainingIsUnchanged() throws Exception {
        TrainData data = SyntheticClusters.of(12, 3, 2.0, 200, 60, 3);
        TrainResult plain = Trainer.train(job(), CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp.resolve("plain"), null, 0, "{}"));
        TrainResult measured = Trainer.train(job(), CPU, data, new Trainer.Listener() {},
                new RunOptions(tmp.resolve("measured"), null, 0, "{}").withTrainAccuracy());
        try (plain; measured) {
            assertArrayEquals(plain.lossHistory(), measured.lossHistory(), "measuring does not change the training");
            assertEquals(plain.testAccuracy(), measured.testAccuracy());
            assertEquals(5, measured.epochs().size());
            for (int e = 0; e < 5; e++) {
                assertNull(plain.epochs().get(e).trainAccuracy());
                Double train = measured.epochs().get(e).trainAccuracy();
                assertNotNull(train, "epoch " + (e + 1));
                assertTrue(train >= 0 && train <= 1, "epoch " + (e + 1) + ": " + train);
                assertEquals(plain.epochs().get(e).testAccuracy(), measured.epochs().get(e).testAccuracy());
            }
            double last = Trainer.evaluate(measured.model(), CPU, data.trainX(), data.trainY(), data.trainCount(),
                    data.features());
            assertEquals(last, measured.epochs().get(4).trainAccuracy(), "the last epoch's is the trained model's");
            assertTrue(last > 0.9, "clusters 2 sd apart are learnt: " + last);
            double first = measured.epochs().get(0).trainAccuracy();
            assertTrue(last > first || first > 0.9, "training accuracy rises: " + first + " -> " + last);
        }
        // the checkpoint's JSON header is text at the start of the file
        String plainFile = Files.readString(tmp.resolve("plain").resolve(Checkpoint.FILE),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(plainFile.contains("testAccuracy"), "the epochs are in the header");
        assertFalse(plainFile.contains("trainAccuracy"), "a run that did not measure it writes what it always wrote");
    }

    @Test
    void aResumedRunKeepsTheEpochsMeasuredBeforeThePause() {
        TrainData data = SyntheticClusters.of(12, 3, 2.0, 200, 60, 3);
        RunOptions measured = new RunOptions(tmp.resolve("whole"), null, 0, "{}").withTrainAccuracy();
        try (TrainResult whole = Trainer.train(job(), CPU, data, new Trainer.Listener() {}, measured)) {
            Trainer.train(job(), CPU, data, new Trainer.Listener() {},
                    new RunOptions(tmp.resolve("split"), null, 2, "{}").withTrainAccuracy()).close();
            RunOptions resume = new RunOptions(tmp.resolve("split"), Checkpoint.read(tmp.resolve("split")), 0, "{}")
                    .withTrainAccuracy();
            try (TrainResult resumed = Trainer.train(job(), CPU, data, new Trainer.Listener() {}, resume)) {
                // epochs 1-2 come from the checkpoint, 3-5 are measured again (trainSeconds are timings: not compared)
                assertEquals(whole.epochs().stream().map(EpochStats::trainAccuracy).toList(),
                        resumed.epochs().stream().map(EpochStats::trainAccuracy).toList());
                assertNotNull(resumed.epochs().get(0).trainAccuracy());
            }
        }
    }
}
