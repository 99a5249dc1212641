package jgrad.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jgrad.cpu.CpuDevice;
import jgrad.io.ByteMutator;
import jgrad.io.NamedTensor;
import jgrad.io.Safetensors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random damage to a real checkpoint - to its bytes, and to the values inside its {@code __metadata__}
 * JSON - must give a usable {@link Checkpoint} or a one-line {@link CheckpointException}, nothing else.
 *
 * <p>The checksum rejects almost every change to the content, so that alone would leave the metadata
 * parsers behind it untested: part of the damaged inputs are therefore "re-signed" (their checksum
 * recomputed, as a writer with a bug would), and must still give only typed errors. Inputs left with
 * their stale checksum may only be accepted when their content is unchanged.
 *
 * <p>Only the byte mutations go through a file (they test the safetensors reader too); re-signed
 * inputs and metadata mutations are handed to {@link Checkpoint#of} in memory, so that no input
 * waits for an fsync and the 20 000 inputs take seconds rather than minutes.
 */
class CheckpointFuzzTest {
    private static final long SEED = ByteMutator.SEED;
    private static final int MUTATIONS = ByteMutator.MUTATIONS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path tmp;

    private Map<String, String> meta;
    private List<NamedTensor> tensors;

    /** A real checkpoint (Adam, BatchNorm, dropout, augmentation), its big tensors dropped to keep inputs small. */
    @BeforeEach
    void writeValidCheckpoint() throws IOException {
        Trainer.train(ResumeTest.job("adam", 1, new int[] {2}), CpuDevice.get(), StepBench.syntheticMnist(100, 3),
                new Trainer.Listener() {}, new RunOptions(tmp.resolve("real"), null, 0, "{\"dataset\":\"synthetic\"}"));
        Safetensors.Contents real = Safetensors.read(tmp.resolve("real").resolve(Checkpoint.FILE));
        tensors = new ArrayList<>(real.tensors().stream().filter(t -> t.data().length <= 64).toList());
        assertTrue(tensors.size() >= 3, "kept " + tensors.size() + " tensors");
        meta = resigned(real.metadata(), tensors);
    }

    /**
     * A temp directory in memory (/dev/shm) where the system has one: the byte fuzz writes 10 000
     * files, which on a disk shared with other jobs spent 30 of its 40 s waiting for I/O.
     */
    static final class InMemoryWhereAvailable implements org.junit.jupiter.api.io.TempDirFactory {
        @Override
        public Path createTempDirectory(org.junit.jupiter.api.extension.AnnotatedElementContext element,
                                        org.junit.jupiter.api.extension.ExtensionContext context) throws IOException {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "jgrad-fuzz")
                    : Files.createTempDirectory("jgrad-fuzz");
        }
    }

    /** The metadata with its checksum recomputed for these tensors. */
    private static Map<String, String> resigned(Map<String, String> metadata, List<NamedTensor> tensors) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.put(CheckpointChecksum.KEY, CheckpointChecksum.of(m, tensors));
        return m;
    }

    /** The file as safetensors, or null where the damage already breaks that layer. */
    private static Safetensors.Contents parseOrNull(Path file) {
        try {
            return Safetensors.read(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    @Timeout(120)
    void mutatedCheckpointBytesOnlyEverThrowCheckpointException(@TempDir(factory = InMemoryWhereAvailable.class)
                                                                 Path dir) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE);
        Safetensors.write(file, tensors, meta);
        byte[] valid = Files.readAllBytes(file);
        Checkpoint.read(dir);
        // The 64-bit little-endian header length at 0 is the one length field; 4 is its high half.
        ByteMutator mutator = new ByteMutator(valid, new int[] {0, 4}, ByteOrder.LITTLE_ENDIAN);
        Random rnd = new Random(SEED);
        int[] outcome = new int[3];
        for (int i = 0; i < MUTATIONS; i++) {
            int kind = rnd.nextInt(ByteMutator.KINDS);
            byte[] bytes = mutator.mutate(kind, rnd);
            Files.write(file, bytes);
            String what = "mutation " + i + " (kind " + kind + ", seed " + SEED + ")";
            boolean accepted = check(() -> Checkpoint.read(dir), what, outcome, bytes);
            Safetensors.Contents parsed = parseOrNull(file);
            if (accepted) {
                assertTrue(meta.get(CheckpointChecksum.KEY).equals(
                        CheckpointChecksum.of(parsed.metadata(), parsed.tensors())), what + ": changed content accepted");
            } else if (parsed != null && rnd.nextBoolean()) {
                Safetensors.Contents resigned = new Safetensors.Contents(resigned(parsed.metadata(), parsed.tensors()),
                        parsed.tensors());
                outcome[2]++;
                check(() -> Checkpoint.of(file, resigned), what + " re-signed", outcome, bytes);
            }
        }
        for (int len = 0; len < valid.length; len += 7) { // truncation in every region: length, JSON, data
            byte[] cut = java.util.Arrays.copyOf(valid, len);
            Files.write(file, cut);
            check(() -> Checkpoint.read(dir), "truncation at " + len, outcome, cut);
        }
        report("bytes", outcome);
    }

    @Test
    @Timeout(120)
    void mutatedMetadataValuesOnlyEverThrowCheckpointException() throws IOException {
        Path dir = tmp.resolve("json");
        Files.createDirectories(dir);
        Path file = dir.resolve(Checkpoint.FILE);
        Map<String, JsonNode> trees = new LinkedHashMap<>();
        for (String key : List.of("config", "state", "data")) {
            trees.put(key, JSON.readTree(meta.get(key)));
        }
        Random rnd = new Random(SEED + 1);
        int[] outcome = new int[3];
        for (int i = 0; i < MUTATIONS; i++) {
            Map<String, String> m = new LinkedHashMap<>(meta);
            int kind = rnd.nextInt(6);
            String key = List.of("config", "state", "data", "format", CheckpointChecksum.KEY)
                    .get(rnd.nextInt(kind < 4 ? 3 : 5));
            switch (kind) {
                case 0, 1, 2 -> { // one value somewhere in the tree replaced, or its key removed
                    JsonNode tree = trees.get(key).deepCopy();
                    m.put(key, JSON.writeValueAsString(mutateValue(tree, rnd)));
                }
                case 3 -> { // the JSON text cut short or with a character changed
                    String s = m.get(key);
                    m.put(key, rnd.nextBoolean() ? s.substring(0, rnd.nextInt(s.length()))
                            : s.substring(0, rnd.nextInt(s.length())) + "{}[]\":,-0e.n\\".charAt(rnd.nextInt(13))
                                    + s.substring(rnd.nextInt(s.length())));
                }
                case 4 -> m.remove(key);
                default -> m.put(key, List.of("", "null", "0", "[]", "{}", "\"x\"", "true", "1e999", "{\"a\":")
                        .get(rnd.nextInt(9)));
            }
            // Three in four re-signed, so the JSON parsers see them; the rest keep the stale checksum.
            boolean resign = !key.equals(CheckpointChecksum.KEY) && rnd.nextInt(4) > 0;
            if (resign) {
                m = resigned(m, tensors);
                outcome[2]++;
            }
            Safetensors.Contents contents = new Safetensors.Contents(m, tensors);
            String what = "metadata mutation " + i + " (kind " + kind + " of '" + key + "', seed " + SEED
                    + (resign ? ", re-signed)" : ")");
            boolean accepted = check(() -> Checkpoint.of(file, contents), what, outcome, m.toString().getBytes());
            assertTrue(!accepted || CheckpointChecksum.of(m, tensors).equals(m.get(CheckpointChecksum.KEY)),
                    what + ": accepted with a checksum that does not match");
        }
        report("metadata", outcome);
    }

    /** Replaces one random value node (or removes one field) of the tree; returns the (maybe new) root. */
    private static JsonNode mutateValue(JsonNode root, Random rnd) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode replacement = switch (rnd.nextInt(14)) {
            case 0 -> NODES.numberNode(Integer.MAX_VALUE);
            case 1 -> NODES.numberNode(Integer.MIN_VALUE);
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(0);
            case 4 -> NODES.numberNode(Long.MAX_VALUE);
            case 5 -> NODES.numberNode(1e300);
            case 6 -> NODES.numberNode(Double.NaN);
            case 7 -> NODES.nullNode();
            case 8 -> NODES.textNode("");
            case 9 -> NODES.textNode("nonsense");
            case 10 -> NODES.booleanNode(true);
            case 11 -> NODES.arrayNode().add(-5);
            case 12 -> NODES.objectNode();
            default -> null; // remove the field
        };
        if (containers.isEmpty()) {
            return replacement == null ? NODES.nullNode() : replacement;
        }
        ContainerNode<?> c = (ContainerNode<?>) containers.get(rnd.nextInt(containers.size()));
        if (c.size() == 0) {
            return root;
        }
        int at = rnd.nextInt(c.size());
        if (c instanceof ObjectNode o) {
            String name = List.copyOf(iterable(o)).get(at);
            if (replacement == null) {
                o.remove(name);
            } else {
                o.set(name, replacement);
            }
        } else {
            ArrayNode a = (ArrayNode) c;
            if (replacement == null) {
                a.remove(at);
            } else {
                a.set(at, replacement);
            }
        }
        return root;
    }

    private static List<String> iterable(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(child -> collect(child, out));
        }
    }

    /** Reads the damaged checkpoint; returns whether it was accepted. */
    private static boolean check(java.util.function.Supplier<Checkpoint> read, String what, int[] outcome,
                                 byte[] input) {
        long before = ByteMutator.allocatedBytes();
        boolean accepted = false;
        try {
            Checkpoint c = read.get();
            accepted = true;
            outcome[0]++;
            // Accepted means usable: a configuration, a data description and a readable step and epoch.
            assertNotNull(c.config(), what + ": accepted without a config");
            assertNotNull(c.dataInfo(), what);
            c.step();
            c.epoch();
        } catch (CheckpointException expected) {
            outcome[1]++;
            assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
        } catch (Throwable t) {
            fail(what + " threw " + t + "; input=" + ByteMutator.head(input), t);
        }
        long allocated = ByteMutator.allocatedBytes() - before;
        assertTrue(allocated < ByteMutator.ALLOCATION_LIMIT, what + " allocated " + allocated + " bytes");
        return accepted;
    }

    private static void report(String variant, int[] outcome) {
        System.out.printf("checkpoint %s fuzz: %d inputs (%d re-signed), %d rejected, %d accepted%n", variant,
                outcome[0] + outcome[1], outcome[2], outcome[1], outcome[0]);
        assertTrue(outcome[1] > MUTATIONS / 4, "rejected " + outcome[1]);
        assertTrue(outcome[0] > 10, "accepted " + outcome[0]);
    }
}
