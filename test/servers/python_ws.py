"""A WebSocket server from an independent implementation (Python `websockets`, Debian's package).

Usage: /usr/bin/python3 python_ws.py [--ping-interval S] [--origins A,B] [--close CODE]
                                     [--health PATH] [--echo-delay S] [--silent] [--stream S]
Echoes every message. Prints {"port": N} once listening on 127.0.0.1; stops on SIGTERM.
--ping-interval S  the server pings every S seconds (default: never)
--origins A,B      only these Origin values are accepted (others get HTTP 403)
--close CODE       after echoing the first message, close with CODE
--health PATH      answer a plain HTTP GET of PATH with 200 "ok" (default: only WebSocket upgrades)
--echo-delay S     wait S seconds before each echo (a slow backend)
--silent           never answer: messages are read and dropped
--stream S         send {"seq": n, "sentAt": epoch ms} every S seconds while connected
--subprotocols A,B accept these subprotocols (the first the client offers of them is chosen)
--report           on connect, first send what the handshake said: {"path", "origin", "cookie",
                   "authorization", "userAgent", "subprotocol"} (what a proxy in front passed on)
--ping-flood N     on connect, send N pings (payloads "0".."N-1") as fast as it can, then close with
                   1000 "flood over"
--cert F --key F   serve wss:// with this certificate and key (PEM)
--require-header "K: V"  refuse an upgrade without this header and value with HTTP 401 (a token-protected endpoint)
--refuse LIST      answer these upgrade attempts (counted from 1, across connections) with HTTP 503:
                   "2,4" or "6-" (the sixth and every later one)
--unanswered N     leave the first N messages (across connections) unanswered (--close still follows)
--answer-pings N   answer only the first N pings of each connection with a pong; later pings get none
"""
import argparse
import asyncio
import http
import json
import signal
import ssl
import sys
import time

import websockets


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ping-interval", type=float, default=None)
    parser.add_argument("--origins", default=None)
    parser.add_argument("--close", type=int, default=None)
    parser.add_argument("--health", default=None)
    parser.add_argument("--echo-delay", type=float, default=0.0)
    parser.add_argument("--silent", action="store_true")
    parser.add_argument("--stream", type=float, default=None)
    parser.add_argument("--ping-flood", type=int, default=None)
    parser.add_argument("--subprotocols", default=None)
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--refuse", default="")
    parser.add_argument("--unanswered", type=int, default=0)
    parser.add_argument("--answer-pings", type=int, default=None)
    parser.add_argument("--cert", default=None)
    parser.add_argument("--key", default=None)
    parser.add_argument("--require-header", default=None)
    args = parser.parse_args()
    upgrades = 0
    messages = 0

    def refused(n: int) -> bool:
        for item in filter(None, args.refuse.split(",")):
            if item.endswith("-") and n >= int(item[:-1]):
                return True
            if item == str(n):
                return True
        return False

    class PongKeeper(websockets.WebSocketServerProtocol):
        """Answers the first --answer-pings pings of its connection, and no later one."""

        pings_seen = 0

        async def pong(self, data=b""):
            self.pings_seen += 1
            if args.answer_pings is not None and self.pings_seen > args.answer_pings:
                return
            await super().pong(data)

    async def stream(ws):
        seq = 0
        while True:
            await asyncio.sleep(args.stream)
            seq += 1
            await ws.send(json.dumps({"seq": seq, "sentAt": int(time.time() * 1000)}))

    async def handler(ws, path=None):
        nonlocal messages
        if args.report:
            h = ws.request_headers
            await ws.send(json.dumps({
                "path": ws.path,
                "origin": h.get("Origin"),
                "cookie": h.get("Cookie"),
                "authorization": h.get("Authorization"),
                "userAgent": h.get("User-Agent"),
                "subprotocol": ws.subprotocol,
            }))
        if args.ping_flood is not None:
            for i in range(args.ping_flood):
                await ws.ping(str(i))
            await ws.close(code=1000, reason="flood over")
            return
        streamer = asyncio.ensure_future(stream(ws)) if args.stream else None
        try:
            async for message in ws:
                messages += 1
                if args.silent:
                    continue
                if messages <= args.unanswered:
                    if args.close is not None:
                        await ws.close(code=args.close, reason="scenario close")
                        return
                    continue
                if args.echo_delay:
                    await asyncio.sleep(args.echo_delay)
                await ws.send(message)
                if args.close is not None:
                    await ws.close(code=args.close, reason="scenario close")
                    return
        except websockets.ConnectionClosed:
            pass
        finally:
            if streamer:
                streamer.cancel()

    required = None
    if args.require_header:
        name, _, value = args.require_header.partition(":")
        required = (name.strip(), value.strip())

    async def process_request(path, headers):
        nonlocal upgrades
        if "websocket" in headers.get("Upgrade", "").lower():
            upgrades += 1
            if refused(upgrades):
                return http.HTTPStatus.SERVICE_UNAVAILABLE, [("Content-Type", "text/plain")], b"refused by scenario\n"
        if required is not None and headers.get(required[0]) != required[1]:
            return http.HTTPStatus.UNAUTHORIZED, [("Content-Type", "text/plain")], b"a valid token is required\n"
        if args.health is not None and path == args.health and "websocket" not in headers.get("Upgrade", "").lower():
            return http.HTTPStatus.OK, [("Content-Type", "text/plain")], b"ok\n"
        return None

    origins = args.origins.split(",") if args.origins else None
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(
        handler,
        "127.0.0.1",
        0,
        ping_interval=args.ping_interval,
        ping_timeout=None,
        origins=origins,
        subprotocols=args.subprotocols.split(",") if args.subprotocols else None,
        process_request=process_request,
        ssl=tls,
        create_protocol=PongKeeper,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write(json.dumps({"port": port}) + "\n")
        sys.stdout.flush()
        await stop


asyncio.run(main())
