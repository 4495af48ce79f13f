// Packet captures taken here: tcpdump on the loopback interface around some traffic, and what
// `frameline import FILE.pcap` answers with --json.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ShowJson } from './session-json.js';
import { until } from './wait.js';

export interface Imported {
  sessionId: number;
  connections: number;
  frames: number;
  skipped: number;
  tcpEvents: { resets: number; retransmissions: number; zeroWindows: number; missing: number };
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r(child.exitCode);
    child.once('exit', (code) => r(code));
  });
}

/**
 * Captures the TCP traffic of `port` on loopback into `dir` while `traffic` runs; tcpdump is ready
 * once it says it is listening, and stopped with SIGTERM once the file holds all the traffic
 * (`traffic` is given the file being written). A capture the kernel dropped packets from
 * (the machine is loaded) is taken again, up to three times.
 */
export async function captured<T>(
  dir: string,
  name: string,
  port: number,
  traffic: (file: string) => Promise<T>,
): Promise<{ file: string; said: T }> {
  for (let attempt = 1; ; attempt++) {
    const file = join(dir, `${name}-${attempt}.pcap`);
    // A datagram the test sends itself once the traffic is over: tcpdump writes the packets it saw in
    // order, so once the datagram is in the file, so is all the traffic before it.
    const marker = createSocket('udp4');
    await new Promise<void>((r) => marker.bind(0, '127.0.0.1', r));
    const markerPort = marker.address().port;
    const tcpdump = spawn(
      'tcpdump',
      [
        '-i',
        'lo',
        '--immediate-mode',
        '-U',
        '-B',
        '16384',
        '-w',
        file,
        `tcp port ${port} or udp port ${markerPort}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 15_000);
      tcpdump.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/listening on lo/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      tcpdump.once('exit', (code) => reject(new Error(`tcpdump exited with ${code}: ${stderr}`)));
    });
    let said: T;
    try {
      said = await traffic(file);
      marker.send('end of the traffic', markerPort, '127.0.0.1');
      await until(
        'the capture to hold all the traffic',
        async () => (await packets(file, `udp.port == ${markerPort}`)) > 0,
        15_000,
      );
    } finally {
      marker.close();
      tcpdump.kill('SIGTERM');
      await exited(tcpdump);
    }
    const dropped = Number(/(\d+) packets dropped by kernel/.exec(stderr)?.[1] ?? 'NaN');
    if (dropped === 0 || attempt === 3) {
      expect(dropped, stderr).toBe(0);
      return { file, said };
    }
  }
}

/** The session's data messages in one direction, as the peers write them: text, or base64 for binary. */
export function messages(s: ShowJson, direction: 'out' | 'in') {
  return s
    .frames!.filter((f) => f.direction === direction && (f.opcode === 'text' || f.opcode === 'binary'))
    .map((f) => ({ type: f.opcode, data: f.payload }));
}

/**
 * The number of packets in the capture `file` that `filter` (tshark's display filter) selects; a file
 * still being written may end inside a packet, which tshark reads up to.
 */
export function packets(file: string, filter: string): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], (err, out) =>
      err && (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? reject(err)
        : resolve(out.split('\n').filter(Boolean).length),
    ),
  );
}
