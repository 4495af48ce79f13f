"""A WebSocket client from an independent implementation (Python `websockets`, Debian's package).

Usage: /usr/bin/python3 python_ws_client.py URL [--origin O] [--subprotocol P]... [--header "K: V"]...
                                             [--expect N] [--send TEXT]... [--hold] [--stdin]
                                             [--cafile CA.pem]
Prints one JSON line per event: {"open": true, "subprotocol": P}; {"received": TEXT} for the first
N messages (--expect), then {"received": TEXT} for the answer to each --send; then either closes
with 1000 (default) or, with --hold, prints {"holding": true} and waits for the server to close;
finally {"closed": CODE, "reason": R}. A refused upgrade prints {"refused": STATUS}. --cafile: the
only CA trusted for a wss:// URL (the default context otherwise: name and chain checked).
--stdin: after the open, sends each line read from stdin (printing {"sent": TEXT}) and prints every
message as it arrives, {"received": TEXT, "ms": M} with M the milliseconds since the latest send as
this client measures them; closes with 1000 at the end of stdin, or ends when the server closes.
"""
import argparse
import asyncio
import json
import ssl
import sys
import time

import websockets


def say(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--origin", default=None)
    parser.add_argument("--subprotocol", action="append", default=[])
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--send", action="append", default=[])
    parser.add_argument("--hold", action="store_true")
    parser.add_argument("--cafile", default=None)
    parser.add_argument("--stdin", action="store_true")
    args = parser.parse_args()
    tls = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in args.header]
    try:
        ws = await websockets.connect(
            args.url,
            origin=args.origin,
            subprotocols=args.subprotocol or None,
            extra_headers=headers,
            ping_interval=None,
            **({"ssl": tls} if tls else {}),
        )
    except websockets.InvalidStatusCode as e:
        say({"refused": e.status_code})
        return
    say({"open": True, "subprotocol": ws.subprotocol})
    if args.stdin:
        await interactive(ws)
        say({"closed": ws.close_code, "reason": ws.close_reason})
        return
    for _ in range(args.expect):
        say({"received": await ws.recv()})
    for text in args.send:
        await ws.send(text)
        say({"received": await ws.recv()})
    if args.hold:
        say({"holding": True})
        await ws.wait_closed()
    else:
        await ws.close(code=1000, reason="done")
    say({"closed": ws.close_code, "reason": ws.close_reason})


async def interactive(ws) -> None:
    sent_at = [time.monotonic()]

    async def receive() -> None:
        try:
            async for message in ws:
                say({"received": message, "ms": round((time.monotonic() - sent_at[0]) * 1000)})
        except websockets.ConnectionClosed:
            pass

    receiving = asyncio.ensure_future(receive())
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while not receiving.done():
        reading = asyncio.ensure_future(reader.readline())
        await asyncio.wait([reading, receiving], return_when=asyncio.FIRST_COMPLETED)
        if receiving.done():
            reading.cancel()
            break
        line = reading.result()
        if not line:
            await ws.close(code=1000, reason="done")
            break
        text = line.decode().rstrip("\n")
        sent_at[0] = time.monotonic()
        await ws.send(text)
        say({"sent": text})
    await receiving
    await ws.wait_closed()


asyncio.run(main())
