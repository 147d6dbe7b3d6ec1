import type { AgentTrack } from '../wire/agent-track.js';

/** The input's spatial size in pixels, from the track's input shape and layout. */
export function inputSize(track: Pick<AgentTrack, 'input'>): { width: number; height: number } {
  const s = track.input.shape;
  const [height, width] = track.input.layout === 'NHWC' ? [s[1]!, s[2]!] : [s[2]!, s[3]!];
  return { width, height };
}
