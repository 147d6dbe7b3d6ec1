/**
 * The corruptions and their parameter per severity (docs/robustness.md), taken from Hendrycks & Dietterich,
 * "Benchmarking Neural Network Robustness to Common Corruptions and Perturbations" (ICLR 2019), as their
 * code generates ImageNet-C (imagenet_c/corruptions.py, for 224 x 224 images) and CIFAR-10-C
 * (create_c/make_cifar_c.py, for 32 x 32 images). A track picks the table with `profile`.
 */

export const CORRUPTION_KINDS = ['gaussian-noise', 'gaussian-blur', 'brightness', 'contrast', 'jpeg'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

export const PROFILES = ['imagenet-c', 'cifar-10-c'] as const;
export type CorruptionProfile = (typeof PROFILES)[number];

export const SEVERITIES = [1, 2, 3, 4, 5] as const;
export type Severity = (typeof SEVERITIES)[number];

type Table = Readonly<Record<CorruptionKind, readonly [number, number, number, number, number]>>;

const IMAGENET_C: Table = Object.freeze({
  /** Standard deviation of additive noise on pixels scaled to [0, 1]. */
  'gaussian-noise': [0.08, 0.12, 0.18, 0.26, 0.38],
  /** Gaussian sigma in pixels. */
  'gaussian-blur': [1, 2, 3, 4, 6],
  /** Added to HSV value (pixels in [0, 1]). */
  brightness: [0.1, 0.2, 0.3, 0.4, 0.5],
  /** Factor on each channel's distance from its mean. */
  contrast: [0.4, 0.3, 0.2, 0.1, 0.05],
  /** JPEG quality (libjpeg scale 1-100). */
  jpeg: [25, 18, 15, 10, 7],
});

const CIFAR_10_C: Table = Object.freeze({
  'gaussian-noise': [0.04, 0.06, 0.08, 0.09, 0.1],
  'gaussian-blur': [0.4, 0.6, 0.7, 0.8, 1],
  brightness: [0.05, 0.1, 0.15, 0.2, 0.3],
  contrast: [0.75, 0.5, 0.4, 0.3, 0.15],
  jpeg: [80, 65, 58, 50, 40],
});

export const PARAMETERS: Readonly<Record<CorruptionProfile, Table>> = Object.freeze({ 'imagenet-c': IMAGENET_C, 'cifar-10-c': CIFAR_10_C });

export const PARAMETER_MEANING: Readonly<Record<CorruptionKind, string>> = Object.freeze({
  'gaussian-noise': 'noise standard deviation (pixels in [0, 1])',
  'gaussian-blur': 'blur sigma in pixels',
  brightness: 'added to the HSV value (pixels in [0, 1])',
  contrast: 'factor on the distance from the channel mean',
  jpeg: 'JPEG quality',
});

export function parameterOf(profile: CorruptionProfile, kind: CorruptionKind, severity: Severity): number {
  return PARAMETERS[profile][kind][severity - 1]!;
}
