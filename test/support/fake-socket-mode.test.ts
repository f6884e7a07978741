/**
 * The fake Socket Mode endpoint on its own: apps.connections.open, the handshake, and the frame
 * paths Bolt's client does not exercise (16/64-bit lengths, fragmented messages, protocol errors),
 * driven both by undici's WebSocket (what the SDK uses) and by hand-made frames on a raw socket.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './fake-slack.ts';
import { decodeClientFrame, encodeServerFrame, startFakeSocketMode, type FakeSocketMode } from './fake-socket-mode.ts';

const APP_TOKEN = 'xapp-test-fake-token';

let slack: FakeSlack;
let fake: FakeSocketMode;
beforeEach(async () => {
  slack = await startFakeSlack();
  fake = await startFakeSocketMode(slack);
});
afterEach(async () => {
  await fake.close();
  await slack.close();
});

async function connectionsOpen(token: string | null): Promise<Record<string, unknown>> {
  const response = await fetch(`${slack.apiUrl}apps.connections.open`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  return (await response.json()) as Record<string, unknown>;
}

/** A masked client frame, as RFC 6455 §5.2 lays it out. */
function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const lengthBytes = length < 126 ? Buffer.from([0x80 | length]) : length < 0x10000 ? Buffer.from([0x80 | 126, length >> 8, length & 0xff]) : Buffer.alloc(9);
  if (length >= 0x10000) {
    lengthBytes[0] = 0x80 | 127;
    lengthBytes.writeBigUInt64BE(BigInt(length), 1);
  }
  const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index & 3]!));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode]), lengthBytes, mask, masked]);
}

/** A raw TCP client past the handshake; `frames()` decodes what the server sent so far. */
async function rawClient(url: string): Promise<{ socket: Socket; status: string; frames(): Array<{ opcode: number; payload: Buffer }> }> {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const key = randomBytes(16).toString('base64');
  socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.on('error', () => undefined);
  const deadline = Date.now() + 2000;
  while (!received.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const headerEnd = received.indexOf('\r\n\r\n');
  const head = received.subarray(0, headerEnd).toString('latin1');
  if (head.startsWith('HTTP/1.1 101')) {
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    expect(head).toContain(`Sec-WebSocket-Accept: ${accept}`);
  }
  const bodyStart = headerEnd + 4;
  return {
    socket,
    status: head.split('\r\n')[0] ?? '',
    frames() {
      const frames: Array<{ opcode: number; payload: Buffer }> = [];
      let rest = received.subarray(bodyStart);
      while (rest.length >= 2) {
        const first = rest[0]!;
        let length = rest[1]! & 0x7f;
        let offset = 2;
        if (length === 126) [length, offset] = [rest.readUInt16BE(2), 4];
        else if (length === 127) [length, offset] = [Number(rest.readBigUInt64BE(2)), 10];
        if (rest.length < offset + length) break;
        frames.push({ opcode: first & 0x0f, payload: rest.subarray(offset, offset + length) });
        rest = rest.subarray(offset + length);
      }
      return frames;
    },
  };
}

describe('apps.connections.open', () => {
  it('wants an app-level token and answers a single-use ws:// URL', async () => {
    expect(await connectionsOpen(null)).toMatchObject({ ok: false, error: 'not_authed' });
    expect(await connectionsOpen('xoxb-bot')).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
    const opened = await connectionsOpen(APP_TOKEN);
    expect(opened).toMatchObject({ ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/) });

    const first = await rawClient(String(opened['url']));
    expect(first.status).toBe('HTTP/1.1 101 Switching Protocols');
    const again = await rawClient(String(opened['url']));
    expect(again.status).toMatch(/^HTTP\/1\.1 401/);
    expect(fake.refused).toHaveLength(1);
    first.socket.destroy();
    again.socket.destroy();
  });
});

describe('frames', () => {
  it('codes lengths of 7, 16 and 64 bits both ways', () => {
    for (const size of [5, 125, 126, 65_535, 65_536, 70_000]) {
      const payload = randomBytes(size);
      const decoded = decodeClientFrame(clientFrame(0x1, payload));
      expect(decoded, String(size)).toMatchObject({ fin: true, opcode: 0x1, size: clientFrame(0x1, payload).length });
      expect(typeof decoded === 'object' && decoded !== null && decoded.payload.equals(payload)).toBe(true);
      const server = encodeServerFrame(0x1, payload);
      expect(server[1]! & 0x80).toBe(0); // never masked
      expect(server.length - payload.length).toBe(size < 126 ? 2 : size < 0x10000 ? 4 : 10);
    }
    // Incomplete frames wait for more bytes; unmasked ones are refused.
    expect(decodeClientFrame(clientFrame(0x1, randomBytes(300)).subarray(0, 100))).toBeNull();
    expect(decodeClientFrame(Buffer.from([0x81, 0x02, 0x68, 0x69]))).toMatch(/not masked/);
  });

  it('talks to undici’s WebSocket: hello, a 70 kB message each way, ping/pong, a clean close', async () => {
    const opened = await connectionsOpen(APP_TOKEN);
    const ws = new WebSocket(String(opened['url']));
    const received: string[] = [];
    ws.addEventListener('message', (event) => received.push(String(event.data)));
    await fake.waitFor(() => received.length === 1);
    expect(JSON.parse(received[0]!)).toMatchObject({ type: 'hello' });

    const big = 'x'.repeat(70_000);
    const acked = fake.send({ type: 'events_api', payload: { big }, envelope_id: 'env-big' });
    await fake.waitFor(() => received.length === 2);
    expect(JSON.parse(received[1]!)).toMatchObject({ envelope_id: 'env-big', type: 'events_api', accepts_response_payload: false, payload: { big } });
    ws.send(JSON.stringify({ envelope_id: 'env-big', payload: { big } }));
    expect(await acked).toMatchObject({ envelope_id: 'env-big', payload: { big }, connection: 1 });

    await fake.ping(); // undici answers pings by itself
    ws.close(1000);
    await fake.waitFor(() => fake.closes.length === 1);
    expect(fake.closes[0]).toMatchObject({ initiator: 'client', code: 1000, clean: true });
    expect(fake.protocolErrors).toEqual([]);
  });

  it('reassembles a fragmented message, pongs between fragments, and closes on a protocol error', async () => {
    const client = await rawClient(String((await connectionsOpen(APP_TOKEN))['url']));
    const ack = JSON.stringify({ envelope_id: 'env-frag', payload: { text: 'é'.repeat(200) } });
    const bytes = Buffer.from(ack);
    const acked = fake.send({ type: 'slash_commands', payload: {}, envelope_id: 'env-frag' });
    client.socket.write(clientFrame(0x1, bytes.subarray(0, 150), false));
    client.socket.write(clientFrame(0x9, Buffer.from('are you there')));
    client.socket.write(clientFrame(0x0, bytes.subarray(150, 301), false));
    client.socket.write(clientFrame(0x0, bytes.subarray(301), true));
    expect(await acked).toMatchObject({ envelope_id: 'env-frag', payload: { text: 'é'.repeat(200) } });
    expect(fake.pingsReceived).toBe(1);
    await fake.waitFor(() => {
      expect(client.frames().find((frame) => frame.opcode === 0xa)?.payload.toString()).toBe('are you there');
    });

    // A continuation with nothing to continue: close 1002.
    client.socket.write(clientFrame(0x0, Buffer.from('orphan')));
    await fake.waitFor(() => fake.closes.length === 1);
    expect(fake.protocolErrors).toEqual([expect.stringMatching(/continuation frame with no message/)]);
    await fake.waitFor(() => {
      expect(client.frames().find((frame) => frame.opcode === 0x8)?.payload.readUInt16BE(0)).toBe(1002);
    });
    client.socket.destroy();
  });
});
