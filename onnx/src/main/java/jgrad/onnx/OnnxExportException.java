package jgrad.onnx;

/** A model cannot be written as an ONNX graph (a layer ONNX export does not know, shapes that do not chain); one line. */
public final class OnnxExportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxExportException(String message) {
        super(message.strip().replaceAll("\\s*\\R\\s*", " "));
    }
}
