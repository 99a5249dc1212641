package jgrad.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * On-the-fly augmentation of training images, a host step: the trainer gathers the minibatch on
 * the CPU, augments it here, then uploads it. Each image draws from its own generator seeded by
 * (run seed, step, position in the batch), so a run is reproducible and a resumed run augments
 * exactly like an uninterrupted one, with no generator state to save.
 *
 * <p>Transforms, always applied in this order whatever order they are named in (torchvision's
 * order in the seed's CIFAR-10 pipeline):
 * <ul>
 *   <li>{@code crop}: pad by 4 pixels (32-pixel images) or 2 (smaller ones) with black, then cut a
 *       random window of the original size (RandomCrop with padding);
 *   <li>{@code flip}: mirror left-right with probability 1/2 (RandomHorizontalFlip);
 *   <li>{@code rotate}: rotate about the centre by a uniform angle in [−10°, 10°], bilinear,
 *       black outside (RandomRotation(10), but bilinear where torchvision defaults to nearest).
 * </ul>
 * "Black" is a 0 pixel before normalisation, i.e. {@link Normalization#black} after it.
 */
public final class Augment {
    public static final List<String> TRANSFORMS = List.of("crop", "flip", "rotate");
    static final double MAX_DEGREES = 10.0;

    private final boolean crop;
    private final boolean flip;
    private final boolean rotate;
    private final ImageShape shape;
    private final float[] fill;
    private final int pad;

    private Augment(String spec, ImageShape shape, Normalization norm) {
        String c = canonical(spec);
        this.crop = c.contains("crop");
        this.flip = c.contains("flip");
        this.rotate = c.contains("rotate");
        this.shape = shape;
        this.fill = new float[shape.channels()];
        for (int ch = 0; ch < fill.length; ch++) {
            fill[ch] = norm.black(ch);
        }
        this.pad = shape.height() >= 32 ? 4 : 2;
    }

    /** An augmenter for images of {@code shape} normalised with {@code norm}. */
    public static Augment of(String spec, ImageShape shape, Normalization norm) {
        if (norm.channels() != shape.channels()) {
            throw new IllegalArgumentException("normalisation and images disagree on the channel count");
        }
        Augment a = new Augment(spec, shape, norm);
        if (!a.isNone() && shape.height() < 3) {
            throw new IllegalArgumentException("--augment needs image data, got flat " + shape + " rows");
        }
        return a;
    }

    /**
     * Validates a spec ("none", or a comma list of crop, flip, rotate) and returns it in application
     * order, e.g. "rotate,crop" → "crop,rotate".
     */
    public static String canonical(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("none")) {
            return "none";
        }
        List<String> named = new ArrayList<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (!TRANSFORMS.contains(t)) {
                throw new IllegalArgumentException("unknown --augment '" + part.trim()
                        + "' (expected none or a comma list of crop, flip, rotate)");
            }
            named.add(t);
        }
        return String.join(",", TRANSFORMS.stream().filter(named::contains).toList());
    }

    public boolean isNone() {
        return !crop && !flip && !rotate;
    }

    /** Padding of the random crop, in pixels. */
    public int cropPadding() {
        return pad;
    }

    /**
     * Augments the first {@code n} images of {@code batch} (NCHW rows) in place.
     *
     * @param step the global optimizer step, part of every image's seed
     */
    public void apply(float[] batch, int n, long seed, long step) {
        int pixels = shape.pixels();
        float[] tmp = new float[pixels];
        float[] img = new float[pixels];
        for (int i = 0; i < n; i++) {
            SplittableRandom rng = new SplittableRandom(mix(seed, step, i));
            System.arraycopy(batch, i * pixels, img, 0, pixels);
            if (crop) {
                crop(img, tmp, shape, pad, rng.nextInt(2 * pad + 1) - pad, rng.nextInt(2 * pad + 1) - pad, fill);
                System.arraycopy(tmp, 0, img, 0, pixels);
            }
            if (flip && rng.nextBoolean()) {
                flip(img, tmp, shape);
                System.arraycopy(tmp, 0, img, 0, pixels);
            }
            if (rotate) {
                double degrees = (rng.nextDouble() * 2 - 1) * MAX_DEGREES;
                rotate(img, tmp, shape, degrees, fill);
                System.arraycopy(tmp, 0, img, 0, pixels);
            }
            System.arraycopy(img, 0, batch, i * pixels, pixels);
        }
    }

    /** SplitMix64's finaliser over the three inputs: nearby (step, index) pairs give unrelated seeds. */
    static long mix(long seed, long step, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL + 0x2545F4914F6CDD1DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** out(y, x) = in(y + dy, x + dx), black outside: a window of the padded image, |dx|, |dy| ≤ pad. */
    static void crop(float[] in, float[] out, ImageShape s, int pad, int dx, int dy, float[] fill) {
        int h = s.height();
        int w = s.width();
        for (int c = 0; c < s.channels(); c++) {
            int base = c * s.plane();
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx = x + dx;
                    out[base + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? in[base + sy * w + sx] : fill[c];
                }
            }
        }
    }

    static void flip(float[] in, float[] out, ImageShape s) {
        int w = s.width();
        for (int row = 0; row < s.channels() * s.height(); row++) {
            int base = row * w;
            for (int x = 0; x < w; x++) {
                out[base + x] = in[base + w - 1 - x];
            }
        }
    }

    /**
     * Rotates counter-clockwise (as seen with row 0 at the top) by {@code degrees} about the image
     * centre: each output pixel samples the input bilinearly at the inversely rotated position;
     * neighbours outside the image count as black.
     */
    static void rotate(float[] in, float[] out, ImageShape s, double degrees, float[] fill) {
        int h = s.height();
        int w = s.width();
        double rad = Math.toRadians(degrees);
        double cos = Math.cos(rad);
        double sin = Math.sin(rad);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double dx = x - cx;
                double dy = y - cy;
                // Counter-clockwise on screen (y down) maps output (dx, dy) back to the source below.
                double sx = cos * dx - sin * dy + cx;
                double sy = sin * dx + cos * dy + cy;
                int x0 = (int) Math.floor(sx);
                int y0 = (int) Math.floor(sy);
                float fx = (float) (sx - x0);
                float fy = (float) (sy - y0);
                for (int c = 0; c < s.channels(); c++) {
                    int base = c * s.plane();
                    float v00 = at(in, base, w, h, x0, y0, fill[c]);
                    float v01 = at(in, base, w, h, x0 + 1, y0, fill[c]);
                    float v10 = at(in, base, w, h, x0, y0 + 1, fill[c]);
                    float v11 = at(in, base, w, h, x0 + 1, y0 + 1, fill[c]);
                    float top = v00 + (v01 - v00) * fx;
                    float bottom = v10 + (v11 - v10) * fx;
                    out[base + y * w + x] = top + (bottom - top) * fy;
                }
            }
        }
    }

    private static float at(float[] in, int base, int w, int h, int x, int y, float fill) {
        return x >= 0 && x < w && y >= 0 && y < h ? in[base + y * w + x] : fill;
    }
}
