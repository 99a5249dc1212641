package jgrad.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of a valid file: whatever the damage, the reader must either load something it can
 * write back identically or throw {@link SafetensorsException} - never another exception, never hang.
 */
class SafetensorsFuzzTest {

    /** Override with -Djgrad.fuzz.seed=... -Djgrad.fuzz.mutations=... for a longer hunt. */
    private static final long SEED = Long.getLong("jgrad.fuzz.seed", 0x5afe7e45L);
    private static final int MUTATIONS = Integer.getInteger("jgrad.fuzz.mutations", 10_000);
    private static final byte[] JSON_CHARS = "{}[]\":,-.0123456789eE \\ntrufalsF32U8I64BF16".getBytes();

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void mutatedFilesOnlyEverThrowSafetensorsException() throws IOException {
        Path valid = dir.resolve("valid.safetensors");
        Random init = new Random(SEED);
        List<NamedTensor> tensors = new ArrayList<>();
        tensors.add(new NamedTensor("layer0.weight", new int[] {4, 3}, randomFloats(init, 12)));
        tensors.add(new NamedTensor("layer0.bias", new int[] {4}, randomFloats(init, 4)));
        tensors.add(new NamedTensor("scalar", new int[] {}, randomFloats(init, 1)));
        tensors.add(new NamedTensor("empty", new int[] {2, 0}, new float[0]));
        Safetensors.write(valid, tensors, Map.of("format", "pt", "step", "1000"));
        byte[] original = Files.readAllBytes(valid);
        int headerEnd = 8 + (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);

        Random rnd = new Random(SEED);
        Path mutated = dir.resolve("mutated.safetensors");
        Path rewritten = dir.resolve("rewritten.safetensors");
        int rejected = 0;
        int accepted = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            int kind = rnd.nextInt(7);
            byte[] bytes = mutate(original, headerEnd, kind, rnd);
            Files.write(mutated, bytes);
            try {
                Safetensors.Contents c = Safetensors.read(mutated);
                accepted++;
                // Whatever was accepted must be self-consistent: write it back and read it again.
                Safetensors.write(rewritten, c.tensors(), c.metadata());
                Safetensors.Contents again = Safetensors.read(rewritten);
                assertEquals(c.metadata(), again.metadata());
                assertEquals(c.asMap(), again.asMap());
            } catch (SafetensorsException expected) {
                rejected++;
                assertTrue(!expected.getMessage().contains("\n"), expected.getMessage());
            } catch (Throwable t) {
                fail("mutation " + i + " (kind " + kind + ", seed " + SEED + ") threw " + t
                        + "; bytes=" + Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 400))), t);
            }
        }
        System.out.printf("safetensors fuzz: %d mutations, %d rejected, %d accepted%n", MUTATIONS, rejected, accepted);
        // Both outcomes must actually be exercised, or the mutations are too timid / too brutal.
        assertTrue(rejected > MUTATIONS / 4, "rejected " + rejected);
        assertTrue(accepted > 10, "accepted " + accepted);
    }

    @Test
    void validFileRoundTripsAndDataOnlyDamageStillLoads() throws IOException {
        Random rnd = new Random(SEED + 1);
        for (int round = 0; round < 50; round++) {
            List<NamedTensor> tensors = new ArrayList<>();
            int count = rnd.nextInt(6);
            for (int t = 0; t < count; t++) {
                int[] shape = new int[rnd.nextInt(4)];
                int n = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = rnd.nextInt(5);
                    n *= shape[d];
                }
                tensors.add(new NamedTensor("t" + t + "." + rnd.nextInt(1000), shape, randomFloats(rnd, n)));
            }
            Path p = dir.resolve("r" + round);
            Safetensors.write(p, tensors, Map.of("round", Integer.toString(round)));
            Safetensors.Contents c = Safetensors.read(p);
            assertEquals(tensors.size(), c.tensors().size());
            for (NamedTensor t : tensors) {
                assertEquals(t, c.get(t.name()));
            }
            // Flipping bits in the data buffer changes values, never validity.
            byte[] bytes = Files.readAllBytes(p);
            int dataStart = 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (bytes.length > dataStart) {
                bytes[dataStart + rnd.nextInt(bytes.length - dataStart)] ^= (byte) (1 << rnd.nextInt(8));
                Files.write(p, bytes);
                assertEquals(tensors.size(), Safetensors.read(p).tensors().size());
            }
        }
    }

    private static byte[] mutate(byte[] original, int headerEnd, int kind, Random rnd) {
        byte[] b = original.clone();
        switch (kind) {
            case 0 -> { // flip random bits anywhere, mostly in the header where they matter
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = rnd.nextInt(4) == 0 ? rnd.nextInt(b.length) : rnd.nextInt(headerEnd);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // replace a header byte with a random byte
                b[8 + rnd.nextInt(headerEnd - 8)] = (byte) rnd.nextInt(256);
            }
            case 2 -> { // replace a header byte with a JSON-significant character
                b[8 + rnd.nextInt(headerEnd - 8)] = JSON_CHARS[rnd.nextInt(JSON_CHARS.length)];
            }
            case 3 -> { // truncate
                b = Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 4 -> { // change the header length: small deltas, random values, extremes
                long n = headerEnd - 8;
                long v = switch (rnd.nextInt(4)) {
                    case 0 -> n + rnd.nextInt(33) - 16;
                    case 1 -> rnd.nextLong();
                    case 2 -> rnd.nextInt(b.length + 16);
                    default -> new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 100_000_001L}[rnd.nextInt(5)];
                };
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            }
            case 5 -> { // grow or shrink the file's tail (unused bytes / missing data)
                int delta = rnd.nextInt(17) - 8;
                b = Arrays.copyOf(b, Math.max(0, b.length + delta));
            }
            default -> { // delete or duplicate a slice of the header, keeping the length field
                int from = 8 + rnd.nextInt(headerEnd - 8);
                int len = 1 + rnd.nextInt(Math.min(12, headerEnd - from));
                byte[] out = new byte[b.length + (rnd.nextBoolean() ? len : -len)];
                if (out.length > b.length) {
                    System.arraycopy(b, 0, out, 0, from + len);
                    System.arraycopy(b, from, out, from + len, b.length - from);
                } else {
                    System.arraycopy(b, 0, out, 0, from);
                    System.arraycopy(b, from + len, out, from, b.length - from - len);
                }
                b = out;
            }
        }
        return b;
    }

    private static float[] randomFloats(Random rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        return f;
    }
}
