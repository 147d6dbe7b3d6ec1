/**
 * What a track asks of a model before anything runs, as model validation reads it: the part of a track
 * (harness/tracks) that submissions needs, so that this folder does not depend on the track loader. A loaded
 * `Track` is one.
 */
export interface ModelRequirements {
  /** The track's name, for messages. */
  readonly name: string;
  readonly task: 'classification' | 'detection' | 'segmentation';
  readonly classes: readonly string[];
  /** The formats the track accepts ('solution' is a zip package, 'aihub-job' a compile job on Qualcomm AI Hub). */
  readonly formats: readonly ('onnx' | 'tflite' | 'solution' | 'aihub-job')[];
  readonly limits: { readonly maxArtifactBytes: number };
  /** The one input the harness feeds. */
  readonly input: { readonly name: string; readonly dtype: string; readonly shape: readonly number[]; readonly layout: 'NCHW' | 'NHWC' | 'NC' };
  /** The output the harness reads: by name, else the only one; classification's class count, else classes.length. */
  readonly output: {
    readonly name?: string | undefined;
    readonly numClasses?: number | undefined;
    /** Detection with raw SSD heads (the track's output.ssd): outputs locations and confidences instead. */
    readonly ssd?: object | undefined;
  };
}
