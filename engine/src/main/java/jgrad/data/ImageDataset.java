package jgrad.data;

/** A loaded image-classification dataset: both splits plus the class count, e.g. MNIST. */
public record ImageDataset(String name, ImageSplit train, ImageSplit test, int classes) {

    public ImageDataset {
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IllegalArgumentException(name + ": train images are " + train.rows() + "×" + train.cols()
                    + " but test images are " + test.rows() + "×" + test.cols());
        }
    }
}
