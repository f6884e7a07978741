/**
 * The public contract lives in the repository (docs/contract.md), every variable the code reads is in
 * it and in .env.example, and the README and --help point there, not to a document outside the repo.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const contract = read('docs/contract.md');
const example = read('.env.example');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  );
}

/** Variables the code reads by name (the process's TZ and NO_COLOR are the platform's, not ours). */
const read_by_code = [...new Set(sources('src').flatMap((file) => [...read(file).matchAll(/env\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)].map((m) => m[1]!)))].filter(
  (name) => !['TZ', 'NO_COLOR', 'CI'].includes(name),
);
/** The first column of the contract's Environment table. */
const section = contract.slice(contract.indexOf('## Environment'), contract.indexOf('### Several appliances'));
const documented = [...section.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*(?: or `[A-Z_]+`)?) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z_]+)`/g)].map((n) => n[1]!));
/** NAME=… lines of .env.example, commented out or not. */
const inExample = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);

describe('docs/contract.md', () => {
  it('documents every variable the code reads', () => {
    expect(read_by_code.length).toBeGreaterThan(10);
    for (const name of read_by_code) expect(documented, name).toContain(name);
  });

  it('keeps the issue-13, 11 and 14 additions: fields, query words, variables and the alerts command', () => {
    for (const field of ['"coverage"', '"failures"', '"newest"', '"lastFailure"']) expect(contract).toContain(field);
    for (const word of ['`unprotected`', '`failed`', '`alerts [--json]`']) expect(contract).toContain(word);
    for (const name of ['FAILURE_WINDOW', 'READ_TIMEOUT', 'MAX_PAGE_BYTES', 'ALERT_CHANNELS', 'WATCH_EVERY', 'STATE_FILE']) expect(documented).toContain(name);
  });
});

describe('.env.example', () => {
  it('lists every documented variable, and nothing else', () => {
    for (const name of documented) expect(inExample, name).toContain(name);
    for (const name of inExample) expect([...documented, ...documented.map((n) => `${n}_FILE`)], name).toContain(name);
  });

  it('holds no real secret: placeholders only', () => {
    expect(example).not.toMatch(/xox[bpa]-\d/);
    expect(example).not.toMatch(/xapp-\d/);
  });
});

describe('pointers to the contract', () => {
  it('the README and the sources never send readers to a DESIGN.md outside the repository for the schema', () => {
    const readme = read('README.md');
    expect(readme).toContain('(docs/contract.md');
    expect(readme).not.toMatch(/schema (in|of) DESIGN\.md/);
    for (const file of sources('src')) expect(read(file), file).not.toContain('DESIGN.md');
  });

  it('`summary --help` points to docs/contract.md', async () => {
    const { stdout, status } = await runCli(['summary', '--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('docs/contract.md');
  });
});
