package jgrad.nn;

import jgrad.tensor.Tensor;

/**
 * A named trainable tensor.
 *
 * @param decay whether weight decay applies (weights yes, biases and norm scales no, as in the book)
 */
public record Parameter(String name, Tensor tensor, boolean decay) {
    Parameter prefixed(String prefix) {
        return new Parameter(prefix + "." + name, tensor, decay);
    }
}
