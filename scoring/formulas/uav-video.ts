/**
 * lpcv2020-video v1 and lpcv2021-video v1: the UAV video tracks' score, accuracy per watt-hour above idle.
 */
import { Power } from '../units/quantity.js';
import type { Formula, FormulaResult, Measures, ParamValue } from './types.js';
import { viewOf } from './measure-view.js';
import { choiceParam, numberParam, stringParam } from './params.js';

const IDLE_CHOICES = ['fixed', 'record'] as const;

function uavVideo(name: string, year: 2020 | 2021, metric: string, metricText: string): Formula {
  const version = 1;
  return Object.freeze({
    name,
    version,
    title: `LPCVC ${year} UAV video: ${metric === 'f1' ? 'F1' : 'accuracy'} divided by the energy above idle in Wh`,
    description:
      'score = A / (E_Wh - P_idle x t / 3600), where A is the accuracy metric named by `accuracy` (default ' +
      `${metric}: ${metricText}, a fraction), E_Wh the gross energy of the run in Wh, P_idle the idle power in W ` +
      "(parameter idleWatts, default 1.961, or with idle=record the record's own idle figure, measured before the run) " +
      "and t the seconds the energy was integrated over (the energy window, else the run's duration); unit 1/Wh. " +
      'Edges: no energy, no window or (idle=record) no idle figure -> null (reason, missing); energy above idle <= 0 ' +
      '-> null (the idle figure is too high for this run: no score rather than a negative or infinite one); A = 0 -> 0.',
    source:
      `LPCVC ${year} UAV video track (lpcv.ai/2020CVPR/video-track; the referee, github.com/lpcvai/2021-LPCVC-Referee): ` +
      `${metric === 'f1' ? 'modified F1' : '1 - mean normalised Levenshtein distance'} ` +
      '/ (E_Wh - 1.961 W x t), a fixed idle power of 1.961 W (Raspberry Pi 3B+) subtracted over the run. ' +
      'The old referee used the fixed constant; idle=record uses a figure measured on the device instead ' +
      '(a harness extension, not the published rule).',
    params: Object.freeze({
      accuracy: { description: 'accuracy metric in the measures', default: metric },
      idleWatts: { description: 'idle power in W subtracted over the window (with idle=fixed)', default: 1.961 },
      idle: {
        description: "fixed: subtract idleWatts (the published rule; the record's idle figure is ignored); record: subtract the record's idle figure",
        default: 'fixed',
        choices: IDLE_CHOICES,
      },
    }),
    inputs: Object.freeze([
      { name: metric, unit: 'fraction', description: 'the accuracy metric (parameter accuracy)' },
      { name: 'energy', unit: 'Wh', description: 'gross energy of the run' },
      { name: 'window', unit: 's', description: 'the seconds the energy covers (else duration)' },
      { name: 'idle', unit: 'W', description: "only with idle=record: the record's idle power" },
    ]),
    latencyStatistic: () => null,
    compute(m: Measures, params: Readonly<Record<string, ParamValue>>): FormulaResult {
      const v = viewOf(m, name, version);
      const a = v.accuracy(stringParam(params, 'accuracy', v.id));
      const e = v.energy();
      const t = v.energyWindow();
      let idle: Power | null;
      if (choiceParam(params, 'idle', v.id, IDLE_CHOICES) === 'record') {
        idle = v.recordIdle();
      } else {
        idle = Power.watts(numberParam(params, 'idleWatts', v.id));
        v.note('idle', idle.watts, 'W', 'parameter idleWatts');
      }
      if (e === null || t === null || idle === null) return v.unscored();
      const idleEnergy = idle.over(t);
      const net = e.minus(idleEnergy);
      v.note('energy_wh', e.wattHours, 'Wh');
      v.note('idle_wh', idleEnergy.wattHours, 'Wh', 'idle W x window s / 3600');
      v.note('energy_above_idle_wh', net.wattHours, 'Wh');
      if (net.joules <= 0) {
        return v.unscored(
          `the energy above idle is ${net.wattHours.toPrecision(4)} Wh (${e.wattHours.toPrecision(4)} Wh - ${idle.watts} W x ${t.seconds} s): ` +
            'not positive, so the idle figure is too high for this run',
        );
      }
      return v.scored(a.fraction / net.wattHours, true);
    },
  });
}

export const lpcv2020VideoV1 = uavVideo('lpcv2020-video', 2020, 'accuracy', '1 - mean normalised Levenshtein distance of the answers');
export const lpcv2021VideoV1 = uavVideo('lpcv2021-video', 2021, 'f1', 'the modified F1, frame_score / (TP + 0.5 (FP + FN))');
