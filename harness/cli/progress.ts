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

  update(label: string, done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (label === this.label && now - this.lastDraw < 80 && done < total) return;
    this.lastDraw = now;
    this.label = label;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(`\r${label.padEnd(10)} [${bar}] ${done}/${total}\x1b[K`);
  }

  done(): void {
    if (this.enabled && this.label) this.stream.write('\r\x1b[K');
    this.label = '';
  }
}
