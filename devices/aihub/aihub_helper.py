"""The harness's helper for Qualcomm AI Hub (docs/aihub.md): JSON lines over stdio, one request per line
({"id", "op", "args"}), one answer per line ({"id", "ok": true, "result"} or {"id", "ok": false, "fault",
"kind", "message"}), driving the official `qai_hub` client. Started by devices/aihub/aihub-client.ts.

The API token is the client's own business (`qai-hub configure` writes ~/.qai_hub/client.ini): this helper
never reads, logs or receives it. Every job is addressed by its own id; nothing here asks for "the latest
job" (the 2025 referee scripts did, and two concurrent jobs could swap latencies).

numpy is used only where the client's data is numpy: the dataset uploaded (dict of lists of arrays) and the
inference outputs downloaded (the same shape); both cross to the harness as raw little-endian files.
"""

import json
import os
import sys
import traceback

INFRASTRUCTURE = "infrastructure"
SUBMISSION = "submission"
# Words of AI Hub's refusals that are about the account, never the model: retried as the infrastructure's.
QUOTA_WORDS = ("quota", "rate limit", "too many requests", "limit exceeded")
DTYPES = ("float32", "int64", "int32", "uint8")


class HelperFault(Exception):
    def __init__(self, fault, kind, message):
        super().__init__(message)
        self.fault = fault
        self.kind = kind


def hub():
    try:
        import qai_hub  # noqa: PLC0415 (imported late: a missing client is an answer, not a crash)
    except ImportError as e:
        raise HelperFault(
            INFRASTRUCTURE,
            "ClientMissing",
            f"the qai_hub client is not importable by {sys.executable} ({e}): pip install qai-hub, then qai-hub configure --api_token ...",
        ) from e
    return qai_hub


def classify(e):
    """The fault of an exception the client raised (docs/aihub.md, "Faults")."""
    if isinstance(e, HelperFault):
        return e.fault, e.kind
    text = str(e).lower()
    if any(w in text for w in QUOTA_WORDS):
        return INFRASTRUCTURE, "Quota"
    q = sys.modules.get("qai_hub")
    client = getattr(q, "client", None)
    user_error = getattr(q, "UserError", None) or getattr(client, "UserError", None)
    internal_error = getattr(q, "InternalError", None) or getattr(client, "InternalError", None)
    if user_error is not None and isinstance(e, user_error):
        return SUBMISSION, "UserError"
    if internal_error is not None and isinstance(e, internal_error):
        return INFRASTRUCTURE, "InternalError"
    if isinstance(e, (TimeoutError, ConnectionError, OSError)) or type(e).__module__.startswith(("requests", "urllib3")):
        return INFRASTRUCTURE, "Network"
    return INFRASTRUCTURE, type(e).__name__


def options(*pairs):
    return " ".join(f"--{k} {v}" for k, v in pairs if v is not None)


def job_state(job):
    status = job.get_status()
    if status.success:
        state = "success"
    elif status.failure:
        state = "failed"
    elif status.running:
        state = "running"
    else:
        state = "submitted"
    return {"state": state, "code": str(status.code), "message": status.message or ""}


def op_probe(a):
    q = hub()
    devices = q.get_devices(name=a["device"])
    if not devices:
        raise HelperFault(INFRASTRUCTURE, "DeviceUnknown", f"AI Hub has no device named {a['device']!r}")
    d = devices[0]
    return {"client": getattr(q, "__version__", "unknown"), "device": d.name, "os": str(getattr(d, "os", "")), "attributes": list(getattr(d, "attributes", []))}


def op_upload_model(a):
    return {"modelId": hub().upload_model(a["path"]).model_id}


def op_upload_dataset(a):
    import numpy as np  # noqa: PLC0415

    flat = np.fromfile(a["file"], dtype=np.dtype(a["dtype"]).newbyteorder("<"))
    per = int(np.prod(a["shape"]))
    if flat.size != per * a["count"]:
        raise HelperFault(INFRASTRUCTURE, "BadInputs", f"{a['file']}: {flat.size} values, expected {a['count']} x {per}")
    samples = flat.reshape((a["count"], *a["shape"]))
    # The client's dataset form: input name -> one array per sample, each with the model's batch axis.
    return {"datasetId": hub().upload_dataset({a["inputName"]: [samples[i] for i in range(a["count"])]}).dataset_id}


def op_submit_compile_job(a):
    q = hub()
    model = q.get_model(a["modelId"])
    specs = {a["inputName"]: (tuple(a["shape"]), a["dtype"])}
    job = q.submit_compile_job(model=model, device=q.Device(a["device"]), input_specs=specs, options=options(("target_runtime", a["runtime"])))
    return {"jobId": job.job_id}


def target_model(q, compile_job_id):
    return q.get_job(compile_job_id).get_target_model()


def op_submit_profile_job(a):
    q = hub()
    opts = options(("max_profiler_iterations", a["iterations"]), ("compute_unit", a.get("computeUnit")))
    job = q.submit_profile_job(model=target_model(q, a["compileJobId"]), device=q.Device(a["device"]), options=opts)
    return {"jobId": job.job_id}


def op_submit_inference_job(a):
    q = hub()
    opts = options(("compute_unit", a.get("computeUnit")))
    job = q.submit_inference_job(model=target_model(q, a["compileJobId"]), device=q.Device(a["device"]), inputs=q.get_dataset(a["datasetId"]), options=opts)
    return {"jobId": job.job_id}


def op_job_status(a):
    return job_state(hub().get_job(a["jobId"]))


def op_get_job(a):
    """What the harness checks of a team's shared compile job: its kind, state, device, runtime and input spec."""
    job = hub().get_job(a["jobId"])
    shapes = getattr(job, "shapes", None) or {}
    return {
        "jobId": job.job_id,
        "kind": type(job).__name__,
        "status": job_state(job),
        "device": job.device.name,
        "options": getattr(job, "options", "") or "",
        "inputSpecs": {name: {"shape": list(spec[0]), "dtype": str(spec[1])} for name, spec in shapes.items()},
    }


def op_download_profile(a):
    profile = hub().get_job(a["jobId"]).download_profile()
    summary = profile.get("execution_summary", {})
    detail = profile.get("execution_detail", [])
    keep = ("name", "type", "compute_unit", "execution_time", "execution_cycles")
    return {
        "executionSummary": {k: v for k, v in summary.items() if isinstance(v, (int, float, str, list, tuple))},
        "executionDetail": [{k: layer.get(k) for k in keep if k in layer} for layer in detail],
    }


def op_download_output_data(a):
    """The outputs (name -> one array per sample) written as one raw file per output, their shapes and type beside."""
    import numpy as np  # noqa: PLC0415

    data = hub().get_job(a["jobId"]).download_output_data()
    os.makedirs(a["dir"], exist_ok=True)
    outputs = {}
    for i, (name, arrays) in enumerate(data.items()):
        dtype = str(np.asarray(arrays[0]).dtype) if arrays else "float32"
        if dtype not in DTYPES:
            dtype = "float32"
        path = os.path.join(a["dir"], f"output-{i}.bin")
        with open(path, "wb") as f:
            for arr in arrays:
                f.write(np.ascontiguousarray(arr, dtype=np.dtype(dtype).newbyteorder("<")).tobytes())
        outputs[name] = {"file": path, "dtype": dtype, "shapes": [list(np.shape(arr)) for arr in arrays]}
    return {"outputs": outputs}


def op_cancel(a):
    job = hub().get_job(a["jobId"])
    cancel = getattr(job, "cancel", None)
    if cancel is None:
        return {"cancelled": False, "why": "this qai_hub client has no job cancel"}
    cancel()
    return {"cancelled": True}


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def answer(line):
    try:
        req = json.loads(line)
        rid = req.get("id")
    except ValueError:
        return {"id": None, "ok": False, "fault": INFRASTRUCTURE, "kind": "BadRequest", "message": "not JSON"}
    op = OPS.get(req.get("op"))
    if op is None:
        return {"id": rid, "ok": False, "fault": INFRASTRUCTURE, "kind": "BadRequest", "message": f"unknown op {req.get('op')!r}"}
    try:
        return {"id": rid, "ok": True, "result": op(req.get("args") or {})}
    except Exception as e:  # noqa: BLE001 (every failure becomes an answer; the harness decides)
        fault, kind = classify(e)
        if kind not in ("UserError", "InternalError", "Quota", "ClientMissing", "DeviceUnknown"):
            traceback.print_exc(file=sys.stderr)
        return {"id": rid, "ok": False, "fault": fault, "kind": kind, "message": str(e).strip().splitlines()[0] if str(e).strip() else kind}


def main():
    # The client prints progress ("Scheduled compile job ...", upload bars) to stdout: the answers get a private
    # copy of the pipe, and everything else written to fd 1 goes to stderr, where the harness keeps a tail.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if line.strip():
            answers.write(json.dumps(answer(line)) + "\n")
            answers.flush()


if __name__ == "__main__":
    main()
