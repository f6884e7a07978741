/** `restorepoints summary [--json]`: read the configured appliances, print the summary. */
import { publicWorkload, toSummaryJson, type ApplianceSummary, type Summary } from '../restore-points/summary.ts';
import { renderSummaryTable } from '../terminal/summary-table.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, terminalTimeZone, type CommandIo } from './io.ts';

export interface SummaryFlags {
  readonly json: boolean;
  readonly demo: boolean;
}

export function printSummary(summary: Summary, json: boolean, io: CommandIo): number {
  if (json) writeSummaryJson(summary, (chunk) => io.stdout.write(chunk));
  else io.stdout.write(`${renderSummaryTable(summary, terminalTimeZone(io))}\n`);
  const failed = summary.appliances.filter((appliance) => appliance.error);
  for (const appliance of failed) io.stderr.write(`✗ ${appliance.name}: ${appliance.error}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

/** Written out in pieces of about this size: one string per workload would be 100,000 writes. */
const CHUNK_CHARS = 64 * 1024;

/**
 * `JSON.stringify(toSummaryJson(summary), null, 2)` and a newline, byte for byte, written one
 * workload at a time: at 100,000 workloads the whole document is a 144 MB string (and its copy
 * without `recent`), which made `summary --json` peak at 1 GiB.
 */
export function writeSummaryJson(summary: Summary, write: (chunk: string) => unknown): void {
  let pending = '';
  const out = (text: string) => {
    pending += text;
    if (pending.length >= CHUNK_CHARS) {
      write(pending);
      pending = '';
    }
  };
  const document = toSummaryJson({ ...summary, appliances: [] }) as Record<string, unknown>;
  withHole(document, 'appliances', '', out, () =>
    writeArray(summary.appliances, '  ', out, (appliance, indent) =>
      withHole(applianceFields(appliance), 'workloads', indent, out, () =>
        writeArray(appliance.workloads, `${indent}  `, out, (workload, inner) => out(indented(publicWorkload(workload), inner))),
      ),
    ),
  );
  write(`${pending}\n`);
}

/** The appliance's fields in the document's order; its workloads are written separately. */
function applianceFields(appliance: ApplianceSummary): Record<string, unknown> {
  const [first] = (toSummaryJson({ generatedAt: '', appliances: [{ ...appliance, workloads: [] }] }) as { appliances: Array<Record<string, unknown>> }).appliances;
  return first!;
}

/** A placeholder no summary value can contain (JSON escapes control characters). */
const HOLE = '\u0000hole\u0000';
const HOLE_TEXT = JSON.stringify(HOLE);

function indented(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${indent}`);
}

/** Writes `object` pretty-printed at `indent`, with `fill` writing the value of `key`. */
function withHole(object: Record<string, unknown>, key: string, indent: string, out: (text: string) => void, fill: () => void): void {
  const [before, after] = indented({ ...object, [key]: HOLE }, indent).split(HOLE_TEXT);
  out(before!);
  fill();
  out(after!);
}

function writeArray<T>(items: readonly T[], indent: string, out: (text: string) => void, item: (value: T, indent: string) => void): void {
  if (items.length === 0) {
    out('[]');
    return;
  }
  out('[\n');
  items.forEach((value, index) => {
    out(`${indent}  `);
    item(value, `${indent}  `);
    out(index < items.length - 1 ? ',\n' : '\n');
  });
  out(`${indent}]`);
}

export async function summaryCommand(flags: SummaryFlags, io: CommandIo): Promise<number> {
  const opened = await openFleet(flags, io);
  if (typeof opened === 'number') return opened;
  try {
    return printSummary(await opened.fleet.summary(), flags.json, io);
  } finally {
    await opened.close();
  }
}
