package jgrad.nn;

import java.util.Locale;
import jgrad.device.UnaryOp;
import jgrad.tensor.Ops;
import jgrad.tensor.Tensor;

/** ReLU, Sigmoid or Tanh as a layer. */
public record Activation(UnaryOp op) implements Module {
    public Activation {
        if (op != UnaryOp.RELU && op != UnaryOp.SIGMOID && op != UnaryOp.TANH) {
            throw new IllegalArgumentException("not an activation: " + op);
        }
    }

    public static Activation parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "relu" -> new Activation(UnaryOp.RELU);
            case "sigmoid" -> new Activation(UnaryOp.SIGMOID);
            case "tanh" -> new Activation(UnaryOp.TANH);
            default -> throw new IllegalArgumentException("unknown --activation '" + s + "' (expected sigmoid, relu or tanh)");
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.unary(op, x);
    }
}
