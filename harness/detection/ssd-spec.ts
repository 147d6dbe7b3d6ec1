import { z } from 'zod';
import { MAX_DETECTIONS } from './detection-rules.js';

/**
 * A track's declaration of raw SSD-style detection heads (docs/protocol.md, "Detection outputs", b): the model
 * outputs `locations` [P, 4] (offsets from its priors) and `confidences` [P, C + 1] (class 0 the background),
 * each optionally behind a batch axis of 1, and the harness decodes them with these priors and this
 * non-maximum suppression. The prior layout is SSD's (Liu et al. 2016, as ssd.pytorch's PriorBox lays it out):
 * per feature map, per cell row by row, the square box of minSize, then (with maxSize) the square of
 * sqrt(minSize x maxSize), then for each aspect ratio r the boxes (w, h) = (s sqrt(r), s / sqrt(r)) and
 * (s / sqrt(r), s sqrt(r)).
 */
export const ssdSpecSchema = z.strictObject({
  featureMaps: z
    .array(
      z.strictObject({
        /** Cells per side (square feature maps). */
        size: z.number().int().positive().max(1024),
        /** Box sizes in input pixels. */
        minSize: z.number().positive(),
        maxSize: z.number().positive().optional(),
        aspectRatios: z.array(z.number().positive()).max(8).default([]),
      }),
    )
    .min(1),
  /** SSD's encoding variances: centre offsets x variance[0] x prior size, log sizes x variance[1]. */
  variances: z.tuple([z.number().positive(), z.number().positive()]).default([0.1, 0.2]),
  /** Whether `confidences` are logits (softmax over each prior's classes) or probabilities already. */
  confidences: z.enum(['logits', 'probabilities']).default('logits'),
  /** Boxes below this score are dropped before suppression. */
  scoreThreshold: z.number().min(0).max(1).default(0.01),
  /** Class-wise non-maximum suppression: a box overlapping a kept one of its class by more than this goes. */
  iouThreshold: z.number().gt(0).max(1).default(0.45),
  /** Boxes kept per image after suppression, best first. */
  maxDetections: z.number().int().positive().max(1000).default(MAX_DETECTIONS),
  /** Clip decoded boxes to the image. */
  clip: z.boolean().default(true),
});

export type SsdSpec = z.output<typeof ssdSpecSchema>;
