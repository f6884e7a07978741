/**
 * The layout's rules, checked on the source itself: data flows one way, so nothing imports
 * upward, no import circle exists, and no file grows past what a newcomer can read in one go.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const MAX_LINES = 420;
const MAX_ROOT_FILES = 6;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC).map((file) => path.relative(SRC, file).split(path.sep).join('/'));

/** Project files a file imports (static and dynamic, types included), relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const area = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

/** Each area, and the areas (or root files) it must never import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  lib: ['*'],
  'restore-points': ['*'],
  veeam: ['slack', 'digest', 'config', 'appliances', 'alerts', 'state', 'commands', 'terminal', 'http', 'simulator', 'cli.ts', 'bot.ts', 'metrics.ts'],
  config: ['slack', 'digest', 'appliances', 'alerts', 'state', 'commands', 'terminal', 'http', 'cli.ts', 'bot.ts', 'metrics.ts'],
  simulator: ['slack', 'digest', 'appliances', 'alerts', 'state', 'commands', 'terminal', 'http', 'cli.ts', 'bot.ts', 'metrics.ts'],
  appliances: ['slack', 'digest', 'alerts', 'commands', 'terminal', 'http', 'cli.ts', 'bot.ts', 'metrics.ts'],
  terminal: ['slack', 'digest', 'alerts', 'commands', 'http', 'cli.ts', 'bot.ts'],
};
/** What an area may import when it may import nothing of the project but itself and these. */
const ONLY: Record<string, readonly string[]> = {
  lib: ['lib'],
  'restore-points': ['restore-points', 'lib'],
};

describe('the layout', () => {
  it('keeps each area to its own concern: nothing imports upward', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = area(file);
      for (const target of imports) {
        const to = area(target);
        if (to === from) continue;
        const only = ONLY[from];
        if (only ? !only.includes(to) : (FORBIDDEN[from] ?? []).includes(to)) violations.push(`${file} → ${target}`);
      }
      if (file.startsWith('slack/listeners/')) {
        for (const target of imports) if (['digest', 'commands', 'cli.ts'].includes(area(target))) violations.push(`${file} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import circle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it(`keeps files short (at most ${MAX_LINES} lines) and the root of src/ small`, () => {
    const long = files.filter((file) => readFileSync(path.join(SRC, file), 'utf8').split('\n').length > MAX_LINES);
    expect(long).toEqual([]);
    expect(files.filter((file) => !file.includes('/')).length).toBeLessThanOrEqual(MAX_ROOT_FILES);
  });

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target) && !target.endsWith('.json')).map((target) => `${file} → ${target}`));
    expect(missing).toEqual([]);
  });
});
