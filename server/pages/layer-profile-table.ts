import type { LayerProfile } from '../../harness/layer-profile.js';
import { html, type Html } from './html.js';
import { ms, percent } from './format.js';

const count = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en'));

/**
 * The status page's table of a result's measured per-layer profile (docs/protocol.md, "Per-layer profile"),
 * or nothing when the record has none (records made before it, targets that do not profile). Node names
 * come from the uploaded model: the template escapes them like every other value.
 */
export function layerProfileTable(profile: LayerProfile | undefined): Html {
  if (profile === undefined || profile.nodes.length === 0) return html``;
  const rows = profile.nodes.map(
    (n) =>
      html`<tr><td><code>${n.name}</code></td><td>${n.op}</td><td class="num">${ms(n.ms)}</td><td class="num">${percent(n.share)}</td><td class="num">${count(n.macs)}</td><td class="num">${count(n.cio)}</td></tr>`,
  );
  return html`<h2>Layers by measured time</h2>
<table id="profile"><caption>The model's slowest layers: onnxruntime's profiler over ${profile.runs} runs after the timed ones, ${ms(profile.totalMs)} of layer time per run</caption>
<thead><tr><th scope="col">Layer</th><th scope="col">Op run</th><th scope="col" class="num">Time per run</th><th scope="col" class="num">Share</th><th scope="col" class="num">MACs</th><th scope="col" class="num">CIO</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="hint">A layer that onnxruntime fused with the next (a Conv with its Relu) is shown under the graph node doing the work, its time including what was fused into it. MACs and CIO are what <code>lpcv inspect</code> counts for that node (CIO counts convolutions only); — where the layer is no node of the model (a layout conversion onnxruntime added) or the count does not apply.</p>`;
}
