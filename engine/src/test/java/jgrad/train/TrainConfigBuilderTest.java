package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainConfigBuilderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every component away from its default, so a setter that wrote the wrong field would show. */
    private static TrainConfig everyFieldSet() {
        return TrainConfig.builder().model("convnet").steps(7).epochs(3).batchSize(20).lr(0.002f).optimizer("adam")
                .activation("relu").init("he").hidden(32, 16).weightDecay(1e-4f).dropout(0f).batchNorm(false)
                .seed(9L).logEvery(4).momentum(0.8f).lrSchedule("cosine").tMax(5).patience(2).minDelta(0.01f)
                .augment("crop,flip").stem("cifar").onNan("skip").build();
    }

    @Test
    void theDefaultsAreTheSeedRunAndTheLaterOptionsDefaults() throws Exception {
        // The JSON a checkpoint stores, as the positional constructors it replaces wrote it.
        assertEquals("{\"model\":\"mlp\",\"steps\":10000,\"epochs\":0,\"batchSize\":100,\"lr\":0.1,\"optimizer\":"
                + "\"sgd\",\"activation\":\"sigmoid\",\"init\":\"std\",\"hidden\":[100],\"weightDecay\":0.0,\"dropout\":"
                + "0.0,\"batchNorm\":false,\"seed\":42,\"logEvery\":1000,\"momentum\":0.9,\"lrSchedule\":\"constant\","
                + "\"tMax\":0,\"patience\":0,\"minDelta\":0.0,\"augment\":\"none\",\"stem\":\"seed\",\"onNan\":\"stop\"}",
                JSON.writeValueAsString(TrainConfig.builder().build()));
        assertEquals(JSON.writeValueAsString(TrainConfig.builder().build()),
                JSON.writeValueAsString(TrainConfig.seedDefaults()));
    }

    @Test
    void eachSetterSetsItsOwnComponent() {
        TrainConfig c = everyFieldSet();
        assertEquals(List.of("convnet", 7, 3, 20, 0.002f, "adam", "relu", "he", 1e-4f, 0f, false, 9L, 4, 0.8f,
                        "cosine", 5, 2, 0.01f, "crop,flip", "cifar", "skip"),
                List.of(c.model(), c.steps(), c.epochs(), c.batchSize(), c.lr(), c.optimizer(), c.activation(),
                        c.init(), c.weightDecay(), c.dropout(), c.batchNorm(), c.seed(), c.logEvery(), c.momentum(),
                        c.lrSchedule(), c.tMax(), c.patience(), c.minDelta(), c.augment(), c.stem(), c.onNan()));
        assertArrayEquals(new int[] {32, 16}, c.hidden());
    }

    @Test
    void toBuilderCopiesEveryComponentAndStoresTheSameFields() throws Exception {
        TrainConfig c = everyFieldSet();
        String stored = JSON.writeValueAsString(c);
        assertEquals(stored, JSON.writeValueAsString(c.toBuilder().build()));
        // A checkpoint holds exactly the fields its reader reads, in order: the builder adds none.
        List<String> names = new ArrayList<>();
        JSON.readTree(stored).fieldNames().forEachRemaining(names::add);
        assertEquals(StoredConfig.FIELDS, names);
        assertEquals(stored, JSON.writeValueAsString(StoredConfig.read(JSON.valueToTree(c))));
    }

    @Test
    void inStepsModeChangesOnlyStepsEpochsBatchAndLogEvery() throws Exception {
        TrainConfig c = everyFieldSet().inStepsMode(11, 13, 17);
        String expected = JSON.writeValueAsString(everyFieldSet().toBuilder().steps(11).epochs(0).batchSize(13)
                .logEvery(17).build());
        assertEquals(expected, JSON.writeValueAsString(c));
        assertEquals(List.of(11, 0, 13, 17), List.of(c.steps(), c.epochs(), c.batchSize(), c.logEvery()));
    }

    @Test
    void theBuilderKeepsItsOwnCopyOfTheWidths() {
        int[] widths = {8, 4};
        TrainConfig.Builder b = TrainConfig.builder().hidden(widths);
        widths[0] = -1;
        assertArrayEquals(new int[] {8, 4}, b.build().hidden());
    }

    @Test
    void buildRunsTheRecordsChecks() {
        ConfigValueException e = assertThrows(ConfigValueException.class,
                () -> TrainConfig.builder().batchSize(0).build());
        assertEquals("'batchSize' is 0; allowed: positive", e.getMessage());
        e = assertThrows(ConfigValueException.class, () -> TrainConfig.builder().hidden((int[]) null).build());
        assertEquals("hidden", e.field());
        e = assertThrows(ConfigValueException.class, () -> TrainConfig.builder().steps(0).build());
        assertEquals("--steps or --epochs must be positive", e.asOption());
    }
}
