/** Typed reads of a node's attributes, with the defaults the ONNX operator specs give. */
import type { OnnxNode, OnnxTensorInfo } from './onnx-model.js';

export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.kind === 'int' ? a.value : fallback;
}

export function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.kind === 'float' ? a.value : a?.kind === 'int' ? a.value : fallback;
}

/** An ints attribute; undefined when absent (callers pick the spec's default, which often depends on rank). */
export function attrInts(node: OnnxNode, name: string): number[] | undefined {
  const a = node.attributes[name];
  if (a?.kind === 'ints') return a.value;
  if (a?.kind === 'int') return [a.value];
  return undefined;
}

export function attrFloats(node: OnnxNode, name: string): number[] | undefined {
  const a = node.attributes[name];
  if (a?.kind === 'floats' || a?.kind === 'ints') return a.value;
  return undefined;
}

export function attrString(node: OnnxNode, name: string, fallback: string): string {
  const a = node.attributes[name];
  return a?.kind === 'string' ? a.value : fallback;
}

export function attrTensor(node: OnnxNode, name: string): OnnxTensorInfo | undefined {
  const a = node.attributes[name];
  return a?.kind === 'tensor' ? a.value : undefined;
}
