/**
 * For the page tests (not used by the server): what a browser does with the pages over real HTTP, without
 * a browser: a cookie jar (Set-Cookie in, Cookie out), no redirect following (the tests check each 303),
 * forms posted as a browser posts them (urlencoded, or multipart in the form's field order), and the form
 * token read from the page like any hidden field.
 */
export interface PageAnswer {
  readonly status: number;
  readonly location: string | null;
  readonly headers: Headers;
  readonly body: string;
}

export type FormPart = readonly [name: string, value: string] | readonly [name: string, value: Uint8Array, filename: string];

export class TestBrowser {
  readonly cookies = new Map<string, string>();

  constructor(readonly url: string) {}

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async answer(res: Response): Promise<PageAnswer> {
    this.keep(res);
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, body: await res.text() };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<PageAnswer> {
    return this.answer(await fetch(`${this.url}${path}`, { redirect: 'manual', headers: { ...this.cookieHeader(), ...headers } }));
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<PageAnswer> {
    const body = new URLSearchParams(fields).toString();
    return this.answer(
      await fetch(`${this.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader(), ...headers },
      }),
    );
  }

  async postMultipart(path: string, parts: readonly FormPart[], headers: Record<string, string> = {}): Promise<PageAnswer> {
    const form = new FormData();
    for (const p of parts) {
      if (p.length === 3) form.append(p[0], new Blob([p[1]]), p[2]);
      else form.append(p[0], p[1]);
    }
    return this.answer(await fetch(`${this.url}${path}`, { method: 'POST', redirect: 'manual', body: form, headers: { ...this.cookieHeader(), ...headers } }));
  }

  /** The form token of a page's first form (its hidden `_csrf` field). */
  static formToken(page: PageAnswer): string {
    const m = /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(page.body);
    if (m === null) throw new Error('the page has no form token');
    return m[1]!;
  }
}
