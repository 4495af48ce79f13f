"""A WebSocket server from an independent implementation (Python `websockets`, Debian's package).

Usage: /usr/bin/python3 python_ws.py [--ping-interval S] [--origins A,B] [--close CODE]
Echoes every message. Prints {"port": N} once listening on 127.0.0.1; stops on SIGTERM.
--ping-interval S  the server pings every S seconds (default: never)
--origins A,B      only these Origin values are accepted (others get HTTP 403)
--close CODE       after echoing the first message, close with CODE
"""
import argparse
import asyncio
import json
import signal
import sys

import websockets


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ping-interval", type=float, default=None)
    parser.add_argument("--origins", default=None)
    parser.add_argument("--close", type=int, default=None)
    args = parser.parse_args()

    async def handler(ws, path=None):
        async for message in ws:
            await ws.send(message)
            if args.close is not None:
                await ws.close(code=args.close, reason="scenario close")
                return

    origins = args.origins.split(",") if args.origins else None
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(
        handler, "127.0.0.1", 0, ping_interval=args.ping_interval, ping_timeout=None, origins=origins
    ) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write(json.dumps({"port": port}) + "\n")
        sys.stdout.flush()
        await stop


asyncio.run(main())
