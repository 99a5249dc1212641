package jgrad.data;

/** A loaded image-classification dataset: both splits plus the class count, e.g. MNIST. */
public record ImageDataset(String name, ImageSplit train, ImageSplit test, int classes) {

    public ImageDataset {
        if (!train.shape().equals(test.shape())) {
            throw new IllegalArgumentException(name + ": train images are " + train.shape()
                    + " but test images are " + test.shape());
        }
    }

    /** The shape of one image, channels first (1×28×28 for MNIST, 3×32×32 for CIFAR-10). */
    public ImageShape shape() {
        return train.shape();
    }
}
