import type SharpModule from 'sharp';

export type Sharp = typeof SharpModule;

let loading: Promise<Sharp> | undefined;

/**
 * sharp (libvips), loaded on first use rather than at import: loading it costs some 140 ms of CPU, which a command
 * that decodes no image (`lpcv evaluate` on COCO JSON, `lpcv tracks`) should not pay (bench/evaluate-vs-pycocotools.ts).
 */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then((m) => m.default);
  return loading;
}
