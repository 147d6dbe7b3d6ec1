"""ONNX export of a baseline, checked the same way for every track's training script.

`export(model, path, input_shape, outputs, opset)` writes one self-contained file (no external data, nothing else
written beside it), runs onnx.checker's full check, checks that the graph has the one input `input` and exactly
the named outputs, each with a symbolic `batch` first dimension, and answers (sha256, bytes, sorted op types).
"""
import hashlib
import os

import onnx
import torch


def export(model, path, input_shape, outputs, opset):
    model.eval()
    folder = os.path.dirname(path)
    before = set(os.listdir(folder))
    torch.onnx.export(
        model, torch.zeros(*input_shape), path, export_params=True, opset_version=opset,
        do_constant_folding=True, input_names=["input"], output_names=list(outputs),
        dynamic_axes={"input": {0: "batch"}, **{name: {0: "batch"} for name in outputs}},
        training=torch.onnx.TrainingMode.EVAL)
    extra = set(os.listdir(folder)) - before - {os.path.basename(path)}
    if extra:
        raise RuntimeError(f"export produced unexpected files: {sorted(extra)}")
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    for t in m.graph.initializer:
        if t.data_location == onnx.TensorProto.EXTERNAL:
            raise RuntimeError(f"{path}: initializer {t.name} uses external data")
    inits = {t.name for t in m.graph.initializer}
    ins = [i for i in m.graph.input if i.name not in inits]
    assert [i.name for i in ins] == ["input"], [i.name for i in ins]
    assert [o.name for o in m.graph.output] == list(outputs), [o.name for o in m.graph.output]
    for v in (ins[0], *m.graph.output):
        assert v.type.tensor_type.shape.dim[0].dim_param == "batch", v.name
    with open(path, "rb") as f:
        blob = f.read()
    return hashlib.sha256(blob).hexdigest(), len(blob), sorted({n.op_type for n in m.graph.node})
