/**
 * `lpcv evaluate` against pycocotools (not a test): the whole process of scoring one COCO detection case, ours
 * (`node bin/lpcv.js evaluate --task detection --gt gt.json --pred dt.json --json`, from dist/) against
 * pycocotools' (`python3 -c ...`: start, load the ground truth and the detections, COCOeval evaluate, accumulate,
 * summarize), with `node -e 0` as the floor. Target (issue 16): ours <= 0.5x pycocotools' at 300 images.
 *
 * The case is generated here, deterministically (seeded): N images with COCO-like box counts, sizes and 80
 * categories, a few crowd boxes; detections that find most boxes with jitter, some with the wrong class, some
 * duplicates, and false positives. Both sides must report the same mAP@[.5:.95] first (a difference is printed,
 * and the run goes on: it is a finding, not a reason to skip the timing). Then interleaved rounds: each round
 * runs every command once, so a machine whose speed drifts moves all of them alike. Wall time from spawn to
 * exit; the ratio printed is ours / pycocotools' medians, and also the median of the per-round ratios, the ratio
 * above the `node -e 0` floor and the ratio of CPU times (which another process's load moves less than wall time).
 *
 * pycocotools is not a dependency of this project; build it outside the repository, for this bench only:
 *   mkdir -p /tmp/cocoapi && git --git-dir=<a clone of github.com/cocodataset/cocoapi> archive HEAD PythonAPI common \
 *     | tar -x -C /tmp/cocoapi
 *   apt-get install -y --no-install-recommends cython3 python3-numpy python3-dev
 *   sed -i 's/dtype=np\.float)/dtype=float)/' /tmp/cocoapi/PythonAPI/pycocotools/cocoeval.py   # NumPy >= 1.24
 *   cd /tmp/cocoapi/PythonAPI && /usr/bin/python3 setup.py build_ext --inplace
 * matplotlib (which pycocotools/coco.py imports at the top, for drawing only) is replaced by empty modules in the
 * Python script, so pycocotools' side pays no matplotlib import: that favours pycocotools.
 *
 *   npm run build && node bin/run-ts.js bench/evaluate-vs-pycocotools.ts --pycocotools /tmp/cocoapi/PythonAPI \
 *     [--images 300] [--rounds 7] [--python /usr/bin/python3] [--case-dir <dir>]
 * With --images above 300, the 300-image case runs first and then the larger one (e.g. --images 5000).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../scoring/mulberry32.js';
import { optionInt, optionText } from './bench-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/lpcv.js', import.meta.url));
const rounds = optionInt('rounds', 7);
const images = optionInt('images', 300);
const python = optionText('python', '/usr/bin/python3');
const pycocotools = optionText('pycocotools', '');
const caseDir = optionText('case-dir', ''); // keep the generated files there (e.g. to profile one side) instead of a removed temp dir
if (!pycocotools || !existsSync(path.join(pycocotools, 'pycocotools', 'cocoeval.py'))) {
  console.error('--pycocotools <dir>: the PythonAPI folder of a built cocoapi (see the header of this file for how to build it)');
  process.exit(2);
}

// ---- the case ----

/** COCO's 80 category ids (1..90 with gaps), so that ids are not simply positions. */
const CATEGORY_IDS = [...Array(90).keys()].map((i) => i + 1).filter((id) => ![12, 26, 29, 30, 45, 66, 68, 69, 71, 83].includes(id));

interface CocoCase {
  gt: object;
  detections: object[];
  boxes: number;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

function generateCase(n: number, seed: number): CocoCase {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const imgs: object[] = [];
  const annotations: object[] = [];
  const detections: object[] = [];
  // A box inside a W x H image, its side drawn log-uniformly so that small (< 32^2), medium and large all occur.
  const box = (W: number, H: number): number[] => {
    const w = Math.min(W - 1, Math.exp(Math.log(6) + rand() * Math.log(W / 6)));
    const h = Math.min(H - 1, w * Math.exp((rand() - 0.5) * 1.2));
    return [round2(rand() * (W - w)), round2(rand() * (H - h)), round2(w), round2(h)];
  };
  // Scores with 4 decimals, as results files usually hold them: ties occur, and both sides must break them alike.
  const score = (lo: number, hi: number): number => Math.round((lo + rand() * (hi - lo)) * 1e4) / 1e4;
  for (let i = 0; i < n; i++) {
    const id = 100000 + i * 7; // sparse ids, like COCO's
    const [W, H] = rand() < 0.7 ? [640, int(360, 480)] : [int(360, 480), 640];
    imgs.push({ id, width: W, height: H, file_name: `${String(id).padStart(12, '0')}.jpg` });
    const count = Math.min(40, Math.floor(-Math.log(1 - rand()) * 7.3)); // COCO averages about 7.3 boxes per image
    const cats = [pick(CATEGORY_IDS), pick(CATEGORY_IDS), pick(CATEGORY_IDS)]; // an image holds few classes
    for (let k = 0; k < count; k++) {
      const b = box(W, H);
      const cat = pick(cats);
      const iscrowd = rand() < 0.01 ? 1 : 0;
      annotations.push({ id: annotations.length + 1, image_id: id, category_id: cat, bbox: b, area: round2(b[2]! * b[3]!), iscrowd });
      if (rand() < 0.8) {
        // Found: the box moved and resized by up to ~15% of its size; now and then the wrong class.
        const j = (s: number): number => (rand() - 0.5) * 0.3 * s;
        const d = [round2(b[0]! + j(b[2]!)), round2(b[1]! + j(b[3]!)), round2(Math.max(1, b[2]! + j(b[2]!))), round2(Math.max(1, b[3]! + j(b[3]!)))];
        detections.push({ image_id: id, category_id: rand() < 0.1 ? pick(CATEGORY_IDS) : cat, bbox: d, score: score(0.3, 1) });
        if (rand() < 0.15) detections.push({ image_id: id, category_id: cat, bbox: d.map((v) => round2(v * (0.95 + rand() * 0.1))), score: score(0.05, 0.6) });
      }
    }
    for (let k = int(3, 25); k > 0; k--) {
      detections.push({ image_id: id, category_id: rand() < 0.5 ? pick(cats) : pick(CATEGORY_IDS), bbox: box(W, H), score: score(0.01, 0.7) });
    }
  }
  const categories = CATEGORY_IDS.map((id) => ({ id, name: `class-${id}`, supercategory: 'thing' }));
  return { gt: { info: { description: 'bench/evaluate-vs-pycocotools.ts' }, images: imgs, annotations, categories }, detections, boxes: annotations.length };
}

// ---- the commands ----

// pycocotools' whole job, as its README shows it, plus one line with mAP@[.5:.95] at full precision.
const PYCOCO_SCRIPT = `
import sys, types
for name in ('matplotlib', 'matplotlib.pyplot', 'matplotlib.collections', 'matplotlib.patches'):
    m = types.ModuleType(name); m.PatchCollection = m.Polygon = None; sys.modules[name] = m
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
gt = COCO(sys.argv[1])
dt = gt.loadRes(sys.argv[2])
E = COCOeval(gt, dt, 'bbox')
E.evaluate(); E.accumulate(); E.summarize()
print('MAP', repr(float(E.stats[0])))
`;

interface Subject {
  name: string;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

function subjects(gt: string, dt: string): Subject[] {
  return [
    { name: 'node -e 0', file: process.execPath, args: ['-e', '0'], env: process.env },
    {
      name: 'lpcv evaluate (dist)',
      file: process.execPath,
      args: [bin, 'evaluate', '--task', 'detection', '--gt', gt, '--pred', dt, '--json'],
      env: { ...process.env, LPCV_FROM_SOURCE: '' },
    },
    { name: 'pycocotools', file: python, args: ['-c', PYCOCO_SCRIPT, gt, dt], env: { ...process.env, PYTHONPATH: pycocotools } },
  ];
}

/**
 * CPU time (user + system) of this process's waited-for children so far, in ms: /proc/self/stat's cutime and
 * cstime, in clock ticks (10 ms on Linux), so a child's CPU time is the difference around its spawnSync. NaN where
 * there is no /proc. Less moved than wall time by other processes' load on a 2-core machine.
 */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime: fields 16 and 17 of stat(5)
  } catch {
    return NaN;
  }
}

function run(s: Subject): { ms: number; cpuMs: number; stdout: string } {
  const c0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(s.file, s.args, { cwd: root, env: s.env, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = childrenCpuMs() - c0;
  if (r.status !== 0) throw new Error(`${s.name} exited ${r.status}: ${r.stderr.trim()}`);
  return { ms, cpuMs, stdout: r.stdout };
}

/** mAP@[.5:.95] from each side's output. */
function agreement(ours: Subject, theirs: Subject): { ours: number; theirs: number } {
  const report = JSON.parse(run(ours).stdout) as { accuracy: { map: number } };
  const m = /^MAP (\S+)$/m.exec(run(theirs).stdout);
  if (!m) throw new Error('pycocotools printed no MAP line');
  return { ours: report.accuracy.map, theirs: Number(m[1]) };
}

// ---- dist/ must be what runs ----

const FRESHNESS_PROBE = `import { compiledEntry } from './bin/dist-fresh.js'; console.log(compiledEntry('cli/main.js') !== null);`;
function staleExit(when: string): never {
  console.error(`dist/ went stale ${when} (a source was edited): the lpcv rows would not be dist figures; build and run again`);
  process.exit(1);
}
function distFresh(): boolean {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', FRESHNESS_PROBE], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the freshness probe failed: ${r.stderr.trim()}`);
  return r.stdout.trim() === 'true';
}

// ---- the measurement ----

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function measure(n: number, dir: string): void {
  const c = generateCase(n, 20261207 + n);
  const gt = path.join(dir, `gt-${n}.json`);
  const dt = path.join(dir, `dt-${n}.json`);
  writeFileSync(gt, JSON.stringify(c.gt));
  writeFileSync(dt, JSON.stringify(c.detections));
  const list = subjects(gt, dt);
  console.log(`\n${n} images, ${c.boxes} ground-truth boxes, ${c.detections.length} detections, 80 categories`);

  if (!distFresh()) staleExit(`before the ${n}-image case`);
  const map = agreement(list[1]!, list[2]!);
  const diff = Math.abs(map.ours - map.theirs);
  console.log(`mAP@[.5:.95]: lpcv ${map.ours}, pycocotools ${map.theirs}: ${diff <= 1e-9 ? 'agree to 1e-9' : `DIFFER by ${diff.toExponential(3)}`}`);

  for (const s of list) run(s); // warm-up: the file cache
  const times = list.map((): number[] => []);
  const cpu = list.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    list.forEach((s, i) => {
      const { ms, cpuMs } = run(s);
      times[i]!.push(ms);
      cpu[i]!.push(cpuMs);
    });
    // A source edited meanwhile (others work in the same tree) makes bin/lpcv.js run the sources through tsx.
    if (!distFresh()) staleExit(`during round ${r + 1} of the ${n}-image case`);
  }

  console.log(`${rounds} interleaved rounds, ms per whole process: wall min/median/max, and the median CPU time (user + system)`);
  console.log(`${'command'.padEnd(24)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}${'cpu'.padStart(8)}`);
  list.forEach((s, i) => {
    const t = times[i]!;
    const cols = [Math.min(...t), median(t), Math.max(...t), median(cpu[i]!)].map((v) => v.toFixed(0).padStart(8)).join('');
    console.log(`${s.name.padEnd(24)}${cols}`);
  });
  const [floor, ours, theirs] = times as [number[], number[], number[]];
  const ratio = median(ours) / median(theirs);
  const perRound = median(ours.map((ms, r) => ms / theirs[r]!));
  const net = (median(ours) - median(floor)) / (median(theirs) - median(floor));
  const cpuRatio = median(cpu[1]!) / median(cpu[2]!);
  console.log(
    `ours / pycocotools: ${ratio.toFixed(3)}x of wall medians (${perRound.toFixed(3)}x median per round; ${net.toFixed(3)}x above the node -e 0 floor; CPU time ${cpuRatio.toFixed(3)}x); target <= 0.5x: ${ratio <= 0.5 ? 'met' : 'MISSED'}`,
  );
}

if (!distFresh()) {
  console.error('dist/ is missing or older than the sources: run `npm run build` first');
  process.exit(1);
}
const loadavg = (): string =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
console.log(`load average ${loadavg()}, ${os.cpus().length} CPUs, node ${process.version}`);
const dir = caseDir ? path.resolve(caseDir) : mkdtempSync(path.join(os.tmpdir(), 'lpcv-evaluate-vs-pycocotools-'));
mkdirSync(dir, { recursive: true });
try {
  for (const n of images > 300 ? [300, images] : [images]) measure(n, dir);
} finally {
  if (!caseDir) rmSync(dir, { recursive: true, force: true });
}
console.log(`load average ${loadavg()} at the end`);
