import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/testing/lpcv-errors.js';
import { BUILTIN_TRACKS_DIR, listBuiltinTracks, loadTrackFile, resolveSplit, resolveTrack } from './load-track.js';
import { sampleTrackJson } from '../../test/testing/sample-track.js';

const sample: Record<string, unknown> = sampleTrackJson();

function writeTrack(content: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-track-'));
  const file = path.join(dir, 'track.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('track files', () => {
  it('loads the sample track, frozen, with paths resolved against its folder', () => {
    const t = resolveTrack('fashion-mnist');
    expect(t.name).toBe('fashion-mnist');
    expect(t.task).toBe('classification');
    expect(t.classes).toHaveLength(10);
    expect(t.splits.val).toMatchObject({ start: 0, count: 2000, visibility: 'public' });
    expect(t.splits.test).toMatchObject({ start: 2000, count: 8000, visibility: 'hidden' });
    expect(t.dir).toBe(path.join(BUILTIN_TRACKS_DIR, 'fashion-mnist'));
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.input.shape)).toBe(true);
    expect(listBuiltinTracks()).toContain('fashion-mnist');
  });

  it('resolves a track by file path and by folder', () => {
    const file = writeTrack(sample);
    expect(resolveTrack(file).file).toBe(file);
    expect(resolveTrack(path.dirname(file)).file).toBe(file);
  });

  it('refuses a reference model that is not one of its baselines, or whose file is missing, naming the file and key', () => {
    const protocol = sample.protocol as Record<string, unknown>;
    const unknown = writeTrack({ ...sample, protocol: { ...protocol, reference: 'resnet_xl' } });
    const e1 = errorOf(() => loadTrackFile(unknown));
    expect(e1.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e1.message).toMatch(new RegExp(`^${unknown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: protocol\\.reference: "resnet_xl" names no baseline of this track \\(it has linear, mlp`));
    // The sample names its baselines' files relative to its own folder: copied elsewhere, they are missing.
    const relative = JSON.parse(readFileSync(path.join(BUILTIN_TRACKS_DIR, 'fashion-mnist', 'track.json'), 'utf8')) as Record<string, unknown>;
    const missing = writeTrack({ ...relative, protocol: { ...protocol, reference: 'resnet_s' } });
    const e2 = errorOf(() => loadTrackFile(missing));
    expect(e2.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e2.message).toMatch(/protocol\.reference: the reference "resnet_s" is baselines' file \.\.\/\.\.\/baselines\/fashion-mnist\/resnet_s\.onnx, which does not exist/);
    const { reference: _reference, ...unpaired } = protocol;
    const calibratedAlone = writeTrack({ ...sample, protocol: { ...unpaired, referenceLatencyMs: 0.2 } });
    expect(errorOf(() => loadTrackFile(calibratedAlone)).message).toMatch(/protocol\.referenceLatencyMs: needs protocol\.reference/);
  });

  it('names the file, the key and what was expected for a bad file', () => {
    const bad = { ...sample, task: 'pose', protocol: { ...(sample.protocol as object), minRuns: -3 } };
    const file = writeTrack(bad);
    const e = errorOf(() => loadTrackFile(file));
    expect(e.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e.message).toContain(`${file}: task: `);
    expect(e.message).toMatch(/classification/);
    expect(e.message).toContain('protocol.minRuns');
  });

  it('rejects unknown keys, missing keys and per-channel mismatches', () => {
    const { title: _title, ...noTitle } = sample;
    expect(errorOf(() => loadTrackFile(writeTrack(noTitle))).message).toContain('title');
    expect(errorOf(() => loadTrackFile(writeTrack({ ...sample, colour: 'red' }))).message).toContain('colour');
    const input = sample.input as { preprocess: object };
    const rgbMismatch = { ...sample, input: { ...input, preprocess: { ...input.preprocess, channels: 'rgb' } } };
    expect(errorOf(() => loadTrackFile(writeTrack(rgbMismatch))).message).toContain('input.preprocess.mean: expected 3 value(s)');
    expect(errorOf(() => loadTrackFile(writeTrack({ ...sample, defaultSplit: 'nope' }))).message).toContain('defaultSplit');
  });

  it('says when a file is not JSON', () => {
    const e = errorOf(() => loadTrackFile(writeTrack('{ "name": ')));
    expect(e.code).toBe('LPCV_E_TRACK_INVALID');
    expect(e.message).toContain('not valid JSON');
  });

  it('names the known tracks for an unknown one', () => {
    const e = errorOf(() => resolveTrack('imagenet-2099'));
    expect(e.code).toBe('LPCV_E_TRACK_UNKNOWN');
    expect(e.message).toContain('fashion-mnist');
    expect(errorOf(() => resolveTrack('/nowhere/track.json')).code).toBe('LPCV_E_TRACK_UNKNOWN');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lpcv-tracks-'));
    mkdirSync(path.join(dir, 'empty'));
    expect(listBuiltinTracks(dir)).toEqual([]);
  });

  it('picks the default split and rejects an unknown one', () => {
    const t = resolveTrack('fashion-mnist');
    expect(resolveSplit(t, undefined)).toBe('val');
    expect(resolveSplit(t, 'test')).toBe('test');
    const e = errorOf(() => resolveSplit(t, 'train'));
    expect(e.code).toBe('LPCV_E_SPLIT_UNKNOWN');
    expect(e.message).toContain('val, test');
  });
});
