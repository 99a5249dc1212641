package jgrad.device;

/** Elementwise functions y = f(x). Each backend implements forward and backward for every entry. */
public enum UnaryOp {
    RELU,
    SIGMOID,
    TANH,
    EXP,
    LOG,
    NEG,
    SQUARE,
    SQRT;

    /**
     * Whether the backward reads the forward output y instead of the input x
     * (sigmoid' = y(1-y), tanh' = 1-y², exp' = y, sqrt' = 1/(2y)).
     */
    public boolean backwardUsesOutput() {
        return this == SIGMOID || this == TANH || this == EXP || this == SQRT;
    }
}
