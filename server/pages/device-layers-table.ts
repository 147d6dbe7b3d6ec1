import { html, type Html } from './html.js';
import { ms } from './format.js';

/** A layer as a hosted farm's profile reports it (devices/aihub/aihub-profile.ts): where it ran and how long it took. */
interface DeviceLayer {
  readonly name: string;
  readonly computeUnit: string;
  readonly timeUs: number | null;
  readonly type: string | null;
}

function layersOf(report: Record<string, unknown>): DeviceLayer[] {
  const layers = report.layers;
  if (!Array.isArray(layers)) return [];
  return layers.flatMap((l: unknown) => {
    const x = l as Record<string, unknown>;
    if (typeof x?.name !== 'string' || typeof x.computeUnit !== 'string') return [];
    return [
      { name: x.name, computeUnit: x.computeUnit, timeUs: typeof x.timeUs === 'number' ? x.timeUs : null, type: typeof x.type === 'string' ? x.type : null },
    ];
  });
}

/**
 * The status page's table of the layers a hosted farm ran (AI Hub's profile `execution_detail`: docs/aihub.md),
 * with a notice when layers fell back to the CPU although an accelerator ran the others; nothing when the target
 * reported no layers. Layer names come from the compiled model: escaped like every value.
 */
export function deviceLayersTable(report: Record<string, unknown> | undefined): Html {
  if (report === undefined) return html``;
  const layers = layersOf(report);
  if (layers.length === 0) return html``;
  const units = Object.entries((report.layersByComputeUnit as Record<string, number> | undefined) ?? {})
    .map(([unit, n]) => `${n} on ${unit}`)
    .join(', ');
  const fallback =
    report.cpuFallback === true
      ? html`<div class="notice" id="cpu-fallback"><p>Some layers fell back to the CPU while the others ran on an accelerator: ${((report.cpuFallbackLayers as string[] | undefined) ?? []).join(', ')}.</p></div>`
      : '';
  const rows = layers.map(
    (l) =>
      html`<tr><td><code>${l.name}</code></td><td>${l.type ?? '—'}</td><td>${l.computeUnit}</td><td class="num">${l.timeUs === null ? '—' : ms(l.timeUs / 1000)}</td></tr>`,
  );
  const more = typeof report.layersNotListed === 'number' ? html`<p class="hint">${report.layersNotListed} more layers are not listed.</p>` : '';
  return html`<h2>Layers on the device</h2>
${fallback}
<table id="device-layers"><caption>Where each layer ran, as the device's profile reports it${units === '' ? '' : ` (${units})`}</caption>
<thead><tr><th scope="col">Layer</th><th scope="col">Type</th><th scope="col">Compute unit</th><th scope="col" class="num">Time</th></tr></thead>
<tbody>${rows}</tbody></table>${more}`;
}
