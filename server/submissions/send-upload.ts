/**
 * A team's own upload sent back to it (GET /api/submissions/:id/artifact, /submissions/:id/artifact): the
 * stored bytes, re-hashed first (a damaged file is LPCV_E_ARTIFACT_CORRUPT, not a wrong model handed back),
 * then streamed from the artifact store as an attachment under the name it was uploaded with.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { ArtifactStore } from '../../submissions/store/artifact-store.js';
import type { SubmissionUpload } from './submission-upload.js';

/** A file name a browser saves safely: no path, no quotes or controls, no leading dot; else `fallback`. */
export function safeFileName(name: string | null, fallback: string): string {
  const cleaned = (name ?? '')
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  return cleaned === '' || /^_+$/.test(cleaned) ? fallback : cleaned;
}

/**
 * `attachment` with the sanitized name, and the original (less its controls and path separators) as
 * RFC 5987 `filename*` for names beyond ASCII, which the plain parameter cannot carry.
 */
export function attachmentDisposition(name: string | null, fallback: string): string {
  const plain = safeFileName(name, fallback);
  const original = (name ?? '').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim();
  const extended = original !== '' && original !== plain && !original.startsWith('.') ? `; filename*=UTF-8''${encodeRfc5987(original)}` : '';
  return `attachment; filename="${plain}"${extended}`;
}

function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function sendUpload(res: Response, store: ArtifactStore, upload: SubmissionUpload): Promise<void> {
  const { bytes } = await store.verify(upload.sha256);
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(bytes));
  res.setHeader('Content-Disposition', attachmentDisposition(upload.filename, `${upload.id}.${upload.format}`));
  res.setHeader('X-Content-SHA256', upload.sha256);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  await pipeline(createReadStream(store.path(upload.sha256)), res);
}
