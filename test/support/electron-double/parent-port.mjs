// Loaded with --import into a process the stand-in's utilityProcess.fork started: gives it the
// process.parentPort an Electron utility process has, carried over Node's IPC channel, with the
// MessagePorts main transfers to it; and no `electron` module at all.
import { EventEmitter } from 'node:events';
import { register } from 'node:module';

// The engine process must run without Electron's modules: importing `electron` here fails loudly.
register('./no-electron.mjs', import.meta.url);

/** A port transferred from main: messages wait until start(), as on a MessagePortMain. */
class ProxyPort extends EventEmitter {
  constructor(id) {
    super();
    this.id = id;
    this.started = false;
    this.queue = [];
  }
  postMessage(data) {
    if (process.connected) process.send({ kind: 'port-message', id: this.id, data });
  }
  deliver(data) {
    if (this.started) this.emit('message', { data, ports: [] });
    else this.queue.push(data);
  }
  start() {
    this.started = true;
    for (const data of this.queue.splice(0)) setImmediate(() => this.emit('message', { data, ports: [] }));
  }
  close() {}
}

const ports = new Map();
/** Messages that came before the entry module listened (it is still loading). */
const early = [];
const parentPort = new EventEmitter();
parentPort.postMessage = (data) => {
  if (process.connected) process.send({ kind: 'parent-message', data });
};
parentPort.on('newListener', (event) => {
  if (event === 'message') setImmediate(() => early.splice(0).forEach((e) => parentPort.emit('message', e)));
});

process.on('message', (m) => {
  if (m.kind === 'parent-message') {
    const transferred = m.ports.map((id) => {
      const port = new ProxyPort(id);
      ports.set(id, port);
      return port;
    });
    const event = { data: m.data, ports: transferred };
    if (parentPort.listenerCount('message') > 0) parentPort.emit('message', event);
    else early.push(event);
  } else if (m.kind === 'port-message') {
    ports.get(m.id)?.deliver(m.data);
  }
});
// A utility process does not outlive the app.
process.on('disconnect', () => process.exit(0));

process.parentPort = parentPort;
