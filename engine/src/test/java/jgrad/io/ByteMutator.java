package jgrad.io;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded byte-level damage for parser fuzz tests: bit flips, random bytes, truncation, a length or
 * dimension field set to an extreme, inserted and deleted slices. {@code fields} are the offsets of
 * the format's 32-bit length/dimension fields, so that those get extreme values far more often than
 * random flips would give them.
 */
public final class ByteMutator {
    /** Override with -Djgrad.fuzz.seed=... for another hunt; -Djgrad.fuzz.formatMutations=... for a longer one. */
    public static final long SEED = Long.getLong("jgrad.fuzz.seed", 0x5afe7e45L);
    public static final int MUTATIONS = Integer.getInteger("jgrad.fuzz.formatMutations", 10_000);
    /** Kinds of {@link #mutate}; the kind number goes into failure messages. */
    public static final int KINDS = 8;
    /** One mutated input may not make the reader allocate more than this (they are all a few KB). */
    public static final long ALLOCATION_LIMIT = 64L << 20;

    private static final int[] EXTREMES = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 31 >>> 1, 0x7ffffff7,
        65_536, 1 << 24};

    private final byte[] original;
    private final int[] fields;
    private final ByteOrder order;

    public ByteMutator(byte[] original, int[] fields, ByteOrder order) {
        this.original = original.clone();
        this.fields = fields.clone();
        this.order = order;
    }

    public byte[] mutate(int kind, Random rnd) {
        byte[] b = original.clone();
        switch (kind) {
            case 0 -> { // flip 1..4 random bits
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length)); // truncate anywhere
            case 3, 4 -> { // a length/dimension field set to an extreme, a random value or a small delta
                int at = fields[rnd.nextInt(fields.length)];
                ByteBuffer buf = ByteBuffer.wrap(b).order(order);
                int old = buf.getInt(at);
                int v = switch (rnd.nextInt(3)) {
                    case 0 -> EXTREMES[rnd.nextInt(EXTREMES.length)];
                    case 1 -> rnd.nextInt();
                    default -> old + rnd.nextInt(9) - 4;
                };
                buf.putInt(at, v);
            }
            case 5 -> { // insert 1..16 random bytes
                int at = rnd.nextInt(b.length + 1);
                byte[] extra = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            case 6 -> { // delete a slice of 1..16 bytes
                int from = rnd.nextInt(b.length);
                int len = 1 + rnd.nextInt(Math.min(16, b.length - from));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, from + len, out, from, b.length - from - len);
                b = out;
            }
            default -> { // overwrite a random 4-byte window with an extreme (misaligned fields, data)
                int at = rnd.nextInt(Math.max(1, b.length - 3));
                if (b.length >= 4) {
                    ByteBuffer.wrap(b).order(order).putInt(at, EXTREMES[rnd.nextInt(EXTREMES.length)]);
                }
            }
        }
        return b;
    }

    /** Bytes allocated so far by the current thread, to catch a reader trusting a huge header field. */
    public static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The first bytes of an input, for failure messages. */
    public static String head(byte[] bytes) {
        return Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 200)));
    }
}
