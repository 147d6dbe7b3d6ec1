import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';

/** Checks what `startServer` is given before anything opens: LPCV_E_USAGE with a readable reason. */
export function checkServeConfig(c: { port: number; host: string; dataDir: string }): { dataDir: string } {
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65_535) {
    throw new LpcvError('LPCV_E_USAGE', `port ${String(c.port)} is not a TCP port (a whole number from 0 to 65535; 0 picks a free one)`);
  }
  if (c.host.trim() === '' || /[\s/]/.test(c.host)) throw new LpcvError('LPCV_E_USAGE', `host ${JSON.stringify(c.host)} is not a host name or address`);
  const dataDir = path.resolve(c.dataDir);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new LpcvError('LPCV_E_USAGE', `the data folder ${dataDir} cannot be created: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (!statSync(dataDir).isDirectory()) throw new LpcvError('LPCV_E_USAGE', `the data folder ${dataDir} is not a folder`);
  try {
    accessSync(dataDir, constants.W_OK | constants.R_OK | constants.X_OK);
  } catch {
    throw new LpcvError('LPCV_E_USAGE', `the data folder ${dataDir} is not writable by this user`);
  }
  return { dataDir };
}

/**
 * The address participants use (`lpcv serve --public-url`), checked: an absolute http(s) URL without
 * credentials, query or fragment; returned without a trailing slash. An https one means a TLS proxy in front:
 * the pages' cookies are then marked Secure.
 */
export function checkPublicUrl(text: string): { url: string; secure: boolean } {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new LpcvError('LPCV_E_USAGE', `--public-url ${JSON.stringify(text)} is not a URL (e.g. https://lpcv.example.org)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new LpcvError('LPCV_E_USAGE', `--public-url must be an http:// or https:// URL, not ${u.protocol}`);
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') {
    throw new LpcvError('LPCV_E_USAGE', `--public-url ${JSON.stringify(text)} must not carry credentials, a query or a fragment`);
  }
  return { url: u.href.replace(/\/+$/, ''), secure: u.protocol === 'https:' };
}

/** The URL a local client (the in-process agent) uses to reach a server bound to `host`. */
export function localUrlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** A listening address given as HOST:PORT ([::1]:9464 for IPv6; port 0 picks a free one), else LPCV_E_USAGE. */
export function checkListenAddress(flag: string, text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535))
    throw new LpcvError('LPCV_E_USAGE', `${flag} ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:9464, or [::1]:9464)`);
  return { host: m[1] ?? m[2]!, port };
}
