#!/usr/bin/python3
"""Checks ONNX files that `jgrad export --format onnx` wrote, with the onnx package's own checker (issue 16).

  /usr/bin/python3 scripts/onnx_check.py model.onnx [more.onnx ...]

For each file: onnx.checker.check_model(full_check=True) (the schema checks plus strict shape inference),
then one line: IR version, opsets, the operators used, the input and output shapes as inferred. Exits
non-zero at the first file the checker refuses. Debian's python3-onnx (1.12) is enough.
"""
import sys

import onnx


def dims(value):
    return "[" + ", ".join(d.dim_param or str(d.dim_value) for d in value.type.tensor_type.shape.dim) + "]"


def main(paths):
    for path in paths:
        # A wrong path or a file that is no ONNX model is one line naming it, exit 1, not a traceback.
        try:
            model = onnx.load(path)
        except OSError as e:
            sys.exit(f"{path}: {e.strerror or e}")
        except Exception as e:  # protobuf's DecodeError and the like: not an ONNX model
            sys.exit(f"{path}: not a readable ONNX model ({type(e).__name__}: {e})")
        try:
            onnx.checker.check_model(model, full_check=True)
        except onnx.checker.ValidationError as e:
            sys.exit(f"{path}: check_model(full_check=True) refused it: " + " ".join(str(e).split()))
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        ops = sorted({n.op_type for n in model.graph.node})
        opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        ins = ", ".join(f"{v.name} {dims(v)}" for v in inferred.graph.input)
        outs = ", ".join(f"{v.name} {dims(v)}" for v in inferred.graph.output)
        print(f"{path}: check_model(full_check=True) OK; IR {model.ir_version}, opset {opsets}; "
              f"{len(model.graph.node)} nodes ({' '.join(ops)}); input {ins}; output {outs}")


if __name__ == "__main__":
    if sys.argv[1:] in ([], ["-h"], ["--help"]):
        print(__doc__.strip(), file=sys.stdout if sys.argv[1:] else sys.stderr)
        sys.exit(0 if sys.argv[1:] else 2)
    main(sys.argv[1:])
