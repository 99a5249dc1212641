package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jgrad.cpu.CpuDevice;
import jgrad.data.ImageShape;
import jgrad.io.ByteMutator;
import jgrad.io.Safetensors;
import jgrad.nn.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The values of a real checkpoint's {@code config}, mutated 10 000 times (sizes that overflow,
 * that exceed the stored tensors, negative and zero; other models, stems, optimizers; flipped
 * flags; wrong types; missing and unknown fields), each input read, checked against its tensors
 * and, when accepted, built into a model. Each must give a usable model or one line of
 * {@link CheckpointException} that speaks of the file: no flag, no Jackson text. All in memory
 * ({@link Checkpoint#of}), so the whole run takes seconds. Every input is re-signed: its checksum
 * passes, as an edited {@code jgrad-checkpoint/1} file skips it, so the code behind the checksum
 * sees every value (CheckpointTrustTest runs /1 files through the command line; this test leaves
 * them out because their once-per-process warning belongs to CheckpointIntegrityTest).
 */
class CheckpointConfigFuzzTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);
    /** Any one input may allocate no more than this: the real checkpoints' tensors are a few hundred KB. */
    private static final long ALLOCATION_LIMIT = 64L << 20;

    @TempDir
    static Path tmp;

    private static final List<Safetensors.Contents> REAL = new ArrayList<>();

    /** An mlp with batch norm and Adam state, and a convnet with momentum: both on MNIST-shaped data. */
    @BeforeAll
    static void writeRealCheckpoints() throws IOException {
        TrainConfig mlp = TrainConfig.builder().steps(0).epochs(1).batchSize(50).lr(0.01f).optimizer("adam")
                .activation("relu").init("he").hidden(3).dropout(0.2f).batchNorm(true).seed(5L).logEvery(1).build();
        TrainConfig convnet = TrainConfig.builder().model("convnet").steps(0).epochs(1).batchSize(50).lr(0.01f)
                .optimizer("momentum").activation("relu").init("he").hidden(4).seed(5L).logEvery(1)
                .lrSchedule("cosine").build();
        for (TrainConfig cfg : List.of(mlp, convnet)) {
            Path dir = tmp.resolve(cfg.model());
            Trainer.train(cfg, CpuDevice.get(), StepBench.syntheticMnist(100, 3), new Trainer.Listener() {},
                    new RunOptions(dir, null, 0, "{\"dataset\":\"mnist\"}"));
            REAL.add(Safetensors.read(dir.resolve(Checkpoint.FILE)));
        }
    }

    @Test
    @Timeout(60)
    void mutatedConfigValuesGiveAModelOrOneLineAboutTheFile() throws IOException {
        Random rnd = new Random(ByteMutator.SEED);
        Path file = tmp.resolve("fuzzed").resolve(Checkpoint.FILE);
        int accepted = 0;
        int rejected = 0;
        long slowestNanos = 0;
        for (int i = 0; i < ByteMutator.MUTATIONS; i++) {
            Safetensors.Contents real = REAL.get(rnd.nextInt(REAL.size()));
            ObjectNode config = (ObjectNode) JSON.readTree(real.metadata().get("config"));
            int changes = 1 + rnd.nextInt(3) / 2;  // one field, sometimes two
            for (int c = 0; c < changes; c++) {
                mutate(config, rnd);
            }
            Map<String, String> meta = new LinkedHashMap<>(real.metadata());
            meta.put("config", JSON.writeValueAsString(config));
            meta.put(CheckpointChecksum.KEY, CheckpointChecksum.of(meta, real.tensors()));
            String what = "input " + i + " (seed " + ByteMutator.SEED + "): config " + meta.get("config");
            long before = ByteMutator.allocatedBytes();
            long start = System.nanoTime();
            try {
                Checkpoint checkpoint = Checkpoint.of(file, new Safetensors.Contents(meta, real.tensors()));
                try (Sequential model = checkpoint.buildModel(CpuDevice.get(), MNIST, 10)) {
                    assertFalse(model.parameters().isEmpty(), what);
                }
                accepted++;
            } catch (CheckpointException e) {
                rejected++;
                String m = e.getMessage();
                assertFalse(m.contains("\n"), what + ": " + m);
                assertFalse(m.matches(".*(^|[ (])--[a-z].*"), what + " names a command-line flag: " + m);
                for (String internal : List.of("Cannot construct", "Source:", "jackson", "Exception", "jgrad.")) {
                    assertFalse(m.contains(internal), what + " shows library internals: " + m);
                }
                assertTrue(m.startsWith("checkpoint " + file), what + ": " + m);
            } catch (Throwable t) {
                fail(what + " threw " + t, t);
            }
            slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
            long allocated = ByteMutator.allocatedBytes() - before;
            assertTrue(allocated < ALLOCATION_LIMIT, what + " allocated " + allocated + " bytes");
        }
        System.out.printf("checkpoint config fuzz: %d inputs, %d rejected, %d accepted, slowest %.1f ms%n",
                accepted + rejected, rejected, accepted, slowestNanos / 1e6);
        assertTrue(rejected > ByteMutator.MUTATIONS / 2, "rejected " + rejected);
        assertTrue(accepted > 100, "accepted " + accepted);
        assertTrue(slowestNanos < 5_000_000_000L, "slowest input took " + slowestNanos / 1e6 + " ms");
    }

    /** Replaces one field's value (or removes it, or adds an unknown one) with a value chosen to hurt. */
    private static void mutate(ObjectNode config, Random rnd) {
        List<String> fields = new ArrayList<>(StoredConfig.FIELDS);
        String field = fields.get(rnd.nextInt(fields.size()));
        switch (rnd.nextInt(5)) {
            case 0 -> config.set(field, extreme(rnd));
            case 1 -> config.set("hidden", widths(rnd));
            case 2 -> config.set(field, plausible(field, rnd));
            case 3 -> config.remove(field);
            default -> {
                if (rnd.nextInt(8) == 0) {
                    config.put("hiddenLayers", 3);  // a field no TrainConfig has
                } else {
                    config.set(field, plausible(field, rnd));
                }
            }
        }
    }

    private static JsonNode extreme(Random rnd) {
        return switch (rnd.nextInt(14)) {
            case 0 -> NODES.numberNode(Integer.MAX_VALUE);
            case 1 -> NODES.numberNode(Integer.MIN_VALUE);
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(0);
            case 4 -> NODES.numberNode(Long.MAX_VALUE);
            case 5 -> NODES.numberNode(1e300);
            case 6 -> NODES.numberNode(2.5);
            case 7 -> NODES.nullNode();
            case 8 -> NODES.textNode("");
            case 9 -> NODES.textNode("nonsense\nwith a line break");
            case 10 -> NODES.booleanNode(rnd.nextBoolean());
            case 11 -> NODES.arrayNode().add(-5);
            case 12 -> NODES.objectNode();
            default -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
        };
    }

    /** Hidden widths: the three, zero, empty, too many, too wide, of the wrong type, or near the real ones. */
    private static JsonNode widths(Random rnd) {
        ArrayNode a = NODES.arrayNode();
        switch (rnd.nextInt(10)) {
            case 0 -> a.add(2_000_000_000);
            case 1 -> a.add(300_000);
            case 2 -> a.add(-5);
            case 3 -> a.add(0);
            case 4 -> { }
            case 5 -> {
                for (int i = 0; i < 101; i++) {
                    a.add(1);
                }
            }
            case 6 -> a.add(TrainConfig.MAX_WIDTH).add(TrainConfig.MAX_WIDTH);
            case 7 -> a.add("4");
            case 8 -> a.add(3).add(4);
            default -> a.add(1 + rnd.nextInt(6));
        }
        return a;
    }

    /** A value of the field's own type: another model, stem or optimizer, a flipped flag, a near or far number. */
    private static JsonNode plausible(String field, Random rnd) {
        return switch (field) {
            case "model" -> NODES.textNode(List.of("mlp", "convnet", "resnet8", "resnet18", "gpt").get(rnd.nextInt(5)));
            case "stem" -> NODES.textNode(List.of("seed", "cifar", "imagenet").get(rnd.nextInt(3)));
            case "optimizer" -> NODES.textNode(List.of("sgd", "momentum", "adagrad", "adam", "ADAM", "rmsprop")
                    .get(rnd.nextInt(6)));
            case "activation" -> NODES.textNode(List.of("relu", "sigmoid", "tanh", "gelu").get(rnd.nextInt(4)));
            case "batchNorm" -> NODES.booleanNode(rnd.nextBoolean());
            case "hidden" -> widths(rnd);
            case "lr", "weightDecay", "dropout", "momentum", "minDelta" -> NODES.numberNode(rnd.nextGaussian());
            case "seed" -> NODES.numberNode(rnd.nextLong());
            default -> NODES.numberNode(rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(20) - 5);
        };
    }
}
