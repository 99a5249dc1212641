package jgrad.device;

/** Elementwise z = a (op) b over equal-length buffers. */
public enum BinaryOp {
    ADD,
    SUB,
    MUL,
    DIV
}
