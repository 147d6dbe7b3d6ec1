"""A stand-in for Qualcomm's `qai_hub` client, for the harness's tests only (put on PYTHONPATH by them).

It implements the calls devices/aihub/aihub_helper.py makes, with the real client's result shapes: a profile dict
with `execution_summary` (all_inference_times in microseconds, estimated_inference_time,
inference_memory_peak_range) and `execution_detail` (per layer: name, type, compute_unit, execution_time), output
data as a dict of lists of numpy arrays. Jobs go submitted -> running -> success/failed over polls (get_status
calls), never over wall time. Its inference job computes the model's real outputs with the project's
onnxruntime-node (run-onnx-outputs.ts). "Compiling" keeps the ONNX model as the target model: nothing here is a
TFLite or QNN model. State lives in $QAI_HUB_STANDIN_DIR, so a restarted helper still knows every job.

Markers the tests control, in the uploaded model's file name: `user-error` (upload_model raises UserError),
`internal-error` (submit_compile_job raises InternalError), `fail-compile`, `fail-profile` (that job fails),
`slow-queue` (jobs stay queued until cancelled). $QAI_HUB_STANDIN_QUEUE_POLLS: polls a job stays queued (1).
$QAI_HUB_STANDIN_POLL_MS: how long each status poll takes (0), as an HTTP round trip to the service does.
$QAI_HUB_STANDIN_SHARED: a JSON file of other accounts' compile jobs, {id: {model, device, runtime, inputName,
shape, dtype, shared, state}}; an unshared one is refused by get_job as AI Hub refuses it.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import tempfile
import time

import numpy as np

__version__ = "0.0.0-standin"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
SLOW = 10**9


class UserError(Exception):
    pass


class InternalError(Exception):
    pass


class client:  # noqa: N801 (the real package has qai_hub.client.UserError)
    UserError = UserError
    InternalError = InternalError


def _dir(kind):
    base = os.environ.get("QAI_HUB_STANDIN_DIR") or os.path.join(tempfile.gettempdir(), f"qai-hub-standin-{os.getpid()}")
    d = os.path.join(base, kind)
    os.makedirs(d, exist_ok=True)
    return d


def _new_id(kind, seed):
    n = len([f for f in os.listdir(_dir(kind)) if f.endswith(".json")])
    return "j" + hashlib.sha1(f"{kind}{n}{seed}{os.getpid()}".encode()).hexdigest()[:8] if kind == "jobs" else kind[0] + f"{n:08d}"


def _save(kind, ident, record):
    # Written aside, then renamed over the old file: a helper killed mid-write (an aborted call) never leaves a
    # half-written record for the next helper, or a test, to read.
    path = os.path.join(_dir(kind), ident + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(record, f)
    os.replace(path + ".tmp", path)


@contextlib.contextmanager
def _locked():
    """Serializes a read-modify-write of the state across helper processes: a helper killed mid-poll (an aborted
    call) and the fresh one that cancels must not overwrite each other's change. The lock dies with its holder."""
    with open(os.path.join(_dir("locks"), "state.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _load(kind, ident):
    path = os.path.join(_dir(kind), ident + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


class Device:
    def __init__(self, name="", os="14", attributes=()):  # noqa: A002 (the real field name)
        self.name = name
        self.os = os
        self.attributes = list(attributes) or ["chipset:qualcomm-snapdragon-8gen3", "framework:tflite"]


def get_devices(name=""):
    return [Device(name)] if name else [Device("Samsung Galaxy S24 (Family)")]


class Model:
    def __init__(self, model_id, path):
        self.model_id = model_id
        self.path = path


def upload_model(path):
    if "user-error" in os.path.basename(str(path)):
        raise UserError(f"Failed to upload model {os.path.basename(str(path))}: unsupported model file")
    ident = _new_id("models", path)
    _save("models", ident, {"path": os.path.abspath(str(path))})
    return Model(ident, str(path))


def get_model(model_id):
    r = _load("models", model_id)
    if r is None:
        raise UserError(f"model {model_id} does not exist")
    return Model(model_id, r["path"])


class Dataset:
    def __init__(self, dataset_id):
        self.dataset_id = dataset_id


def upload_dataset(data, name=None):
    (input_name, samples), = data.items()
    ident = _new_id("datasets", input_name)
    stacked = np.stack([np.asarray(s) for s in samples])
    raw = os.path.join(_dir("datasets"), ident + ".bin")
    stacked.tofile(raw)
    _save("datasets", ident, {"file": raw, "dtype": str(stacked.dtype), "shape": list(stacked.shape[1:]), "count": len(samples), "name": input_name})
    return Dataset(ident)


def get_dataset(dataset_id):
    if _load("datasets", dataset_id) is None:
        raise UserError(f"dataset {dataset_id} does not exist")
    return Dataset(dataset_id)


class JobStatus:
    def __init__(self, code, message=""):
        self.code = code
        self.message = message

    @property
    def success(self):
        return self.code == "SUCCESS"

    @property
    def failure(self):
        return self.code == "FAILED"

    @property
    def finished(self):
        return self.success or self.failure

    @property
    def running(self):
        return self.code == "RUNNING"

    @property
    def pending(self):
        return self.code == "PENDING"


def _queue_polls(model_path):
    return SLOW if "slow-queue" in os.path.basename(model_path) else int(os.environ.get("QAI_HUB_STANDIN_QUEUE_POLLS", "1"))


def _submit(kind, model_path, device, options, fails, **extra):
    ident = _new_id("jobs", model_path)
    rec = {"id": ident, "kind": kind, "model": model_path, "device": device.name, "options": options, "polls": 0, "queue": _queue_polls(model_path), "fails": fails, "cancelled": False, **extra}
    _save("jobs", ident, rec)
    return _job(rec)


def _job(rec):
    return {"CompileJob": CompileJob, "ProfileJob": ProfileJob, "InferenceJob": InferenceJob}[rec["kind"]](rec)


class Job:
    def __init__(self, rec):
        self._rec = rec
        self.job_id = rec["id"]
        self.device = Device(rec["device"])
        self.options = rec["options"]

    def get_status(self):
        # A poll is an HTTP round trip on the real service: $QAI_HUB_STANDIN_POLL_MS makes each one take that long.
        time.sleep(int(os.environ.get("QAI_HUB_STANDIN_POLL_MS", "0")) / 1000)
        with _locked():
            rec = _load("jobs", self.job_id)
            rec["polls"] += 1
            _save("jobs", self.job_id, rec)
        self._rec = rec
        if rec["cancelled"]:
            return JobStatus("FAILED", "cancelled")
        if rec["polls"] <= rec["queue"]:
            return JobStatus("PENDING", "waiting for a device")
        if rec["polls"] == rec["queue"] + 1:
            return JobStatus("RUNNING")
        if rec["fails"]:
            return JobStatus("FAILED", f"{self.__class__.__name__[:-3].lower()} failed: op not supported on the device")
        return JobStatus("SUCCESS")

    def wait(self):
        while not (status := self.get_status()).finished:
            pass
        return status

    def cancel(self):
        with _locked():
            rec = _load("jobs", self.job_id)
            rec["cancelled"] = True
            _save("jobs", self.job_id, rec)

    def _done(self):
        rec = _load("jobs", self.job_id)
        if rec["cancelled"] or rec["fails"] or rec["polls"] <= rec["queue"] + 1:
            raise UserError(f"job {self.job_id} has not succeeded")


class CompileJob(Job):
    @property
    def shapes(self):
        return {self._rec["inputName"]: (tuple(self._rec["shape"]), self._rec["dtype"])}

    def get_target_model(self):
        self._done()
        return Model("t" + self.job_id, self._rec["model"])


class ProfileJob(Job):
    def download_profile(self):
        self._done()
        n = self._rec["iterations"]
        base = 100 + os.path.getsize(self._rec["model"]) % 50
        times = [base + (i * 7) % 13 for i in range(n)]
        return {
            "execution_summary": {
                "all_inference_times": times,
                "estimated_inference_time": sorted(times)[n // 2],
                "inference_memory_peak_range": (1_200_000, 1_500_000),
                "first_load_time": 40_000,
                "warm_load_time": 2_000,
            },
            "execution_detail": [
                {"name": "conv_1", "type": "CONV_2D", "compute_unit": "NPU", "execution_time": base // 2},
                {"name": "fully_connected", "type": "FULLY_CONNECTED", "compute_unit": "NPU", "execution_time": base // 3},
                {"name": "softmax_fallback", "type": "SOFTMAX", "compute_unit": "CPU", "execution_time": base - base // 2 - base // 3},
            ],
        }


class InferenceJob(Job):
    def download_output_data(self):
        self._done()
        ds = _load("datasets", self._rec["dataset"])
        out = tempfile.mkdtemp(prefix="qai-hub-standin-out-", dir=_dir("outputs"))
        args = [self._rec["model"], ds["file"], ds["dtype"], json.dumps(ds["shape"]), str(ds["count"]), out]
        subprocess.run(["node", "--import", "tsx", os.path.join(HERE, "..", "run-onnx-outputs.ts"), *args], check=True, cwd=ROOT)
        with open(os.path.join(out, "outputs.json")) as f:
            meta = json.load(f)
        result = {}
        for k, m in enumerate(meta):
            flat = np.fromfile(os.path.join(out, f"{k}.bin"), dtype=np.dtype(m["type"]))
            arrays, at = [], 0
            for dims in m["dims"]:
                n = int(np.prod(dims))
                arrays.append(flat[at : at + n].reshape(dims))
                at += n
            # AI Hub names a compiled model's outputs output_0, output_1, ...
            result[f"output_{k}" if len(meta) == 1 else m["name"]] = arrays
        return result


def submit_compile_job(model, device, name=None, input_specs=None, options=""):
    if "internal-error" in os.path.basename(model.path):
        raise InternalError("Internal server error: please retry")
    (input_name, (shape, dtype)), = (input_specs or {"input": ((1,), "float32")}).items()
    return _submit("CompileJob", model.path, device, options, "fail-compile" in os.path.basename(model.path), inputName=input_name, shape=list(shape), dtype=dtype)


def submit_profile_job(model, device, name=None, options=""):
    iterations = 100
    words = options.split()
    if "--max_profiler_iterations" in words:
        iterations = int(words[words.index("--max_profiler_iterations") + 1])
    return _submit("ProfileJob", model.path, device, options, "fail-profile" in os.path.basename(model.path), iterations=iterations)


def submit_inference_job(model, device, inputs, name=None, options=""):
    return _submit("InferenceJob", model.path, device, options, False, dataset=inputs.dataset_id)


def get_job(job_id):
    rec = _load("jobs", job_id)
    if rec is None:
        shared = os.environ.get("QAI_HUB_STANDIN_SHARED")
        if shared:
            with open(shared) as f:
                entry = json.load(f).get(job_id)
            if entry is not None and entry.get("shared", True):
                rec = {"id": job_id, "kind": "CompileJob", "model": entry["model"], "device": entry["device"], "options": f"--target_runtime {entry['runtime']}",
                       "polls": SLOW, "queue": 0, "fails": entry.get("state", "success") != "success", "cancelled": False,
                       "inputName": entry["inputName"], "shape": entry["shape"], "dtype": entry["dtype"]}
                _save("jobs", job_id, rec)
    if rec is None:
        raise UserError(f"Job {job_id} does not exist or you do not have permission to access it")
    return _job(rec)
