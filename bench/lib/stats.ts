/** Small statistics and formatting helpers for the benchmark: medians, percentiles, tables. */

/** The middle value (the mean of the two middle values for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile (p in 0…100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export function mib(kilobytes: number): string {
  return `${(kilobytes / 1024).toFixed(1)} MiB`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** One row of the report: a label, a figure, the goal and whether it is met (null: no goal). */
export interface Row {
  readonly part: string;
  readonly what: string;
  readonly value: string;
  readonly goal?: string;
  readonly met?: boolean | null;
}

export function table(rows: readonly Row[]): string {
  const header = { part: 'part', what: 'measure', value: 'value', goal: 'goal', met: 'met' };
  const cells = rows.map((row) => ({
    part: row.part,
    what: row.what,
    value: row.value,
    goal: row.goal ?? '',
    met: row.met === undefined || row.met === null ? '' : row.met ? 'yes' : 'NO',
  }));
  const all = [header, ...cells];
  const width = (key: keyof typeof header) => Math.max(...all.map((cell) => cell[key].length));
  const widths = { part: width('part'), what: width('what'), value: width('value'), goal: width('goal'), met: width('met') };
  const line = (cell: typeof header) =>
    `${cell.part.padEnd(widths.part)} │ ${cell.what.padEnd(widths.what)} │ ${cell.value.padStart(widths.value)} │ ${cell.goal.padEnd(widths.goal)} │ ${cell.met}`.trimEnd();
  const rule = `${'─'.repeat(widths.part)}─┼─${'─'.repeat(widths.what)}─┼─${'─'.repeat(widths.value)}─┼─${'─'.repeat(widths.goal)}─┼─${'─'.repeat(widths.met)}`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
