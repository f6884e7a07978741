/**
 * Child processes for the benchmark: each side of a comparison runs in its own process, so its
 * peak memory is its own and nothing else shares its event loop. A child receives its options as
 * one JSON argument and answers with IPC messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child<Message> {
  readonly process: ChildProcess;
  /** The next message the child sends (rejects if it exits first). */
  next(): Promise<Message>;
  send(message: unknown): void;
  /** Asks the child to leave (disconnects IPC), and waits for it to exit. */
  stop(): Promise<void>;
}

export function startChild<Message>(module: string, options: unknown, execArgv: readonly string[] = []): Child<Message> {
  const path = fileURLToPath(new URL(`../${module}`, import.meta.url));
  const child = fork(path, [JSON.stringify(options)], {
    execArgv: [...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // The child's own clock and zone must not differ from the parent's.
    env: { ...process.env, TZ: process.env['TZ'] ?? 'UTC' },
  });
  const queue: Message[] = [];
  const waiters: Array<{ resolve: (message: Message) => void; reject: (error: Error) => void }> = [];
  let exited: Error | null = null;
  child.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message as Message);
    else queue.push(message as Message);
  });
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = new Error(`${module} exited (${signal ?? code}) before answering`);
      for (const waiter of waiters.splice(0)) waiter.reject(exited);
      resolve();
    });
  });
  return {
    process: child,
    next() {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (exited) return Promise.reject(exited);
      return new Promise<Message>((resolve, reject) => waiters.push({ resolve, reject }));
    },
    send(message) {
      child.send(message as object);
    },
    async stop() {
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** Runs a child to completion and returns its one answer. */
export async function runChild<Message>(module: string, options: unknown, execArgv: readonly string[] = []): Promise<Message> {
  const child = startChild<Message>(module, options, execArgv);
  try {
    return await child.next();
  } finally {
    await child.stop();
  }
}

/** In a child: its options, as given to startChild. */
export function childOptions<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('this module runs as a benchmark child process');
  return JSON.parse(raw) as T;
}

/** In a child: send one message to the parent. */
export function tellParent(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new Error('no IPC channel to the parent'));
      return;
    }
    process.send(message as object, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}
