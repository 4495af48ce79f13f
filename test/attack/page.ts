// What a page (or a script holding the console's token) does to `frameline serve`: HTTP requests,
// requests written byte by byte, and the API socket with its calls and answers.
import { request } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { Served } from '../support/serve.js';
import { until } from '../support/wait.js';

export interface Answer {
  id?: unknown;
  result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

export interface Page {
  sock: WebSocket;
  /** Every answer the socket was sent (pushes left out), in order. */
  answers: Answer[];
  /** Sends a call and waits for its answer; throws when serve closes the socket instead. */
  call(channel: string, payload: unknown): Promise<Answer>;
}

/** An HTTP request to serve; the body is kept. */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** A request written as given (Node's client would mend a missing or empty Host); the whole answer. */
export function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const s = connect({ host: '127.0.0.1', port }, () => s.write(text));
    s.on('data', (d: Buffer) => (answer += d.toString()));
    s.on('close', () => resolve(answer));
    s.on('error', () => resolve(answer));
  });
}

/** The API socket of a page served by `served`, with its cookie and its Origin. */
export async function apiPage(served: Served, cookie: string): Promise<Page> {
  const sock = new WebSocket(`ws://127.0.0.1:${served.port}/api`, {
    headers: { Cookie: cookie, Origin: served.origin },
  });
  const answers: Answer[] = [];
  sock.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Answer & { topic?: string };
    if (m.topic === undefined) answers.push(m);
  });
  await new Promise((r, j) => sock.once('open', r).once('error', j));
  let next = 1_000_000;
  const call = async (channel: string, payload: unknown) => {
    const id = next++;
    sock.send(JSON.stringify({ id, channel, payload }));
    let found: Answer | undefined;
    await until(
      `an answer to ${channel}`,
      () => (found = answers.find((a) => a.id === id)) !== undefined || sock.readyState === sock.CLOSED,
      15_000,
    );
    if (!found) throw new Error(`serve closed the socket instead of answering ${channel}`);
    return found;
  };
  return { sock, answers, call };
}

/** Whether a TCP connection to host:port is accepted. */
export function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 3000 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
