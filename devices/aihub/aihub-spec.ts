/**
 * The device spec of a Qualcomm AI Hub device, as `lpcv agent --device` takes it (docs/aihub.md):
 *
 *   aihub://NAME?device=Samsung%20Galaxy%20S24%20(Family)&runtime=tflite|qnn_context_binary|onnx
 *               [&iterations=100][&compute_unit=all|npu|gpu|cpu][&kind=aihub][&python=python3][&poll_ms=30000]
 *
 * NAME is the device's name on our server (the agent's device-name rule); `device` is AI Hub's own name for
 * the phone or board, percent-encoded (it has spaces and parentheses). Unknown keys are refused, so that a
 * typo such as `iteration=5` fails at start-up instead of profiling with AI Hub's default.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import { DEVICE_NAME, TARGET_KIND } from '../../harness/wire/index.js';

export const AIHUB_RUNTIMES = ['tflite', 'qnn_context_binary', 'onnx'] as const;
export type AihubRuntime = (typeof AIHUB_RUNTIMES)[number];
export const AIHUB_COMPUTE_UNITS = ['all', 'npu', 'gpu', 'cpu'] as const;
export type AihubComputeUnit = (typeof AIHUB_COMPUTE_UNITS)[number];

export interface AihubSpec {
  /** The device's name on our server. */
  readonly name: string;
  /** AI Hub's device name, decoded ("Samsung Galaxy S24 (Family)"). */
  readonly device: string;
  readonly runtime: AihubRuntime;
  /** `--max_profiler_iterations` of each profile job: the latency samples one trial gives. */
  readonly iterations: number;
  /** `--compute_unit` of the profile and inference jobs; absent: AI Hub's default for the runtime. */
  readonly computeUnit?: AihubComputeUnit;
  readonly kind: string;
  /** The Python that has `qai_hub` installed (and configured with `qai-hub configure`). */
  readonly python: string;
  /** How often a waiting AI Hub job's status is asked for, by its own id. */
  readonly pollMs: number;
}

export const AIHUB_DEFAULTS = { iterations: 100, kind: 'aihub', python: 'python3', pollMs: 30_000 } as const;

/** The keys a spec may have, and what each means (printed when a key is unknown). */
export const AIHUB_SPEC_KEYS: Readonly<Record<string, string>> = {
  device: 'AI Hub device name, percent-encoded, e.g. Samsung%20Galaxy%20S24%20(Family) (required)',
  runtime: `${AIHUB_RUNTIMES.join(' | ')}: the compile job's --target_runtime (required)`,
  iterations: `profile iterations per trial (--max_profiler_iterations, default ${AIHUB_DEFAULTS.iterations})`,
  compute_unit: `${AIHUB_COMPUTE_UNITS.join(' | ')}: --compute_unit of the profile and inference jobs (default: AI Hub's)`,
  kind: `target kind the device serves (default ${AIHUB_DEFAULTS.kind})`,
  python: `the Python with qai_hub installed (default ${AIHUB_DEFAULTS.python})`,
  poll_ms: `how often a waiting job's status is read, ms (default ${AIHUB_DEFAULTS.pollMs})`,
};

function oneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

export function parseAihubSpec(spec: string): AihubSpec {
  const bad = (why: string): LpcvError =>
    new LpcvError('LPCV_E_DEVICE_SPEC', `device spec ${JSON.stringify(spec)}: ${why}`, { keys: Object.keys(AIHUB_SPEC_KEYS) });
  if (!spec.startsWith('aihub://')) throw bad('an AI Hub device spec starts with aihub://');
  const rest = spec.slice('aihub://'.length);
  const q = rest.indexOf('?');
  const name = q < 0 ? rest : rest.slice(0, q);
  if (!DEVICE_NAME.test(name)) throw bad(`name ${JSON.stringify(name)}: expected 1-100 letters, digits, . _ : - (starting with a letter or digit)`);
  const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!Object.hasOwn(AIHUB_SPEC_KEYS, key)) throw bad(`unknown key ${JSON.stringify(key)} (known: ${Object.keys(AIHUB_SPEC_KEYS).join(', ')})`);
    if (seen.has(key)) throw bad(`${key} is given twice`);
    seen.add(key);
  }
  const device = params.get('device')?.trim() ?? '';
  if (device === '') throw bad('device= is required: the AI Hub device name, e.g. device=Samsung%20Galaxy%20S24%20(Family)');
  const runtime = params.get('runtime') ?? '';
  if (!oneOf(runtime, AIHUB_RUNTIMES)) throw bad(`runtime=${JSON.stringify(runtime)}: expected ${AIHUB_RUNTIMES.join(', ')}`);
  const whole = (key: string, fallback: number, max: number): number => {
    const v = params.get(key);
    if (v === null) return fallback;
    if (!/^[1-9][0-9]{0,8}$/.test(v) || Number(v) > max) throw bad(`${key}=${JSON.stringify(v)}: expected a whole number from 1 to ${max}`);
    return Number(v);
  };
  const computeUnit = params.get('compute_unit');
  if (computeUnit !== null && !oneOf(computeUnit, AIHUB_COMPUTE_UNITS))
    throw bad(`compute_unit=${JSON.stringify(computeUnit)}: expected ${AIHUB_COMPUTE_UNITS.join(', ')}`);
  const kind = params.get('kind') ?? AIHUB_DEFAULTS.kind;
  if (!TARGET_KIND.test(kind)) throw bad(`kind=${JSON.stringify(kind)}: lower-case letters, digits and dashes`);
  const python = params.get('python') ?? AIHUB_DEFAULTS.python;
  if (python === '' || python.includes('\0')) throw bad('python= is empty');
  return Object.freeze({
    name,
    device,
    runtime,
    // AI Hub profiles at most 100 iterations unless told otherwise; 10,000 keeps a typo from booking hours of a phone.
    iterations: whole('iterations', AIHUB_DEFAULTS.iterations, 10_000),
    ...(computeUnit !== null ? { computeUnit } : {}),
    kind,
    python,
    pollMs: whole('poll_ms', AIHUB_DEFAULTS.pollMs, 3_600_000),
  });
}
