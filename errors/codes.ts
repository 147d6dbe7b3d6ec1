/**
 * The one registry of coded errors. Every error the harness raises on purpose carries one of these codes.
 * `fault` tells who is to blame: the submission (counts against a team's quota), the infrastructure
 * (retried, never counted), or the caller (bad command line, bad track file, bad input file).
 * `exit` is the CLI's exit code; `http` the status at the HTTP edge. docs/errors.md documents every code
 * (a test checks that).
 */
export type Fault = 'submission' | 'infrastructure' | 'usage';

export interface ErrorSpec {
  readonly exit: number;
  readonly http: number;
  readonly fault: Fault;
  readonly summary: string;
}

/** Exit codes of the `lpcv` command (documented in docs/errors.md). */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  track: 3,
  dataset: 4,
  model: 5,
  run: 6,
  predictions: 7,
} as const;

export const ERROR_CODES = {
  LPCV_E_USAGE: { exit: EXIT.usage, http: 400, fault: 'usage', summary: 'bad command-line arguments' },
  LPCV_E_FILE_NOT_FOUND: { exit: EXIT.usage, http: 404, fault: 'usage', summary: 'a file named on the command line does not exist' },

  LPCV_E_TRACK_UNKNOWN: { exit: EXIT.track, http: 404, fault: 'usage', summary: 'no track with that name or file' },
  LPCV_E_TRACK_INVALID: { exit: EXIT.track, http: 500, fault: 'usage', summary: 'a track file fails its schema' },
  LPCV_E_SPLIT_UNKNOWN: { exit: EXIT.track, http: 400, fault: 'usage', summary: 'the track has no such split' },
  LPCV_E_FORMULA_UNKNOWN: { exit: EXIT.track, http: 500, fault: 'usage', summary: 'no score formula with that name and version' },
  LPCV_E_FORMULA_INPUT: { exit: EXIT.track, http: 500, fault: 'usage', summary: 'a score formula lacks an input or a parameter' },

  LPCV_E_DATASET_MISSING: { exit: EXIT.dataset, http: 500, fault: 'infrastructure', summary: 'a data set file named by the track is missing' },
  LPCV_E_DATASET_CORRUPT: { exit: EXIT.dataset, http: 500, fault: 'infrastructure', summary: 'a data set file cannot be read' },
  LPCV_E_INPUT_PACK_INVALID: {
    exit: EXIT.dataset,
    http: 500,
    fault: 'infrastructure',
    summary: 'a file is not a valid input pack: bad magic, unknown version, truncated, or a header that does not fit the file',
  },
  LPCV_E_INPUT_PACK_HASH: {
    exit: EXIT.dataset,
    http: 500,
    fault: 'infrastructure',
    summary: "an input pack's sha256 differs from the expected one: the download is corrupt; fetch it again",
  },

  LPCV_E_MODEL_FORMAT: { exit: EXIT.model, http: 415, fault: 'submission', summary: 'the file is not a model in a format the track accepts' },
  LPCV_E_MODEL_NOT_ONNX: { exit: EXIT.model, http: 415, fault: 'submission', summary: 'the file is not an ONNX model' },
  LPCV_E_MODEL_TRUNCATED: { exit: EXIT.model, http: 422, fault: 'submission', summary: 'the ONNX file ends early' },
  LPCV_E_MODEL_TOO_LARGE: { exit: EXIT.model, http: 413, fault: 'submission', summary: 'the model is larger than the track allows' },
  LPCV_E_PACKAGE_INVALID: {
    exit: EXIT.model,
    http: 422,
    fault: 'submission',
    summary:
      'a solution package that cannot be accepted as it is: not a whole plain zip, unsafe or repeated entry names, a zip bomb, too many entries, encryption, or no __main__.py',
  },
  LPCV_E_MODEL_TOO_COMPLEX: {
    exit: EXIT.model,
    http: 422,
    fault: 'submission',
    summary:
      "the model is over the intake check's limits: too many nodes, subgraphs nested too deep, or more time or memory to check than the server gives one file",
  },
  LPCV_E_MODEL_EMPTY: { exit: EXIT.model, http: 422, fault: 'submission', summary: 'the model file is empty' },
  LPCV_E_MODEL_INPUT_COUNT: { exit: EXIT.model, http: 422, fault: 'submission', summary: 'the model does not have exactly one input' },
  LPCV_E_MODEL_INPUT_SHAPE: { exit: EXIT.model, http: 422, fault: 'submission', summary: "the model's input shape differs from the track's" },
  LPCV_E_MODEL_INPUT_DTYPE: { exit: EXIT.model, http: 422, fault: 'submission', summary: "the model's input type differs from the track's" },
  LPCV_E_MODEL_OUTPUT_SHAPE: {
    exit: EXIT.model,
    http: 422,
    fault: 'submission',
    summary: "the model's output shape does not fit the task (e.g. wrong number of classes)",
  },
  LPCV_E_MODEL_OUTPUT_DTYPE: { exit: EXIT.model, http: 422, fault: 'submission', summary: "the model's output type is not a float tensor" },
  LPCV_E_MODEL_LOAD: { exit: EXIT.model, http: 422, fault: 'submission', summary: 'the runtime refused to load the model' },

  LPCV_E_MODEL_CRASHED: { exit: EXIT.run, http: 422, fault: 'submission', summary: 'the model crashed the inference process' },
  LPCV_E_MODEL_DETECTIONS: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary:
      "a detection model's outputs break the track's rules: a box outside the image or with x2 < x1, more boxes than the track's maximum, a class the track does not have",
  },
  LPCV_E_MODEL_MEMORY: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: "the inference process's resident memory went over the track's limits.memoryMb and it was killed",
  },
  LPCV_E_MODEL_TIMEOUT: { exit: EXIT.run, http: 422, fault: 'submission', summary: 'the run exceeded the time limit and was killed' },
  LPCV_E_MODEL_OUTPUT_NAN: { exit: EXIT.run, http: 422, fault: 'submission', summary: 'the model produced NaN or infinite outputs' },
  LPCV_E_MODEL_RUNTIME: { exit: EXIT.run, http: 422, fault: 'submission', summary: 'the runtime raised an error while running the model' },
  LPCV_E_RUN_CANCELLED: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the run was cancelled (lease lost or agent stopping) and its inference process killed',
  },
  LPCV_E_WORKER_FAILED: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the inference process could not be started, or was stopped from outside (SIGTERM, SIGINT, SIGHUP): the job is given back',
  },

  LPCV_E_PRED_MALFORMED: { exit: EXIT.predictions, http: 422, fault: 'submission', summary: 'a predictions file is malformed' },
  LPCV_E_PRED_MISMATCH: {
    exit: EXIT.predictions,
    http: 422,
    fault: 'submission',
    summary: 'predictions do not match the ground truth (missing or unknown ids, wrong sizes)',
  },
  LPCV_E_GT_MALFORMED: { exit: EXIT.predictions, http: 500, fault: 'usage', summary: 'a ground-truth file is malformed' },

  LPCV_E_LEASE_LOST: {
    exit: EXIT.run,
    http: 409,
    fault: 'infrastructure',
    summary: 'the job lease is no longer held: wrong or stale token, job finished, or the lease expired and was reclaimed',
  },
  LPCV_E_LEASE_EXPIRED: {
    exit: EXIT.run,
    http: 504,
    fault: 'infrastructure',
    summary: "the agent stopped heartbeating and the job's lease expired; the job was requeued (or is dead after its last attempt)",
  },

  LPCV_E_NAME_INVALID: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'a team or agent name is empty, too long or has characters other than letters, digits, - _ . and single inner spaces',
  },
  LPCV_E_NAME_TAKEN: { exit: EXIT.usage, http: 409, fault: 'usage', summary: 'a team or agent with that name (in any letter case) already exists' },
  LPCV_E_DATABASE_UNAVAILABLE: {
    exit: EXIT.internal,
    http: 503,
    fault: 'infrastructure',
    summary: "the server's database cannot be opened: unreachable, login refused, or a migration failed",
  },

  LPCV_E_ARTIFACT_HASH: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'an artifact hash is not 64 lowercase hex digits (a sha256); it is never used as a path',
  },
  LPCV_E_ARTIFACT_MISSING: { exit: EXIT.internal, http: 404, fault: 'infrastructure', summary: 'no stored artifact has that sha256' },
  LPCV_E_ARTIFACT_CORRUPT: {
    exit: EXIT.internal,
    http: 500,
    fault: 'infrastructure',
    summary: "a stored artifact's bytes no longer hash to its name (disk fault or tampering)",
  },

  LPCV_E_UNAUTHORIZED: {
    exit: EXIT.usage,
    http: 401,
    fault: 'usage',
    summary: 'the request has no bearer token, or one that is unknown, revoked, expired or of the wrong kind for this route',
  },
  LPCV_E_BAD_REQUEST: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'the request body is malformed: invalid JSON, a broken multipart form, or the wrong content type',
  },
  LPCV_E_BODY_TOO_LARGE: { exit: EXIT.usage, http: 413, fault: 'usage', summary: 'a JSON request body is larger than the server accepts' },
  LPCV_E_FORM_FIELD: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'a form field is missing, unknown, repeated or too long, or the form has more than one file',
  },
  LPCV_E_FORM_ORDER: { exit: EXIT.usage, http: 400, fault: 'usage', summary: 'the file part came before the track field: send track (and description) first' },
  LPCV_E_SUBMISSION_UNKNOWN: { exit: EXIT.usage, http: 404, fault: 'usage', summary: 'no submission with that id belongs to this team' },
  LPCV_E_ROUTE_UNKNOWN: { exit: EXIT.usage, http: 404, fault: 'usage', summary: 'no API route with that method and path' },
  LPCV_E_RATE_LIMITED: {
    exit: EXIT.usage,
    http: 429,
    fault: 'usage',
    summary: 'the team had too many uploads refused in a short time; the message and Retry-After say when it may upload again',
  },
  LPCV_E_SERVER_BUSY: {
    exit: EXIT.internal,
    http: 503,
    fault: 'infrastructure',
    summary: 'the server is checking as many uploads as it queues; nothing was stored or counted: send it again after Retry-After',
  },
  LPCV_E_QUOTA_EXCEEDED: {
    exit: EXIT.usage,
    http: 429,
    fault: 'usage',
    summary: 'the team has used its daily submissions on this track (failures of the infrastructure do not count); the message says when the quota resets',
  },
  LPCV_E_QUOTA_TOTAL_EXCEEDED: {
    exit: EXIT.usage,
    http: 429,
    fault: 'usage',
    summary: 'the team has used all the submissions the phase allows on this track (a total: it does not reset; failures of the infrastructure do not count)',
  },
  LPCV_E_QUOTA_FAILED_EXCEEDED: {
    exit: EXIT.usage,
    http: 429,
    fault: 'usage',
    summary:
      "the team has as many failed submissions on this track as the phase allows (failures of the submission's fault only; the infrastructure's never count)",
  },
  LPCV_E_PHASE_CLOSED: {
    exit: EXIT.usage,
    http: 403,
    fault: 'usage',
    summary: 'no phase of the competition is open on this track now: the message says when the next one opens, or when the last one closed',
  },
  LPCV_E_COMPETITION_CONFIG: {
    exit: EXIT.track,
    http: 400,
    fault: 'usage',
    summary: 'a competition bundle is invalid: the message names the file, the key and what was expected',
  },
  LPCV_E_COMPETITION_STARTED: {
    exit: EXIT.usage,
    http: 409,
    fault: 'usage',
    summary: 'applying the bundle would change or remove a phase that has started: check the change, then apply it with --force (it is audited)',
  },
  LPCV_E_PASSWORD_WEAK: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'the password is too short or too long (10 to 200 characters)',
  },
  LPCV_E_EMAIL_INVALID: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'not an e-mail address, or one whose domain the competition does not allow',
  },
  LPCV_E_EMAIL_TAKEN: {
    exit: EXIT.usage,
    http: 409,
    fault: 'usage',
    summary: 'an account with that e-mail address (in any letter case) already exists',
  },
  LPCV_E_EMAIL_UNVERIFIED: {
    exit: EXIT.usage,
    http: 403,
    fault: 'usage',
    summary: "the account's e-mail address is not verified yet: follow the link the server sent",
  },
  LPCV_E_SIGN_IN_FAILED: {
    exit: EXIT.usage,
    http: 401,
    fault: 'usage',
    summary: 'the e-mail address or the password is wrong, or the account is disabled (one message whatever the reason)',
  },
  LPCV_E_LINK_INVALID: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'the e-mailed link is unknown, already used or expired: ask for a new one',
  },
  LPCV_E_REGISTRATION_CLOSED: {
    exit: EXIT.usage,
    http: 403,
    fault: 'usage',
    summary: 'the competition does not take new accounts or teams now',
  },
  LPCV_E_TEAM_PENDING: {
    exit: EXIT.usage,
    http: 403,
    fault: 'usage',
    summary: 'the team waits for an organizer\'s approval (registration "approval"), or an organizer disabled it',
  },
  LPCV_E_TEAM_MEMBERSHIP: {
    exit: EXIT.usage,
    http: 409,
    fault: 'usage',
    summary: "the change does not fit the account's team: already in a team, not in one, not its captain, or the captain leaving members behind",
  },
  LPCV_E_ENTRY_SELECTION: {
    exit: EXIT.usage,
    http: 409,
    fault: 'usage',
    summary: 'the track takes no selected entry now: its leaderboard\'s entry rule is not "selected", or its hidden results are revealed',
  },
  LPCV_E_AGENT_REQUEST: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: "an agent API request's JSON body or path parameter is invalid (the message names the key)",
  },
  LPCV_E_DEVICE_UNKNOWN: { exit: EXIT.usage, http: 404, fault: 'usage', summary: 'no device with that id belongs to this agent' },

  LPCV_E_FORBIDDEN: {
    exit: EXIT.usage,
    http: 403,
    fault: 'usage',
    summary: 'the token is valid but not allowed here: the route or page is for admins, or for the team that owns the submission',
  },
  LPCV_E_CSRF: {
    exit: EXIT.usage,
    http: 403,
    fault: 'usage',
    summary: "a web form came without this browser's form token, or from another site: reload the page and send it again",
  },
  LPCV_E_SERVER_UNREACHABLE: {
    exit: EXIT.internal,
    http: 503,
    fault: 'infrastructure',
    summary: 'the competition server cannot be reached (connection refused, DNS, timeout); the command did nothing',
  },
  LPCV_E_SERVER_RESPONSE: {
    exit: EXIT.internal,
    http: 502,
    fault: 'infrastructure',
    summary: 'the competition server answered something that is not its API (not JSON, or without an error code)',
  },

  // --- device agent and targets (issue 4): add codes below this line ---
  LPCV_E_TARGET_FORMAT: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "a device was leased a job in a format its driver does not run (the track's target kind and the device's formats disagree)",
  },
  LPCV_E_DEVICE_SPEC: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'a --device spec or an agent config file is malformed: unknown driver, unknown or bad setting (the message names it)',
  },

  // --- solution-package sandbox (issue 4): add codes below this line ---
  LPCV_E_SOLUTION_EXIT: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: 'the solution package exited with a non-zero status or was killed by a signal (the message gives its last stderr line)',
  },
  LPCV_E_OUTPUT_TOO_LARGE: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary:
      'a solution package wrote more than its output folder may hold (bytes in all, one file, or entries), or a predictions file larger than the harness reads',
  },
  LPCV_E_SOLUTION_NO_OUTPUT: {
    exit: EXIT.predictions,
    http: 422,
    fault: 'submission',
    summary: 'the solution package exited but left no predictions in its output folder (no predictions file, or no label map at all)',
  },
  LPCV_E_SANDBOX_NETWORK: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: 'the solution package tried to use the network (the sandbox has none): it was stopped',
  },
  LPCV_E_SANDBOX_WRITE: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: 'the solution package tried to write outside its output folder (read-only there) and failed because of it',
  },
  LPCV_E_SANDBOX_LABELS: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: "the solution package tried to open one of the track's label files (never inside the sandbox) and failed because of it",
  },
  LPCV_E_SANDBOX_PROCESSES: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: "the solution package reached the sandbox's process limit (a fork bomb or too many threads): it was stopped",
  },
  LPCV_E_SANDBOX_MEMORY: { exit: EXIT.run, http: 422, fault: 'submission', summary: "the solution package ran out of the sandbox's memory limit" },
  LPCV_E_SANDBOX_SUPERVISOR: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: "the solution package killed or silenced the sandbox's supervisor process, so the run cannot be vouched for",
  },
  LPCV_E_SANDBOX_UNAVAILABLE: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary:
      'the bubblewrap sandbox cannot be set up on this host (bwrap or setpriv missing, user namespaces refused, a bind failed), or did not end when killed',
  },

  // --- SSH boards (issue 4): add codes below this line ---
  LPCV_E_SSH_SPEC: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'an ssh:// device spec is malformed: an unknown key, a password, a missing key= or kind=, or a bad value (the message names it)',
  },
  LPCV_E_SSH_UNREACHABLE: {
    exit: EXIT.run,
    http: 503,
    fault: 'infrastructure',
    summary: 'the SSH board cannot be reached: connection refused, timed out, no route, unknown host, or the connection dropped',
  },
  LPCV_E_SSH_AUTH: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary:
      "the SSH board refused the agent's key (Permission denied): the public key is not in the board user's authorized_keys, or the key file is unreadable",
  },
  LPCV_E_SSH_HOST_KEY: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "the SSH board's host key is not the one in known_hosts (unknown or changed): nothing was sent to it",
  },
  LPCV_E_SSH_COPY: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'copying the submission and inputs to the SSH board, or the outputs back, failed',
  },
  LPCV_E_SSH_REMOTE: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'a harness step on the SSH board failed: its work folder, the page-cache drop, the network lock, the power loop, or the clock',
  },
  LPCV_E_SSH_CONFIG: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the track asks for something this SSH board is not set up for (a network lock without lock_cmd/unlock_cmd)',
  },
  LPCV_E_BOARD_COMMAND_FAILED: {
    exit: EXIT.run,
    http: 422,
    fault: 'submission',
    summary: "the track's on-board command exited with a non-zero status or was killed by a signal on the SSH board",
  },
  LPCV_E_BOARD_OUTPUT_TOO_LARGE: {
    exit: EXIT.predictions,
    http: 422,
    fault: 'submission',
    summary: "the on-board command left more in its output folder than the SSH board copies back (the device's maxOutputBytes, 1 GiB by default)",
  },

  // --- Android phones (issue 4): add codes below this line ---
  LPCV_E_ANDROID_SPEC: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary:
      'an adb:// device spec is malformed: no serial, an unknown key, a bad cores list or threads value, or a relative path (a bad power= is LPCV_E_POWER_SPEC)',
  },
  LPCV_E_ADB_MISSING: { exit: EXIT.run, http: 500, fault: 'infrastructure', summary: 'the adb executable is not installed or not at the configured path' },
  LPCV_E_ADB_FAILED: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "an adb command failed (push, pull or shell could not run, or timed out); the message has adb's own words",
  },
  LPCV_E_ANDROID_DEVICE_NOT_FOUND: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'adb does not see a phone with that serial (unplugged, or another serial)',
  },
  LPCV_E_ANDROID_DEVICE_OFFLINE: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the phone is attached but offline to adb (booting, or the USB link dropped)',
  },
  LPCV_E_ANDROID_DEVICE_UNAUTHORIZED: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "the phone has not accepted this host's adb key: confirm the USB debugging prompt on the phone",
  },
  LPCV_E_ANDROID_TOOL_MISSING: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'benchmark_model or the accuracy runner is not on the phone at the configured path, or not executable',
  },
  LPCV_E_ANDROID_STATE: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "the phone's battery or thermal state cannot be read or parsed (dumpsys battery, dumpsys thermalservice, /sys/class/thermal)",
  },
  LPCV_E_ANDROID_CHARGING: {
    exit: EXIT.run,
    http: 503,
    fault: 'infrastructure',
    summary: 'the track refuses to measure a charging phone and this one is charging (or its battery state is overridden); the job goes back to the queue',
  },
  LPCV_E_ANDROID_HOT: {
    exit: EXIT.run,
    http: 503,
    fault: 'infrastructure',
    summary: "the phone's thermal status or battery temperature is above the track's limit; the job goes back to the queue",
  },
  LPCV_E_ANDROID_BENCHMARK_OUTPUT: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "benchmark_model's output has no parsable timing summary (not the real tool's format, or cut short)",
  },
  LPCV_E_ANDROID_RUNNER_FAILED: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the on-device accuracy runner failed for a reason other than the model, or wrote no or unreadable predictions',
  },
  LPCV_E_ENVIRONMENT_DISTURBED: {
    exit: EXIT.run,
    http: 503,
    fault: 'infrastructure',
    summary:
      "every attempt of a trial broke the track's environment guards (other processes busy on the run's cores, a temperature over the limit, a frequency drop); the job goes back to the queue",
  },

  // --- power samplers (issue 4): add codes below this line ---
  LPCV_E_POWER_SAMPLES: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'power samples are unusable: not finite, negative, or not covering the measured window',
  },
  LPCV_E_POWER_SPEC: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary:
      "a device's power= setting is not in the power grammar (none, rapl[:zone], hwmon[:rails], pynq[:rails], ina3221[:path or rail], nvidia-smi[:gpu], scpi://host:port, battery[:folder]) or is a source its driver does not take (the message says which it takes)",
  },
  LPCV_E_POWER_NO_SENSOR: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the power source named for the device is not there (no such sysfs files, rail, executable or shell): energy is null',
  },
  LPCV_E_POWER_READ: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'reading the power sensor failed during the run (file gone, tool exited, shell failed, meter disconnected)',
  },
  LPCV_E_POWER_VALUE: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: 'the power sensor gave something that is not a reading: [N/A], NAN, INF (overrange), negative or unparsable',
  },
  LPCV_E_POWER_TIMEOUT: { exit: EXIT.run, http: 504, fault: 'infrastructure', summary: 'the power meter or tool stopped answering within its timeout' },
  LPCV_E_POWER_STATE: {
    exit: EXIT.internal,
    http: 500,
    fault: 'infrastructure',
    summary: 'a power sampler was stopped without being started, or started twice',
  },
  LPCV_E_POWER_CHARGING: {
    exit: EXIT.run,
    http: 500,
    fault: 'infrastructure',
    summary: "the phone's battery is charging (or was charged during the run), so its current is not the device's draw",
  },

  // --- device health (issue 4): add codes below this line ---
  LPCV_E_DEVICE_BUSY: {
    exit: EXIT.usage,
    http: 409,
    fault: 'usage',
    summary:
      "the device already holds a job's lease: one job per device at a time; finish (complete or fail) that job first, or wait until its lease is reclaimed",
  },
  LPCV_E_DEVICE_ID_UNKNOWN: { exit: EXIT.usage, http: 404, fault: 'usage', summary: 'no registered device has that id (the admin device routes)' },

  // --- formula catalog (issue 5): add codes below this line ---
  LPCV_E_MEASURE_UNKNOWN: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'a measure name given to a formula (lpcv formula --set, an expression) is not one the harness knows',
  },
  LPCV_E_MEASURE_UNIT: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'a measure value has an unknown unit, a unit of the wrong kind (energy=5ms), or no unit where one is required (energy, time, power)',
  },
  LPCV_E_MEASURE_VALUE: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'a measure value is not a finite number, is negative, or is out of range (an accuracy above 1 without %)',
  },
  LPCV_E_MEASURE_MISSING: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary: 'lpcv formula was not given a measure the formula needs (the message names it and the --set to add)',
  },
  LPCV_E_EXPRESSION_INVALID: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary:
      "an expression formula's text does not parse: bad syntax, an unknown measure or function, wrong arity, too deep or too long (the message names the column)",
  },

  // --- ranking and re-scoring (issue 5): add codes below this line ---
  LPCV_E_RESCORE_FORMULA: {
    exit: EXIT.usage,
    http: 400,
    fault: 'usage',
    summary:
      "a re-score's formula or parameters are not usable: a malformed name@version, no such registered formula or version, a parameter the formula does not take, or a value of the wrong type",
  },
  LPCV_E_RESCORE_FAILED: {
    exit: EXIT.run,
    http: 409,
    fault: 'infrastructure',
    summary:
      'some stored results of the track could not be re-scored (no raw measurement stored, a raw measurement that no longer parses, labels that do not fit): nothing was changed',
  },

  // --- robustness splits (issue 5): add codes below this line ---
  LPCV_E_ADVERSARIAL_SET: {
    exit: EXIT.dataset,
    http: 500,
    fault: 'infrastructure',
    summary: 'an adversarial set does not match its clean split (an id missing, another image size)',
  },

  // --- AI Hub compile job submissions (issue 15, intake): add codes below this line ---
  LPCV_E_AIHUB_UNAVAILABLE: {
    exit: EXIT.run,
    http: 503,
    fault: 'infrastructure',
    summary:
      "Qualcomm AI Hub or the agent's helper for it failed: an InternalError, a network failure, a quota refusal, a queue wait past the track's limit, an answer out of shape; retried, never counted",
  },
  LPCV_E_AIHUB_CLIENT_MISSING: {
    exit: EXIT.run,
    http: 503,
    fault: 'infrastructure',
    summary: "the agent's Python cannot import Qualcomm's qai_hub client: pip install qai-hub, then qai-hub configure (the aihub:// device is skipped)",
  },
  LPCV_E_AIHUB_JOB_INVALID: {
    exit: EXIT.model,
    http: 422,
    fault: 'submission',
    summary:
      'the submitted AI Hub compile job cannot be used: not shared with the organizers, not succeeded, or made for another device, runtime or input shape',
  },
  LPCV_E_AIHUB_JOB_ID: {
    exit: EXIT.model,
    http: 422,
    fault: 'submission',
    summary:
      'an AI Hub compile job id is not "j" and 8 lower-case letters or digits, or a file meant as an AI Hub compile job reference is not exactly {"kind":"aihub-compile-job","jobId":"<id>"}',
  },

  LPCV_E_INTERNAL: { exit: EXIT.internal, http: 500, fault: 'infrastructure', summary: 'a bug in the harness; please report it' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Whether `code` is one of the registry's codes (for codes that crossed a process or thread boundary as text). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
