/** A one-line progress bar on stderr; on a non-terminal it prints a line every few seconds. */
export class ProgressBar {
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  // Off a terminal (logs, CI) the first line waits a few seconds: short runs print only the summary.
  private lastDraw = this.tty ? 0 : this.started;

  constructor(private readonly label: string) {}

  update(done: number, total: number, detail = '', force = false) {
    const now = Date.now();
    if (!force && now - this.lastDraw < (this.tty ? 100 : 5000)) return;
    this.lastDraw = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 28;
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${this.label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(message: string) {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`${this.tty ? '\r\x1b[K' : ''}${message} (${seconds}s)\n`);
  }
}
