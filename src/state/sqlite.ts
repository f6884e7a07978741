/**
 * The alert state in an embedded SQLite file (Node's built-in `node:sqlite`): survives restarts
 * with nothing else to run. One row holds the document; a write is one IMMEDIATE transaction, so
 * `restorepoints alerts` reading the same file meanwhile sees either the old state or the new.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Change, StateStore } from './store.ts';

const NAME = 'alerts';
/** Another process (the `alerts` command, a second serve by mistake) holding the file is waited for this long. */
const BUSY_TIMEOUT_MS = 5_000;

export function openSqliteStore(file: string, options: { readOnly?: boolean } = {}): StateStore {
  const readOnly = options.readOnly === true;
  if (readOnly && !existsSync(file)) return emptyStore(file);
  if (!readOnly) mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { readOnly, timeout: BUSY_TIMEOUT_MS });
  if (!readOnly) {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, document TEXT NOT NULL, updated_at TEXT NOT NULL)');
  }
  const hasTable = () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'").get() !== undefined;
  const select = () => {
    if (readOnly && !hasTable()) return null;
    const row = db.prepare('SELECT document FROM state WHERE name = ?').get(NAME) as { document: string } | undefined;
    return row ? (JSON.parse(row.document) as unknown) : null;
  };
  let closed = false;
  return {
    where: file,
    async read() {
      return select();
    },
    async update<T>(change: Change<T>): Promise<T> {
      if (readOnly) throw new Error(`${file} was opened read-only`);
      db.exec('BEGIN IMMEDIATE');
      try {
        const { value, result } = change(select());
        db.prepare('INSERT INTO state (name, document, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at').run(
          NAME,
          JSON.stringify(value),
          new Date().toISOString(),
        );
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** A state file that does not exist yet: nothing was ever saved. */
function emptyStore(file: string): StateStore {
  return {
    where: file,
    read: async () => null,
    update: () => Promise.reject(new Error(`${file} does not exist`)),
    close: async () => undefined,
  };
}
