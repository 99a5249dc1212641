package jgrad.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * A graph under construction: nodes in execution order, the weights as initializers, and the names
 * of values, each used once. Every tensor is float32 except the int64 shape of a Reshape.
 */
final class OnnxGraph {
    /** The symbolic first dimension of the input and the output: any batch size. */
    static final String BATCH = "batch";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    /** @param reserved names no layer may take (the graph's output, declared last) */
    OnnxGraph(String name, String... reserved) {
        graph.setName(name);
        names.addAll(java.util.List.of(reserved));
    }

    /** {@code wanted}, or {@code wanted_2}, {@code wanted_3}, … when that name is taken. */
    String fresh(String wanted) {
        String name = wanted;
        for (int i = 2; !names.add(name); i++) {
            name = wanted + "_" + i;
        }
        return name;
    }

    /** Adds a node named {@code name} whose output value has the same name; returns that value. */
    String node(String op, String name, Attribute[] attributes, String... inputs) {
        String out = fresh(name);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (Attribute a : attributes) {
            n.addAttribute(a.proto());
        }
        graph.addNode(n.build());
        return out;
    }

    String node(String op, String name, String... inputs) {
        return node(op, name, new Attribute[0], inputs);
    }

    /** A float32 weight named {@code name} (as the PyTorch state_dict names it); returns the name. */
    String floats(String name, long[] dims, float[] data) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(data.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return initializer(name, dims, TensorProto.DataType.FLOAT_VALUE, bytes);
    }

    /** An int64 constant (a Reshape's target shape); returns its name. */
    String longs(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return initializer(name, new long[] {values.length}, TensorProto.DataType.INT64_VALUE, bytes);
    }

    private String initializer(String name, long[] dims, int type, ByteBuffer littleEndian) {
        String unique = fresh(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(unique).setDataType(type)
                .setRawData(ByteString.copyFrom(littleEndian.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t.build());
        return unique;
    }

    /** Declares the graph's input: float32 of shape [batch, dims…]. */
    String input(String name, int[] dims) {
        String unique = fresh(name);
        graph.addInput(value(unique, dims));
        return unique;
    }

    /**
     * Declares {@code value} as the graph's output under the reserved name {@code name}: the node
     * that computes it is renamed, or, if the value is the input itself, an Identity node added.
     */
    void output(String value, String name, int[] dims) {
        int last = graph.getNodeCount() - 1;
        if (last >= 0 && graph.getNode(last).getOutput(0).equals(value)) {
            graph.setNode(last, graph.getNode(last).toBuilder().setOutput(0, name).build());
        } else {
            graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(name).addInput(value).addOutput(name)
                    .build());
        }
        graph.addOutput(value(name, dims));
    }

    GraphProto.Builder proto() {
        return graph;
    }

    private static ValueInfoProto value(String name, int[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
                .setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    /** One attribute of a node: an int, a list of ints or a float. */
    record Attribute(AttributeProto proto) {
        static Attribute ints(String name, long... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                    .setType(AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            return new Attribute(a.build());
        }

        static Attribute of(String name, long value) {
            return new Attribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                    .setI(value).build());
        }

        static Attribute of(String name, float value) {
            return new Attribute(AttributeProto.newBuilder().setName(name)
                    .setType(AttributeProto.AttributeType.FLOAT).setF(value).build());
        }
    }
}
