/**
 * A response body read with a bound: bytes are counted as they arrive and the read stops at
 * `maxBytes`, so a 200 MB page costs at most the limit in memory, never the page. A body that
 * breaks off half-way (a reset connection) is told apart from a refusal, so a GET can be asked again.
 */
import type { Readable } from 'node:stream';
import { within } from '../lib/timeout.ts';
import { VeeamError } from './errors.ts';

/** The default `MAX_PAGE_BYTES`: 64 MiB, some 100,000 restore points a page. */
export const DEFAULT_MAX_PAGE_BYTES = 64 * 1024 ** 2;

/** The body broke off while arriving (reset, closed, stalled): asking again may well work. */
export class BodyInterrupted extends Error {
  constructor(cause: unknown) {
    super('the answer broke off while arriving', { cause });
    this.name = 'BodyInterrupted';
  }
}

function sizeText(bytes: number): string {
  const mib = bytes / 1024 ** 2;
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}

function tooLarge(host: string, what: string, maxBytes: number): VeeamError {
  const hint = 'raise MAX_PAGE_BYTES if the appliance really serves pages this large';
  return new VeeamError('too-large', `${host} sent ${what} larger than ${sizeText(maxBytes)} (MAX_PAGE_BYTES), which the bot refuses: ${hint}.`, { hint });
}

/** Stops a body: its connection is closed, and the abort that undici reports is nobody's error. */
function discard(body: BodyChunks): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** A body as it arrives: undici's Readable, or a web stream (ky's) through `Readable.fromWeb`. */
export type BodyChunks = Readable;

/**
 * The body as JSON (the empty string for an empty body, like ky's `.json()`). Throws a
 * VeeamError for a body over `maxBytes`, BodyInterrupted when it breaks off or no byte arrives
 * for `stallMs`, and a SyntaxError when it is not JSON.
 */
export async function readJsonBody(body: BodyChunks | null, declaredLength: string | null | undefined, options: BodyLimits): Promise<unknown> {
  const text = await readTextBody(body, declaredLength, options);
  return text === '' ? '' : JSON.parse(text);
}

export interface BodyLimits {
  readonly maxBytes: number;
  readonly stallMs: number;
  readonly host: string;
  readonly what: string;
}

/** The body as text, with readJsonBody's bounds. */
export async function readTextBody(body: BodyChunks | null, declaredLength: string | null | undefined, options: BodyLimits): Promise<string> {
  const { maxBytes, host, what } = options;
  const declared = Number(declaredLength ?? undefined);
  if (!body) return '';
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(body);
    throw tooLarge(host, what, maxBytes);
  }
  const reader: AsyncIterator<Uint8Array> = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      // A body that stops arriving is a broken answer, however long the whole may take.
      const chunk = await within(reader.next(), options.stallMs, () => null);
      if (chunk === null) throw new BodyInterrupted(new Error(`no byte arrived for ${options.stallMs} ms`));
      if (chunk.done === true) break;
      received += chunk.value.byteLength;
      if (received > maxBytes) throw tooLarge(host, what, maxBytes);
      chunks.push(chunk.value);
    }
  } catch (error) {
    // Destroyed, not `return()`ed: the iterator would queue that behind a read that never ends.
    discard(body);
    if (error instanceof VeeamError || error instanceof BodyInterrupted) throw error;
    // An abort (the read's deadline) passes as it is; anything else broke the connection.
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) throw error;
    throw new BodyInterrupted(error);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}
