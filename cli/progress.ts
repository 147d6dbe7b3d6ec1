/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (never in logs or pipes, so that
 * `--json` output and CI logs stay clean).
 */
export class ProgressBar {
  private lastDraw = 0;
  private label = '';
  private readonly enabled: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY);
  }

  /** Draw `label [####----] text`, `fraction` in [0, 1]. */
  update(label: string, fraction: number, text: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (label === this.label && now - this.lastDraw < 80 && fraction < 1) return;
    this.lastDraw = now;
    this.label = label;
    const width = 30;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(`\r${label.padEnd(10)} [${bar}] ${text}\x1b[K`);
  }

  done(): void {
    if (this.enabled && this.label) this.stream.write('\r\x1b[K');
    this.label = '';
  }
}
