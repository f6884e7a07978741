/**
 * A fake of Slack's Socket Mode endpoint, for tests that run the real Bolt app in Socket Mode
 * against the fake Slack (fake-slack.ts). A minimal RFC 6455 server on `node:http`'s `upgrade`
 * event: no dependency, no extension (permessage-deflate is offered by the client and declined).
 *
 * What it does like Slack:
 * - answers `apps.connections.open` on the fake Slack (through `slack.setDefault`): `not_authed`
 *   without a token, `not_allowed_token_type` for anything but an app-level token (`xapp-…`), else
 *   `{ ok: true, url }` with a fresh single-use ticket in the ws:// URL;
 * - accepts a websocket on that URL (Sec-WebSocket-Accept handshake; an unknown or used ticket
 *   is refused with 401) and sends `{"type":"hello",…}` (or holds it until `hello()`);
 * - sends envelopes as text frames, `{ envelope_id, type, payload, accepts_response_payload }`
 *   (plus `retry_attempt`/`retry_reason` for events_api), and matches the client's acks
 *   (`{ envelope_id, payload? }`) to them;
 * - answers every ping with a pong carrying the same data, can ping the client, can send
 *   `{"type":"disconnect","reason":…}`, and completes close handshakes from either side.
 *
 * Frames from the client are decoded strictly: they must be masked, use no reserved bits,
 * control frames ≤ 125 bytes and unfragmented; 16- and 64-bit lengths and fragmented messages are
 * reassembled. A violation closes the connection (1002, 1007 for bad UTF-8) and is listed in
 * `protocolErrors`, which a test should expect to be empty.
 *
 * Not modelled: Slack's `warning` disconnect ahead of a refresh, the `debug_info` of a real hello,
 * several connections sharing the envelopes (the newest open connection gets them all).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FakeSlack, SlackRequest } from './fake-slack.ts';
import { lastFailure, pollUntil } from './poll.ts';
import { blockActionsBody, eventCallbackBody, slashCommandBody, TEST_APP_ID, type EventCallbackOptions, type SlashCommandFields } from './slack-signing.ts';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Slack expects an ack within 3 seconds. */
export const ACK_DEADLINE_MS = 3_000;

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

type Json = Record<string, unknown>;

export interface SocketModeEnvelope {
  /** `slash_commands`, `events_api`, `interactive`… */
  readonly type: string;
  readonly payload: Json;
  /** A fresh one unless given (give a new one for a redelivery: Slack does). */
  readonly envelope_id?: string;
  /** Default: true for slash_commands and interactive, false for events_api. */
  readonly accepts_response_payload?: boolean;
  readonly retry_attempt?: number;
  readonly retry_reason?: string;
}

export interface SocketModeAck {
  readonly envelope_id: string;
  /** What the client put in `payload` (Bolt always sends one; `{}` for a bare ack). */
  readonly payload: Json | undefined;
  /** `Date.now()` when the ack arrived. */
  readonly at: number;
  /** `Date.now()` when the envelope was sent. */
  readonly sentAt: number;
  /** The connection (1-based, in order of opening) the ack came on. */
  readonly connection: number;
}

export interface ClientMessage {
  readonly connection: number;
  readonly at: number;
  readonly text: string;
  /** The parsed JSON object, or null when the text was not one. */
  readonly json: Json | null;
}

export interface SocketModeClose {
  readonly connection: number;
  /** Who sent the first close frame; `none` when the TCP connection ended without one. */
  readonly initiator: 'client' | 'server' | 'none';
  /** The status code of the first close frame (null when it had none, or there was none). */
  readonly code: number | null;
  readonly reason: string;
  /** Both close frames were exchanged before the TCP connection ended. */
  readonly clean: boolean;
  readonly at: number;
}

export interface FakeSocketModeOptions {
  /** Do not send `hello` on connect; `hello()` sends it. */
  readonly holdHello?: boolean;
}

export interface FakeSocketMode {
  /** `ws://127.0.0.1:PORT/link/`; apps.connections.open answers it with `?ticket=…` appended. */
  readonly url: string;
  /** Websocket handshakes accepted so far. */
  readonly connections: number;
  /** Connections currently open (until their TCP connection ends). */
  readonly open: number;
  /** Every text message the client sent, acks included, in order. */
  readonly messages: readonly ClientMessage[];
  /** Every ack, in order (one per envelope_id is expected). */
  readonly acks: readonly SocketModeAck[];
  /** One entry per connection that ended. */
  readonly closes: readonly SocketModeClose[];
  /** Pings received from the client (each answered with a pong). */
  readonly pingsReceived: number;
  /** Handshakes refused (bad ticket, not a websocket upgrade…), with the reason. */
  readonly refused: readonly string[];
  /** Frames that broke RFC 6455; each closed its connection. */
  readonly protocolErrors: readonly string[];
  /**
   * Answer the client's close frame (and end the connection), as Slack does. false: a Slack
   * that never completes the close handshake (the client must drop the connection itself).
   */
  answerClose: boolean;
  /** Send `hello` on every open connection that has not had one. */
  hello(): void;
  /**
   * Send an envelope on the newest open connection; resolves with the client's ack for its
   * envelope_id, rejects when none comes within `timeoutMs` (default ACK_DEADLINE_MS) or the
   * connection closes first.
   */
  send(envelope: SocketModeEnvelope, timeoutMs?: number): Promise<SocketModeAck>;
  /** `{"type":"disconnect","reason":…}` on every open connection, as Slack does before recycling one. */
  disconnect(reason?: string): void;
  /** Ping the newest open connection; resolves on the pong (rejects after `timeoutMs`, default 2000). */
  ping(timeoutMs?: number): Promise<void>;
  /** Polls `predicate` every 10 ms (a throw counts as not yet); rejects after `timeoutMs` (default 2000). */
  waitFor(predicate: () => boolean | void, timeoutMs?: number, description?: string): Promise<void>;
  /** Close every connection (1001, going away), stop listening, restore apps.connections.open. */
  close(): Promise<void>;
}

// ---- envelope builders (the same bodies the HTTP suite posts, as Socket Mode carries them) ----

let envelopeSequence = 0;

export function newEnvelopeId(): string {
  envelopeSequence += 1;
  return `${randomUUID()}-${envelopeSequence}`;
}

/** A `slash_commands` envelope: the command's form fields as a JSON object. */
export function slashCommandEnvelope(fields: SlashCommandFields): SocketModeEnvelope {
  return { type: 'slash_commands', payload: Object.fromEntries(new URLSearchParams(slashCommandBody(fields))), accepts_response_payload: true };
}

/** An `events_api` envelope around the `event_callback` body (same event_id → a redelivery). */
export function eventsApiEnvelope(event: Json, options: EventCallbackOptions & { retryAttempt?: number; retryReason?: string } = {}): SocketModeEnvelope {
  const { retryAttempt, retryReason, ...callback } = options;
  return {
    type: 'events_api',
    payload: JSON.parse(eventCallbackBody(event, callback)) as Json,
    accepts_response_payload: false,
    retry_attempt: retryAttempt ?? 0,
    retry_reason: retryReason ?? '',
  };
}

/** An `interactive` envelope around a `block_actions` payload (defaults as in blockActionsBody). */
export function interactiveEnvelope(payload: Json): SocketModeEnvelope {
  const form = new URLSearchParams(blockActionsBody(payload));
  return { type: 'interactive', payload: JSON.parse(form.get('payload') ?? '{}') as Json, accepts_response_payload: false };
}

// ---- frames ----

interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
  /** Bytes the frame took in the buffer. */
  readonly size: number;
}

/** One client frame from the start of `buffer`; null until it is complete; a string for a violation. */
export function decodeClientFrame(buffer: Buffer): Frame | string | null {
  if (buffer.length < 2) return null;
  const first = buffer[0]!;
  const second = buffer[1]!;
  const fin = (first & 0x80) !== 0;
  const opcode = first & 0x0f;
  if ((first & 0x70) !== 0) return 'reserved bits set, but no extension was negotiated';
  if ((second & 0x80) === 0) return 'a client frame was not masked';
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    const long = buffer.readBigUInt64BE(2);
    if (long > BigInt(MAX_MESSAGE_BYTES)) return `a frame of ${long} bytes (more than ${MAX_MESSAGE_BYTES})`;
    length = Number(long);
    offset = 10;
  }
  if (opcode >= 0x8 && (length > 125 || !fin)) return `control frame 0x${opcode.toString(16)} too long or fragmented`;
  if (buffer.length < offset + 4 + length) return null;
  const mask = buffer.subarray(offset, offset + 4);
  offset += 4;
  const payload = Buffer.allocUnsafe(length);
  for (let index = 0; index < length; index++) payload[index] = buffer[offset + index]! ^ mask[index & 3]!;
  return { fin, opcode, payload, size: offset + length };
}

/** A single unmasked server frame (servers never mask). */
export function encodeServerFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseObject(text: string): Json | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

// ---- the server ----

interface PendingAck {
  readonly connection: Connection;
  readonly sentAt: number;
  readonly resolve: (ack: SocketModeAck) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  buffer: Buffer;
  fragments: Buffer[] | null;
  fragmentOpcode: number;
  helloSent: boolean;
  closeSent: { code: number | null; reason: string } | null;
  closeReceived: { code: number | null; reason: string } | null;
  /** Who sent the first close frame. */
  closeInitiator: 'client' | 'server' | null;
  ended: boolean;
  pongWaiters: Array<() => void>;
}

class FakeSocketModeServer implements FakeSocketMode {
  readonly url: string;
  answerClose = true;
  connections = 0;
  pingsReceived = 0;
  readonly messages: ClientMessage[] = [];
  readonly acks: SocketModeAck[] = [];
  readonly closes: SocketModeClose[] = [];
  readonly refused: string[] = [];
  readonly protocolErrors: string[] = [];
  private readonly live = new Set<Connection>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly tickets = new Set<string>();
  private readonly server: Server;
  private readonly slack: FakeSlack;
  private readonly options: FakeSocketModeOptions;

  constructor(server: Server, port: number, slack: FakeSlack, options: FakeSocketModeOptions) {
    this.server = server;
    this.slack = slack;
    this.options = options;
    this.url = `ws://127.0.0.1:${port}/link/`;
    server.on('request', (_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      response.end('fake Socket Mode: websocket connections only\n');
    });
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(request, socket, head));
    slack.setDefault('apps.connections.open', (call) => ({ body: this.connectionsOpen(call) }));
  }

  get open(): number {
    return this.live.size;
  }

  hello(): void {
    for (const connection of this.live) {
      if (connection.helloSent || connection.closeSent || connection.closeReceived) continue;
      connection.helloSent = true;
      this.sendText(connection, {
        type: 'hello',
        num_connections: this.live.size,
        debug_info: { host: 'fake-socket-mode', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: TEST_APP_ID },
      });
    }
  }

  send(envelope: SocketModeEnvelope, timeoutMs = ACK_DEADLINE_MS): Promise<SocketModeAck> {
    const connection = this.newest();
    if (!connection) return Promise.reject(new Error(`fake Socket Mode: no open connection to send a ${envelope.type} envelope on`));
    const envelopeId = envelope.envelope_id ?? newEnvelopeId();
    const accepts = envelope.accepts_response_payload ?? envelope.type !== 'events_api';
    const message: Json = { envelope_id: envelopeId, type: envelope.type, payload: envelope.payload, accepts_response_payload: accepts };
    if (envelope.retry_attempt !== undefined) message['retry_attempt'] = envelope.retry_attempt;
    if (envelope.retry_reason !== undefined) message['retry_reason'] = envelope.retry_reason;
    return new Promise<SocketModeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`fake Socket Mode: no ack for ${envelope.type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { connection, sentAt: Date.now(), resolve, reject, timer });
      this.sendText(connection, message);
    });
  }

  disconnect(reason = 'refresh_requested'): void {
    for (const connection of this.live) {
      if (!connection.closeSent) this.sendText(connection, { type: 'disconnect', reason, debug_info: { host: 'fake-socket-mode' } });
    }
  }

  ping(timeoutMs = 2000): Promise<void> {
    const connection = this.newest();
    if (!connection) return Promise.reject(new Error('fake Socket Mode: no open connection to ping'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Socket Mode: no pong within ${timeoutMs} ms`)), timeoutMs);
      connection.pongWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.write(connection, OPCODE.ping, Buffer.from(`ping ${Date.now()}`));
    });
  }

  async waitFor(predicate: () => boolean | void, timeoutMs = 2000, description?: string): Promise<void> {
    const poll = await pollUntil(predicate, timeoutMs);
    if (poll.met) return;
    const why = lastFailure(poll.lastError);
    throw new Error(
      `fake Socket Mode waitFor: not met within ${timeoutMs} ms: ${description ?? predicate.toString()}${why}\n` +
        `connections ${this.connections}, open ${this.open}, messages ${this.messages.length}, closes ${JSON.stringify(this.closes)}, ` +
        `refused ${JSON.stringify(this.refused)}, protocol errors ${JSON.stringify(this.protocolErrors)}`,
    );
  }

  async close(): Promise<void> {
    this.slack.setDefault('apps.connections.open', null);
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('fake Socket Mode: closed before the ack'));
    }
    this.pending.clear();
    const ended = [...this.live].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          if (!connection.closeSent && !connection.closeReceived) this.sendClose(connection, 1001, 'going away');
          // A client that never answers the close frame is cut off.
          setTimeout(() => connection.socket.destroy(), 500).unref();
        }),
    );
    await Promise.all(ended);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- internals ----

  private connectionsOpen(call: SlackRequest): Json {
    if (call.token === null) return { ok: false, error: 'not_authed' };
    if (!call.token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { ok: true, url: `${this.url}?ticket=${ticket}&app_id=${TEST_APP_ID}` };
  }

  private newest(): Connection | undefined {
    return [...this.live].filter((connection) => !connection.closeSent && !connection.closeReceived).at(-1);
  }

  private refuse(socket: Socket, status: string, why: string): void {
    this.refused.push(why);
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
  }

  private upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const key = request.headers['sec-websocket-key'];
    if (request.method !== 'GET' || request.headers.upgrade?.toLowerCase() !== 'websocket') return this.refuse(socket, '400 Bad Request', 'not a websocket upgrade');
    if (request.headers['sec-websocket-version'] !== '13') return this.refuse(socket, '426 Upgrade Required', `websocket version ${request.headers['sec-websocket-version']}`);
    if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 16) return this.refuse(socket, '400 Bad Request', 'no valid Sec-WebSocket-Key');
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== '/link/' || ticket === null || !this.tickets.delete(ticket)) {
      return this.refuse(socket, '401 Unauthorized', `unknown or used ticket (${url.pathname}${url.search}): call apps.connections.open for each connection`);
    }
    const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.setNoDelay(true);
    this.connections += 1;
    const connection: Connection = {
      id: this.connections,
      socket,
      buffer: Buffer.alloc(0),
      fragments: null,
      fragmentOpcode: 0,
      helloSent: false,
      closeSent: null,
      closeReceived: null,
      closeInitiator: null,
      ended: false,
      pongWaiters: [],
    };
    this.live.add(connection);
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    // node:http sockets allow half-open connections: when the client ends its side (or drops
    // the connection), end ours, or 'close' never comes.
    socket.on('end', () => socket.end());
    socket.on('close', () => this.ended(connection));
    if (head.length > 0) this.receive(connection, head);
    if (!this.options.holdHello) this.hello();
  }

  private ended(connection: Connection): void {
    if (connection.ended) return;
    connection.ended = true;
    this.live.delete(connection);
    const initiator = connection.closeInitiator ?? 'none';
    const frame = initiator === 'client' ? connection.closeReceived : initiator === 'server' ? connection.closeSent : null;
    this.closes.push({
      connection: connection.id,
      initiator,
      code: frame?.code ?? null,
      reason: frame?.reason ?? '',
      clean: connection.closeSent !== null && connection.closeReceived !== null,
      at: Date.now(),
    });
    for (const [id, pending] of this.pending) {
      if (pending.connection !== connection) continue;
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new Error(`fake Socket Mode: connection ${connection.id} closed before the ack of ${id}`));
    }
  }

  private receive(connection: Connection, chunk: Buffer): void {
    connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk]);
    while (!connection.ended && connection.closeReceived === null) {
      const frame = decodeClientFrame(connection.buffer);
      if (frame === null) return;
      if (typeof frame === 'string') return this.fail(connection, 1002, frame);
      connection.buffer = connection.buffer.subarray(frame.size);
      this.frame(connection, frame);
    }
  }

  private frame(connection: Connection, frame: Frame): void {
    switch (frame.opcode) {
      case OPCODE.ping:
        this.pingsReceived += 1;
        this.write(connection, OPCODE.pong, frame.payload);
        return;
      case OPCODE.pong:
        for (const waiter of connection.pongWaiters.splice(0)) waiter();
        return;
      case OPCODE.close:
        return this.closeFrame(connection, frame.payload);
      case OPCODE.text:
      case OPCODE.binary:
        if (connection.fragments) return this.fail(connection, 1002, 'a new message began before the fragmented one ended');
        if (!frame.fin) {
          connection.fragments = [frame.payload];
          connection.fragmentOpcode = frame.opcode;
          return;
        }
        return this.message(connection, frame.opcode, frame.payload);
      case OPCODE.continuation: {
        if (!connection.fragments) return this.fail(connection, 1002, 'a continuation frame with no message to continue');
        connection.fragments.push(frame.payload);
        const size = connection.fragments.reduce((total, part) => total + part.length, 0);
        if (size > MAX_MESSAGE_BYTES) return this.fail(connection, 1009, `a fragmented message over ${MAX_MESSAGE_BYTES} bytes`);
        if (!frame.fin) return;
        const whole = Buffer.concat(connection.fragments);
        connection.fragments = null;
        return this.message(connection, connection.fragmentOpcode, whole);
      }
      default:
        return this.fail(connection, 1002, `unknown opcode 0x${frame.opcode.toString(16)}`);
    }
  }

  private message(connection: Connection, opcode: number, payload: Buffer): void {
    if (opcode === OPCODE.binary) {
      this.messages.push({ connection: connection.id, at: Date.now(), text: payload.toString('base64'), json: null });
      return;
    }
    let text: string;
    try {
      text = strictUtf8.decode(payload);
    } catch {
      return this.fail(connection, 1007, 'a text message that is not UTF-8');
    }
    const at = Date.now();
    const json = parseObject(text);
    this.messages.push({ connection: connection.id, at, text, json });
    const envelopeId = json?.['envelope_id'];
    if (typeof envelopeId !== 'string') return;
    const pending = this.pending.get(envelopeId);
    const payloadValue = json?.['payload'];
    const ack: SocketModeAck = {
      envelope_id: envelopeId,
      payload: typeof payloadValue === 'object' && payloadValue !== null && !Array.isArray(payloadValue) ? (payloadValue as Json) : undefined,
      at,
      sentAt: pending?.sentAt ?? Number.NaN,
      connection: connection.id,
    };
    this.acks.push(ack);
    if (pending) {
      clearTimeout(pending.timer);
      this.pending.delete(envelopeId);
      pending.resolve(ack);
    }
  }

  private closeFrame(connection: Connection, payload: Buffer): void {
    if (payload.length === 1) return this.fail(connection, 1002, 'a close frame with a one-byte body');
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : null;
    const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
    connection.closeReceived = { code, reason };
    if (connection.closeSent) {
      connection.socket.end(); // the answer to our close: the server ends the TCP connection
      return;
    }
    connection.closeInitiator = 'client';
    if (!this.answerClose) return;
    this.sendClose(connection, code ?? 1000, '');
    connection.socket.end();
  }

  private sendClose(connection: Connection, code: number, reason: string): void {
    connection.closeInitiator ??= 'server';
    connection.closeSent = { code, reason };
    this.write(connection, OPCODE.close, closePayload(code, reason));
  }

  private fail(connection: Connection, code: number, why: string): void {
    this.protocolErrors.push(`connection ${connection.id}: ${why}`);
    if (!connection.closeSent) this.sendClose(connection, code, why.slice(0, 100));
    connection.socket.end();
    setTimeout(() => connection.socket.destroy(), 200).unref();
  }

  private sendText(connection: Connection, message: Json): void {
    this.write(connection, OPCODE.text, Buffer.from(JSON.stringify(message), 'utf8'));
  }

  private write(connection: Connection, opcode: number, payload: Buffer): void {
    if (connection.ended || connection.socket.destroyed || (connection.closeSent && opcode !== OPCODE.close)) return;
    connection.socket.write(encodeServerFrame(opcode, payload));
  }
}

/**
 * Start the fake Socket Mode endpoint on 127.0.0.1 and make `slack` answer apps.connections.open
 * with it. Close it before the fake Slack.
 */
export async function startFakeSocketMode(slack: FakeSlack, options: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return new FakeSocketModeServer(server, port, slack, options);
}
