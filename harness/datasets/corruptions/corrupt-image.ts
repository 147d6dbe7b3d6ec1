import type { DecodedImage } from '../types.js';
import { jpegReencode } from './jpeg-reencode.js';
import { parameterOf, type CorruptionKind, type CorruptionProfile, type Severity } from './parameters.js';
import { brightness, contrast, gaussianBlur, gaussianNoise } from './pixel-corruptions.js';
import { imageSeed } from './prng.js';

export interface CorruptionSpec {
  readonly kind: CorruptionKind;
  readonly severity: Severity;
  /** The track's robustness seed. */
  readonly seed: number;
  readonly profile: CorruptionProfile;
}

/**
 * One image corrupted by `spec`: the parameter from the profile's table, and for the random corruption a
 * generator seeded from (track seed, kind, severity, image id), so the result depends on nothing else.
 */
export async function corruptImage(img: DecodedImage, spec: CorruptionSpec): Promise<DecodedImage> {
  const p = parameterOf(spec.profile, spec.kind, spec.severity);
  switch (spec.kind) {
    case 'gaussian-noise':
      return gaussianNoise(img, p, imageSeed(spec.seed, spec.kind, spec.severity, img.id));
    case 'gaussian-blur':
      return gaussianBlur(img, p);
    case 'brightness':
      return brightness(img, p);
    case 'contrast':
      return contrast(img, p);
    case 'jpeg':
      return jpegReencode(img, p);
  }
}
