import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a request body, up to `maxBytes` or `maxMs`, whichever comes first.
 *
 * Why: a server that answers an upload early and closes the connection while the client is still sending
 * makes most clients (browsers among them) report a reset connection instead of the answer. The API
 * closes at once (its client, `lpcv submit`, copes); a page drains first so that the browser shows the
 * error page. The bounds keep a client from holding the server with an endless body.
 */
export function drainRequest(req: IncomingMessage, maxBytes: number, maxMs: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) {
        req.pause();
        done();
      }
    };
    const timer = setTimeout(done, maxMs);
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}
