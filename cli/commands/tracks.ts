import { listBuiltinTracks, loadTrackFile, BUILTIN_TRACKS_DIR } from '../../harness/tracks/load-track.js';
import path from 'node:path';
import { table } from '../format.js';

export async function tracksCommand(o: { json?: boolean }): Promise<number> {
  const tracks = listBuiltinTracks().map((name) => loadTrackFile(path.join(BUILTIN_TRACKS_DIR, name, 'track.json')));
  if (o.json) {
    const out = tracks.map((t) => ({
      name: t.name,
      title: t.title,
      task: t.task,
      formats: t.formats,
      metrics: t.metrics,
      score: t.score,
      splits: Object.fromEntries(Object.entries(t.splits).map(([k, s]) => [k, { count: s.count, visibility: s.visibility }])),
      file: t.file,
    }));
    process.stdout.write(`${JSON.stringify({ tracks: out })}\n`);
    return 0;
  }
  const rows = tracks.map((t) => [
    t.name,
    t.task,
    Object.entries(t.splits)
      .map(([k, s]) => `${k} ${s.count}${s.visibility === 'hidden' ? ' (hidden)' : ''}`)
      .join(', '),
    `${t.score.formula}${t.score.version ? ` v${t.score.version}` : ''}`,
    t.title,
  ]);
  process.stdout.write(`${table(['track', 'task', 'splits', 'score', 'title'], rows)}\n`);
  return 0;
}
