import { LpcvError } from '../../errors/lpcv-error.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { validateModel } from '../../submissions/validate/validate-model.js';

function shape(s: readonly (number | string | null)[]): string {
  return `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

export async function validateCommand(model: string, o: { track: string; json?: boolean }): Promise<number> {
  const track = resolveTrack(o.track);
  const report = validateModel(model, track);
  // The first problem is the command's error, as for every failure; the rest are listed beside it.
  const error = report.problems[0] && new LpcvError(report.problems[0].code, report.problems[0].message);
  if (o.json) {
    const answer = error
      ? { error: { code: error.code, message: error.message, fault: error.fault }, problems: report.problems }
      : { track: track.name, ...report };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  } else {
    const lines = [`lpcv validate: ${model} against track ${track.name}`];
    lines.push(`  format  ${report.model.format}, ${report.model.bytes} bytes, sha256 ${report.model.sha256}`);
    if (report.input)
      lines.push(
        `  input   ${report.input.name} ${report.input.dtype} ${shape(report.input.shape)} (track: ${track.input.name} ${track.input.dtype} ${shape(track.input.shape)})`,
      );
    if (report.output) lines.push(`  output  ${report.output.name} ${report.output.dtype} ${shape(report.output.shape)}`);
    for (const w of report.warnings) lines.push(`  warning ${w}`);
    for (const p of report.problems) lines.push(`  ${p.code}: ${p.message}`);
    lines.push(report.ok ? 'ok: the model fits the track' : `not valid: ${report.problems.length} problem(s)`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (error) {
    // One line on stderr as for every error, with the first problem's code and exit code.
    process.stderr.write(`lpcv: ${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
  return 0;
}
