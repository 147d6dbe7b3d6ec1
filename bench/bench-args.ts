/** The benchmarks' command-line options: `--name value`, else the default. */
const args = process.argv.slice(2);

export function optionText(name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
}

/** A whole number >= 1, else an error naming the option. */
export function optionInt(name: string, dflt: number): number {
  const v = Number(optionText(name, String(dflt)));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a whole number >= 1`);
  return v;
}
