package jgrad.data;

/**
 * One split (train or test) of an image-classification dataset, ready for training.
 *
 * <p>The arrays are shared, not copied (the training images are 188 MB as floats); treat them as read-only.
 *
 * @param images   {@code count × channels × rows × cols} pixels (channel planes one after another,
 *                 NCHW), scaled to [0, 1] as {@code pixel / 255f}
 * @param labels   {@code count} class indices in {@code 0 .. classes-1}
 * @param channels 1 for grey images (MNIST), 3 for RGB (CIFAR-10)
 */
public record ImageSplit(float[] images, int[] labels, int count, int rows, int cols, int channels) {

    /** A split of single-channel (grey) images. */
    public ImageSplit(float[] images, int[] labels, int count, int rows, int cols) {
        this(images, labels, count, rows, cols, 1);
    }

    public ImageSplit {
        if (count <= 0 || rows <= 0 || cols <= 0 || channels <= 0) {
            throw new IllegalArgumentException("bad split shape " + count + "×" + channels + "×" + rows + "×" + cols);
        }
        if (labels.length != count || (long) count * channels * rows * cols != images.length) {
            throw new IllegalArgumentException("split arrays do not match " + count + "×" + channels + "×" + rows
                    + "×" + cols + ": " + images.length + " pixels, " + labels.length + " labels");
        }
    }

    /** Values per image (channels × rows × cols). */
    public int pixels() {
        return channels * rows * cols;
    }

    /** The shape of one image, channels first. */
    public ImageShape shape() {
        return new ImageShape(channels, rows, cols);
    }

    /**
     * Builds a split from parsed IDX arrays after the structural checks every dataset needs:
     * 3-d images of {@code rows × cols}, 1-d labels, equal counts, labels below {@code classes}.
     * The names are the files' names, used in error messages.
     */
    public static ImageSplit of(String imagesName, IdxArray images, String labelsName, IdxArray labels,
                                int rows, int cols, int classes) {
        if (images.rank() != 3) {
            throw DataException.inFile(imagesName, "expected 3-d image data, got " + images.rank() + " dimensions");
        }
        if (labels.rank() != 1) {
            throw DataException.inFile(labelsName, "expected 1-d label data, got " + labels.rank() + " dimensions");
        }
        if (images.dim(1) != rows || images.dim(2) != cols) {
            throw DataException.inFile(imagesName, "images are " + images.dim(1) + "×" + images.dim(2)
                    + ", expected " + rows + "×" + cols);
        }
        if (images.count() != labels.count()) {
            throw new DataException(imagesName + " has " + images.count() + " images but " + labelsName
                    + " has " + labels.count() + " labels");
        }
        int count = images.count();
        byte[] rawLabels = labels.data();
        int[] labelInts = new int[count];
        for (int i = 0; i < count; i++) {
            int label = rawLabels[i] & 0xff;
            if (label >= classes) {
                throw DataException.inFile(labelsName, "label " + label + " at index " + i
                        + " is out of range 0.." + (classes - 1));
            }
            labelInts[i] = label;
        }
        byte[] px = images.data();
        float[] pixels = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            pixels[i] = (px[i] & 0xff) / 255f;
        }
        return new ImageSplit(pixels, labelInts, count, rows, cols);
    }
}
