// Faults on a relay's live path: the mock's grammar (shared/replay/faults.ts) applied to real
// traffic, switched on and off while clients are connected. Every frame a client or its server
// sends is forwarded through a lane per direction, in order; delay, throttle and stall hold a lane,
// idle-cut, cut-after and close end the connection, reject, slow-accept and no-pong act on the
// upgrade and on pongs. Each thing a fault did is a `fault-applied` event on the client's timeline.
import { performance } from 'node:perf_hooks';
import { faultKind, faultText, type Fault, type FaultKind } from '../../../shared/replay/faults.js';

/** What a fault did, as its `fault-applied` event says it. */
export type FaultAction =
  | 'upgrade-rejected'
  | 'upgrade-held'
  | 'connection-cut'
  | 'close-sent'
  | 'message-delayed'
  | 'message-throttled'
  | 'stall-began'
  | 'stall-ended'
  | 'frame-stalled'
  | 'pong-withheld';

/** What the relay lets its faults do to a client. */
export interface FaultActions {
  /** Records a `fault-applied` event on the client's timeline. */
  applied(ordinal: number, fault: string, action: FaultAction, detail?: Record<string, unknown>): void;
  /** Drops both legs without a close frame. */
  cut(client: FaultedClient, fault: string): void;
  /** Sends this close frame to both legs. */
  close(client: FaultedClient, fault: string, code: number, reason: string): void;
  /** Records that faults were switched while the client was connected. */
  switched(ordinal: number, switchedOn: string[], switchedOff: string[]): void;
}

/** Direction of a frame as recorded: 0 towards the client (in), 1 towards the server (out). */
type Direction = 0 | 1;

interface Held {
  due: number;
  arrivedAt: number;
  run: () => void;
  /** The fault that set its time (delay or throttle), if one did. */
  cause: Fault | null;
  opcode: number;
}

/** One direction's frames waiting to be forwarded, in order. */
class Lane {
  readonly items: Held[] = [];
  timer: NodeJS.Timeout | null = null;
  /** When the throttle lets the next byte through. */
  throttleFree = 0;
}

/** A relayed client as its faults see it. */
export class FaultedClient {
  /** When both legs opened (performance.now()), null before. */
  openedAt: number | null = null;
  ended = false;
  readonly lanes: [Lane, Lane] = [new Lane(), new Lane()];
  idleTimer: NodeJS.Timeout | null = null;
  /** Timers of cut-after, close and stall, by kind. */
  readonly timers = new Map<FaultKind, NodeJS.Timeout[]>();
  /** The switch (its time) each timed fault already acted for, so that re-arming does not act twice. */
  readonly fired = new Map<FaultKind, number>();
  /** The stall holding both lanes, once it began. */
  stalledBy: { fault: Fault; since: number } | null = null;
  constructor(readonly ordinal: number) {}
}

const TIMED: readonly FaultKind[] = ['drop-after', 'close', 'stall'];

function directionName(d: Direction): 'in' | 'out' {
  return d === 0 ? 'in' : 'out';
}

/** The faults of one relay and their effect on its clients. */
export class RelayFaults {
  private readonly on = new Map<FaultKind, Fault>();
  /** When each fault was switched on (0: from the start). */
  private readonly switchedAt = new Map<FaultKind, number>();
  private readonly clients = new Set<FaultedClient>();

  constructor(
    initial: readonly Fault[],
    private readonly actions: FaultActions,
  ) {
    for (const f of initial) {
      this.on.set(f.kind, f);
      this.switchedAt.set(f.kind, 0);
    }
  }

  /** The faults switched on, as written. */
  list(): string[] {
    return [...this.on.values()].map(faultText);
  }

  /** The fault of this kind switched on, if one is. */
  get<K extends FaultKind>(kind: K): Extract<Fault, { kind: K }> | undefined {
    return this.on.get(kind) as Extract<Fault, { kind: K }> | undefined;
  }

  /** Switches faults on (replacing one of the same kind) and off (by kind name); re-arms every open client. */
  switch(on: readonly Fault[], off: readonly string[]): { switchedOn: string[]; switchedOff: string[] } {
    const switchedOn: string[] = [];
    const switchedOff: string[] = [];
    for (const name of off) {
      const kind = faultKind(name);
      const was = kind ? this.on.get(kind) : undefined;
      if (!kind || !was) continue;
      this.on.delete(kind);
      this.switchedAt.delete(kind);
      switchedOff.push(faultText(was));
    }
    const now = performance.now();
    for (const f of on) {
      this.on.set(f.kind, f);
      this.switchedAt.set(f.kind, now);
      switchedOn.push(faultText(f));
    }
    for (const c of this.clients) {
      this.actions.switched(c.ordinal, switchedOn, switchedOff);
      this.rearm(c);
    }
    return { switchedOn, switchedOff };
  }

  /** A client that opened: its timed faults and idle cut are armed. */
  opened(c: FaultedClient): void {
    c.openedAt = performance.now();
    this.clients.add(c);
    this.rearm(c);
  }

  /** A client that ended: nothing of it fires any more. */
  ended(c: FaultedClient): void {
    c.ended = true;
    this.clients.delete(c);
    this.disarm(c);
    for (const lane of c.lanes) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
      lane.items.length = 0;
    }
  }

  /** A frame either way: the idle cut starts again, as a proxy's read timeout does. */
  activity(c: FaultedClient): void {
    if (c.idleTimer) clearTimeout(c.idleTimer);
    c.idleTimer = null;
    const cut = this.get('idle-cut');
    if (!cut || c.openedAt === null || c.ended) return;
    c.idleTimer = setTimeout(() => {
      if (c.ended) return;
      this.actions.applied(c.ordinal, faultText(cut), 'connection-cut', { idleSeconds: cut.seconds });
      this.actions.cut(c, faultText(cut));
    }, cut.seconds * 1000);
  }

  /**
   * Forwards a frame the relay received, now or once the lane lets it: after earlier frames, after
   * a delay (data messages only), within the throttle, and not during a stall. A pong towards the
   * client is withheld under no-pong.
   */
  forward(c: FaultedClient, direction: Direction, opcode: number, size: number, run: () => void): void {
    const noPong = this.get('no-pong');
    if (noPong && opcode === 10 && direction === 0) {
      this.actions.applied(c.ordinal, faultText(noPong), 'pong-withheld', { bytes: size });
      return;
    }
    const lane = c.lanes[direction];
    const now = performance.now();
    let due = now;
    let cause: Fault | null = null;
    const delay = this.get('delay');
    if (
      delay &&
      (opcode === 1 || opcode === 2) &&
      ((delay.direction ?? 'in') === 'both' || (delay.direction ?? 'in') === directionName(direction))
    ) {
      due = now + Math.max(0, delay.ms + (Math.random() * 2 - 1) * delay.jitterMs);
      cause = delay;
    }
    const last = lane.items.at(-1);
    if (last && last.due > due) due = last.due;
    const throttle = this.get('throttle');
    if (throttle && size > 0) {
      if (lane.throttleFree > due) {
        due = lane.throttleFree;
        cause ??= throttle;
      }
      lane.throttleFree = due + (size / throttle.bytesPerSecond) * 1000;
    }
    if (lane.items.length === 0 && due <= now && !c.stalledBy) {
      run();
      return;
    }
    if (c.stalledBy)
      this.actions.applied(c.ordinal, faultText(c.stalledBy.fault), 'frame-stalled', {
        direction: directionName(direction),
        opcode,
      });
    lane.items.push({ due, arrivedAt: now, run, cause, opcode });
    this.pump(c, direction);
  }

  /** Forwards what is due in a lane, and waits for the next. */
  private pump(c: FaultedClient, direction: Direction): void {
    const lane = c.lanes[direction];
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    if (c.ended || c.stalledBy) return;
    const now = performance.now();
    while (lane.items.length > 0 && lane.items[0]!.due <= now) {
      const held = lane.items.shift()!;
      const waitedMs = Math.round(now - held.arrivedAt);
      if (held.cause && waitedMs >= 1)
        this.actions.applied(
          c.ordinal,
          faultText(held.cause),
          held.cause.kind === 'delay' ? 'message-delayed' : 'message-throttled',
          { direction: directionName(direction), opcode: held.opcode, ms: waitedMs },
        );
      held.run();
    }
    const next = lane.items[0];
    if (next) lane.timer = setTimeout(() => this.pump(c, direction), Math.max(0, next.due - now));
  }

  private disarm(c: FaultedClient): void {
    if (c.idleTimer) clearTimeout(c.idleTimer);
    c.idleTimer = null;
    for (const ts of c.timers.values()) for (const t of ts) clearTimeout(t);
    c.timers.clear();
  }

  /** (Re)arms a client's faults as switched now: timed ones from the later of its open and their switch. */
  private rearm(c: FaultedClient): void {
    if (c.ended || c.openedAt === null) return;
    this.disarm(c);
    // A stall whose fault was switched off (or replaced) ends now.
    if (c.stalledBy && this.on.get('stall') !== c.stalledBy.fault) this.endStall(c, 'switched off');
    this.activity(c);
    const now = performance.now();
    for (const kind of TIMED) {
      const f = this.on.get(kind);
      const switched = this.switchedAt.get(kind) ?? 0;
      if (!f || c.fired.get(kind) === switched) continue;
      const from = Math.max(c.openedAt, switched);
      // A time already past (a fault switched on with @0) acts at once, before any later frame.
      const at = (s: number, act: () => void) => {
        const wait = from + s * 1000 - now;
        if (wait <= 0) return act();
        const t = setTimeout(() => {
          if (!c.ended) act();
        }, wait);
        c.timers.set(kind, [...(c.timers.get(kind) ?? []), t]);
      };
      if (f.kind === 'drop-after')
        at(f.seconds, () => {
          c.fired.set(kind, switched);
          this.actions.applied(c.ordinal, faultText(f), 'connection-cut', { afterSeconds: f.seconds });
          this.actions.cut(c, faultText(f));
        });
      else if (f.kind === 'close')
        at(f.seconds, () => {
          c.fired.set(kind, switched);
          this.actions.applied(c.ordinal, faultText(f), 'close-sent', { code: f.code, reason: f.reason });
          this.actions.close(c, faultText(f), f.code, f.reason);
        });
      else if (f.kind === 'stall') {
        if (!c.stalledBy)
          at(f.atSeconds, () => {
            c.stalledBy = { fault: f, since: performance.now() };
            for (const lane of c.lanes) if (lane.timer) clearTimeout(lane.timer);
            this.actions.applied(c.ordinal, faultText(f), 'stall-began', { seconds: f.seconds });
          });
        at(f.atSeconds + f.seconds, () => {
          c.fired.set(kind, switched);
          this.endStall(c, 'its time was up');
        });
      }
    }
  }

  /** Forwarding starts again: what the stall held goes on, in order. */
  private endStall(c: FaultedClient, why: string): void {
    const stall = c.stalledBy;
    if (!stall) return;
    c.stalledBy = null;
    this.actions.applied(c.ordinal, faultText(stall.fault), 'stall-ended', {
      why,
      stalledMs: Math.round(performance.now() - stall.since),
      heldFrames: c.lanes[0].items.length + c.lanes[1].items.length,
    });
    this.pump(c, 0);
    this.pump(c, 1);
  }
}
