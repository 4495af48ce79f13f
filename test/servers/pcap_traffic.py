"""A WebSocket conversation between a Python `websockets` server and client in one process, to be
captured with tcpdump and imported (Debian's package, an independent implementation).

Usage: /usr/bin/python3 pcap_traffic.py --port P [--no-deflate] [--tls CERT KEY --keylog FILE]
Serves on 127.0.0.1:P, connects a client, which sends known messages (text, a binary one, a large
one that is fragmented, one sent twice) and receives their echo, then closes with 1000 "done". Prints one JSON line:
{"url": "...", "sent": [...], "received": [...], "extensions": "..."}, each message {"type": "text"|"binary",
"data": text or base64}.
"""
import argparse
import asyncio
import base64
import json
import ssl

import websockets


def shown(m):
    if isinstance(m, bytes):
        return {"type": "binary", "data": base64.b64encode(m).decode()}
    return {"type": "text", "data": m}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-deflate", action="store_true")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--keylog")
    args = parser.parse_args()
    compression = None if args.no_deflate else "deflate"

    async def echo(ws, _path=None):
        async for m in ws:
            await ws.send(m)

    server_ssl = client_ssl = None
    if args.tls:
        server_ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ssl.load_cert_chain(args.tls[0], args.tls[1])
        client_ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client_ssl.check_hostname = False
        client_ssl.verify_mode = ssl.CERT_NONE
        if args.keylog:
            client_ssl.keylog_filename = args.keylog
    messages = [
        "hello",
        '{"op":"subscribe","channel":"prices"}',
        b"\x00\x01\x02binary\xff",
        # Sent again: compressed as a reference to the first one (the context kept between messages).
        '{"op":"subscribe","channel":"prices"}',
        "é" * 3000 + " repeated " * 2000,
        "last",
    ]
    async with websockets.serve(echo, "127.0.0.1", args.port, ssl=server_ssl, compression=compression):
        scheme = "wss" if args.tls else "ws"
        url = f"{scheme}://127.0.0.1:{args.port}/feed?x=1"
        async with websockets.connect(
            url,
            ssl=client_ssl,
            compression=compression,
            max_size=None,
        ) as ws:
            received = []
            for m in messages:
                if len(m) > 10000:
                    # A fragmented message: three frames.
                    third = len(m) // 3
                    await ws.send(iter([m[:third], m[third : 2 * third], m[2 * third :]]))
                else:
                    await ws.send(m)
                received.append(await ws.recv())
            extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")
            await ws.close(1000, "done")
    print(json.dumps({"url": url, "sent": [shown(m) for m in messages], "received": [shown(m) for m in received], "extensions": extensions}), flush=True)


asyncio.run(main())
