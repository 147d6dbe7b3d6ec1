import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from './html.js';

describe('html', () => {
  it('escapes every interpolated string, including attribute quotes', () => {
    const name = `"><script>alert('x')</script>&`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('keeps nested fragments and trusted markup as they are, joins arrays, drops null and false', () => {
    const items = ['a<b', 'c'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${null}${false}${undefined}${trusted('<hr>')}${0}`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul><hr>0');
  });

  it('escapes the five characters and nothing else', () => {
    expect(escapeHtml(`<>&"' é/`)).toBe('&lt;&gt;&amp;&quot;&#39; é/');
  });
});
