// A bare `ws` peer in its own process for the replay benchmark: `echo` answers every message with
// itself; `serve N COUNT` sends COUNT messages of the recorded kind to every client as fast as the
// socket takes them (the reference for the mock's throughput). Prints {"port": N} when listening.
import { WebSocketServer } from 'ws';

const [mode = 'echo', countArg = '1000'] = process.argv.slice(2);
const count = Number(countArg);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  if (mode === 'echo') ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  else {
    let i = 0;
    const pump = () => {
      while (i < count) {
        ws.send(JSON.stringify({ id: i, type: 'tick', price: 100 + (i % 7) }));
        i++;
        if (ws.bufferedAmount > 4 * 1024 * 1024) return setImmediate(pump);
      }
    };
    pump();
  }
});
wss.on('listening', () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
