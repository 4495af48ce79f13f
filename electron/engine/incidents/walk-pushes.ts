// Push topics of walks for the console: `walk:changed` as it happens, and a running command's
// output coalesced (about ten pushes a second per run, streams kept in order).
import type { PayloadOf } from '../../../shared/contract.js';

const FLUSH_MS = 100;

type Output = PayloadOf<'shell:output'>;

export class WalkPushes {
  private readonly pending = new Map<number, Output[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly push: {
      changed: (p: PayloadOf<'walk:changed'>) => void;
      output: (p: Output) => void;
    },
  ) {}

  readonly onChange = (c: PayloadOf<'walk:changed'>): void => {
    // Output that came before the change goes first.
    this.flush();
    this.push.changed(c);
  };

  readonly onOutput = (o: Output): void => {
    const list = this.pending.get(o.runId) ?? [];
    const last = list[list.length - 1];
    if (last && last.stream === o.stream) last.text += o.text;
    else list.push({ ...o });
    this.pending.set(o.runId, list);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  };

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = [...this.pending.values()].flat();
    this.pending.clear();
    for (const o of all) this.push.output(o);
  }

  close(): void {
    this.flush();
  }
}
