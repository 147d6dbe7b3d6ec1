/**
 * The target plugin interface: one device the agent runs jobs on (the desktop's CPU, a solution package in
 * a sandbox, an SSH board, an Android phone). Every driver implements it and runs the shared contract
 * suite (devices/targets/testing/target.contract.ts). A target never sees labels: it gets the input pack only.
 */
import type { InputSet } from '../../harness/datasets/types.js';
import type { Measurement } from '../../harness/measurement.js';
import type { EnergyRecord, TargetInfo } from '../../harness/result-record.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { AgentTrack, RunLogs } from '../../harness/wire/index.js';
import type { PowerSample } from '../power/power-sampler.js';

/** How far a running job is (the heartbeat carries it to the server's status page). */
export interface TargetProgress {
  readonly phase: string;
  /** 0..1 */
  readonly fraction: number;
  readonly done?: number;
  readonly total?: number;
}

/** Lines for the agent's log, already scoped to the job and device by the caller. */
export type TargetLog = (line: string) => void;

/** One job as a target runs it: everything downloaded, verified and opened by the agent. */
export interface TargetJob {
  readonly jobId: number;
  /** The leased track: no data set (labels stay on the server), no baselines, no server paths. */
  readonly track: AgentTrack;
  readonly split: string;
  readonly artifact: { readonly file: string; readonly sha256: string; readonly bytes: number; readonly format: ModelFormat };
  /** The split's inputs (no labels): the agent's opened input pack, which it also closes. */
  readonly inputs: InputSet;
  /** The track's adversarial sets of this split, by robustness split name (`test~<set>`), when the server sent them. */
  readonly adversarialInputs?: Readonly<Record<string, InputSet>>;
  /**
   * The track's reference model (`protocol.reference`), downloaded and verified like the artifact: a target
   * that can pair times it beside the submission in every trial (docs/protocol.md); others say so in the record.
   */
  readonly reference?: { readonly name: string; readonly file: string; readonly sha256: string };
  /** Set: the track's robustness splits are not run; the record lists each as skipped with this reason (`lpcv score --no-robustness`). */
  readonly skipRobustness?: string;
  /** Aborted when the job is abandoned (lease lost, agent stopped past its grace): stop at once, kill children. */
  readonly signal: AbortSignal;
  readonly log: TargetLog;
  readonly onProgress: (p: TargetProgress) => void;
  /** A scratch folder of the agent's, empty, removed after the job. */
  readonly workDir: string;
}

/** What a run produced, before any label is looked at. */
export interface TargetRun {
  readonly measurement: Measurement;
  readonly target: TargetInfo;
  /** A measured number or null, never an invented figure (docs/power.md); when null, energyNote says why. */
  readonly energy: EnergyRecord | null;
  readonly energyNote?: string;
  /** The power samples the energy was integrated from (ms on the sampler's clock, watts). */
  readonly power?: readonly PowerSample[];
  /**
   * The tails of the participant's code's stdout and stderr (packages, board commands): shown on the status
   * page. A failed run carries them in its error instead (run-logs.ts, withRunLogs).
   */
  readonly logs?: RunLogs;
}

/**
 * What of the measurement protocol (docs/protocol.md) a target can apply, stated in its capabilities so that the
 * server and an organizer see it before any job runs; each record's `validity` says what applied to that run.
 */
export interface ProtocolCapabilities {
  /** Trials in fresh processes with fresh sessions (a batch package, a board's command, a phone's benchmark_model run once). */
  readonly freshProcessTrials: boolean;
  /** The track's reference model timed in the same process as the submission, interleaved. */
  readonly referencePairing: boolean;
  /** What the environment guards read around a run: the host's /proc and /sys, the board's, the phone's, or nothing. */
  readonly environment: 'host' | 'board' | 'phone' | 'none';
}

export interface Target {
  /** The device's name as registered with the server (unique within the agent). */
  readonly name: string;
  /** The target kind it serves: jobs are leased for the kinds a device declares (track.target.kind). */
  readonly kind: string;
  /** Artifact formats it runs. */
  readonly formats: readonly ModelFormat[];
  /** What the server is told at registration (runtime, formats, driver settings without secrets). */
  capabilities(): Record<string, unknown>;
  /**
   * Checks that the device is there and usable (the board answers over SSH, the phone is online, the
   * sandbox tool exists) and describes it. Throws an infrastructure LpcvError when it is not.
   */
  probe(signal?: AbortSignal): Promise<TargetInfo>;
  /**
   * Runs a job under the track's protocol. Throws LpcvError: the submission's fault (it crashed, timed
   * out, broke the sandbox, wrote bad outputs) or the infrastructure's (device gone, copy failed).
   */
  run(job: TargetJob): Promise<TargetRun>;
  /** Releases connections and children (optional). */
  close?(): Promise<void>;
}
