// Built-in runbook "symptom-matrix", authored for Frameline from the facts of the seed documents.
// The Markdown is kept in a template literal: write \` for a backtick, \${ for a dollar-brace, \\ for a backslash.

/** The symptom to cause matrix as a decision aid: what you see, its usual cause, the check and the fix. */
export const SYMPTOM_MATRIX = `---
id: symptom-matrix
title: WebSocket symptoms and their causes
version: 1
applies-to: [origin-rejected, proxy-missing-upgrade, upgrade-rejected, idle-timeout, no-heartbeat, heartbeat-timeout, mixed-content, abnormal-closure, server-unreachable, no-messages, proxy-buffering, protocol-violation, subprotocol-refused, auth-refused, subscription-refused]
---

# WebSocket symptoms and their causes

Start from what you see (often a 1006 close: the connection ended without a close frame) and go to
the cause that usually produces it, the check that confirms it and the fix.

\`\`\`mermaid
flowchart TD
    REPORT([A socket keeps failing]) --> SYMPTOM{What do you see?}

    SYMPTOM -->|1006 right on connect| ON_CONNECT[1006 on connect<br/>origin refused, or a proxy<br/>without the Upgrade headers]
    SYMPTOM -->|1006 after about a minute idle| IDLE[1006 after ~60 s idle<br/>proxy idle timeout,<br/>no server heartbeat]
    SYMPTOM -->|Mixed content warning| MIXED[Mixed content<br/>an https page<br/>opening ws://]
    SYMPTOM -->|1006 at random while in use| RANDOM[1006 at random<br/>unstable network,<br/>exhausted server]
    SYMPTOM -->|Never connects| NEVER[Never connects<br/>server down or<br/>port blocked]
    SYMPTOM -->|403 on connect| FORBIDDEN[403 Forbidden<br/>origin check failed]
    SYMPTOM -->|Connects, but no messages| SILENT[No messages<br/>client and server disagree<br/>on the format]
    SYMPTOM -->|1006 now and then behind a proxy| PROXY_FLAKY[Intermittent 1006 behind a proxy<br/>headers not forwarded,<br/>buffering]
    SYMPTOM -->|Opens, then the protocol refuses| REFUSED[Refused after opening<br/>subprotocol, credentials<br/>or subscription]

    ON_CONNECT --> DIRECT{Does a direct connection<br/>to the backend work?}
    DIRECT -->|Yes, only the proxy fails| FIX_UPGRADE[Forward the upgrade headers]
    DIRECT -->|No, it fails too| FIX_ORIGIN[Allow the page's origin]
    FORBIDDEN --> FIX_ORIGIN
    IDLE --> FIX_IDLE[Heartbeat under the proxy timeout]
    MIXED --> FIX_WSS[Connect with wss://]
    RANDOM --> FIX_RESOURCES[Give the server room]
    NEVER --> FIX_REACH[Start the server, open the port]
    SILENT --> FIX_FORMAT[Agree on the message format]
    PROXY_FLAKY --> FIX_PROXY[Forward headers, stop buffering]
    REFUSED --> FIX_PROTOCOL[Speak the server's protocol]

    FIX_UPGRADE --> CHECK{Does it hold now?}
    FIX_ORIGIN --> CHECK
    FIX_IDLE --> CHECK
    FIX_WSS --> CHECK
    FIX_RESOURCES --> CHECK
    FIX_REACH --> CHECK
    FIX_FORMAT --> CHECK
    FIX_PROXY --> CHECK
    FIX_PROTOCOL --> CHECK
    CHECK -->|Yes| HEALTHY([Healthy])
    CHECK -->|No, look again| SYMPTOM
\`\`\`

## A socket keeps failing {#REPORT}

A healthy connection opens without a 1006, stays open for more than 30 seconds while idle, gets the
server's heartbeat on time, answers round trips in under 100 ms and ends with a clean 1000 close.

### Capture what the client sees

Action: capture duration=60

### Let Frameline name the symptom

Action: diagnose session=latest

## What do you see? {#SYMPTOM}

Take the browser console, the server logs and the capture: how soon does the connection end, with
which code, and does it ever open?

## 1006 right on connect {#ON_CONNECT}

The connection closes at once and no message is exchanged; the server log shows an attempt but no
upgrade. Either the server refuses the origin, or a proxy in between strips the Upgrade and
Connection headers.

### Check the upgrade

Action: probe

### Compare with a direct connection

Action: probe direct=true

## Does a direct connection to the backend work? {#DIRECT}

If the backend upgrades when reached directly and the proxied path does not, the proxy is at fault.
If both fail, the server refuses the connection itself.

## 1006 after about a minute idle {#IDLE}

The connection works, then closes after about 60 seconds without traffic, and the server logs no
error. nginx's \`proxy_read_timeout\` defaults to 60 s.

### Hold an idle connection

Action: probe idleLimit=120

### Read the proxy's read timeout and the server's ping interval

\`\`\`sh
grep -R -n proxy_read_timeout /etc/nginx/ 2>/dev/null
env | grep -E '^WS_PING_(INTERVAL|TIMEOUT)=' || echo "WS_PING_INTERVAL is not set in this shell"
\`\`\`

## Mixed content warning {#MIXED}

The browser console says a page served over https tried to open an insecure ws:// endpoint and
blocked it; the server sees nothing at all.

## 1006 at random while in use {#RANDOM}

Drops during activity, not tied to idleness: an unstable network, or a server that runs out of CPU
or memory (look for processes killed by the kernel).

### Look for memory pressure and killed processes

\`\`\`sh
free -m
dmesg -T 2>/dev/null | grep -i -E 'killed process|out of memory' | tail -n 5
top -b -n 1 | head -n 15
\`\`\`

### Record the drops

Action: capture duration=120

## Never connects {#NEVER}

Nothing answers: the server is not running, or a firewall blocks the port.

### Check that something listens and answers

\`\`\`sh
port="\${WS_PORT:-9000}"
host="\${WS_HOST:-localhost}"
netstat -tuln 2>/dev/null | grep ":$port " || echo "nothing listens on port $port here"
nc -zv -w 3 "$host" "$port"
curl -sS -m 5 "\${HTTP_URL:-http://$host:$port}/health"
\`\`\`

### Check the firewall

\`\`\`sh
port="\${WS_PORT:-9000}"
ufw status 2>/dev/null
iptables -L -n 2>/dev/null | grep "$port"
\`\`\`

### Try to connect

Action: probe

## 403 on connect {#FORBIDDEN}

The server's origin check rejects the page's Origin header; some servers close with 1008 instead.

### Try other origins

Action: probe checks=origin

## Connects, but no messages {#SILENT}

The socket opens, but nothing comes back, or not what was sent: client and server disagree on the
format (JSON expected, something else sent; a serializer missing on the server).

### Send a message and wait for the echo

Action: probe checks=echo

## Intermittent 1006 behind a proxy {#PROXY_FLAKY}

The proxy does not forward the client's headers (\`X-Forwarded-*\` missing in the server's log), or
buffers messages and times out.

### Compare direct and proxied

Action: probe direct=true

### Read the proxy's forwarding and buffering settings

\`\`\`sh
nginx -T 2>/dev/null | grep -n -E 'X-Forwarded|proxy_buffering|proxy_read_timeout'
\`\`\`

## Refused after opening {#REFUSED}

The WebSocket opens, then the protocol on top of it says no: a 4406 close (no subprotocol it
speaks), a 4401 or 4403 close, a STOMP ERROR, an MQTT CONNACK refusal, a Socket.IO connect_error, or a
refused subscription.

### Open the protocol as its client would

Action: probe

## Forward the upgrade headers {#FIX_UPGRADE}

Fixes: proxy-missing-upgrade, upgrade-rejected

In the proxy's location for the socket path: \`proxy_http_version 1.1;\`,
\`proxy_set_header Upgrade $http_upgrade;\`, \`proxy_set_header Connection "upgrade";\`. Then check the
configuration and reload.

\`\`\`sh
nginx -t && nginx -s reload
\`\`\`

## Allow the page's origin {#FIX_ORIGIN}

Fixes: origin-rejected

Add the front end's origin (scheme, host and port, such as https://app.example.com) to the server's
list of allowed origins, and restart the server.

## Heartbeat under the proxy timeout {#FIX_IDLE}

Fixes: idle-timeout, no-heartbeat, heartbeat-timeout

Have the server ping every 30 seconds (and give up on a pong after 10), and raise the proxy's read
timeout to 300 s or more. Restart both.

## Connect with wss:// {#FIX_WSS}

Fixes: mixed-content

Pages served over https must use wss:// (derive the scheme from the page's). Terminate TLS at the
proxy and pass \`X-Forwarded-Proto\` on, so that the server knows the client used https.

## Give the server room {#FIX_RESOURCES}

Fixes: abnormal-closure

Scale the server out or up, pool connections, and fix whatever grows without a bound.

## Start the server, open the port {#FIX_REACH}

Fixes: server-unreachable

Start the server, then open the port in the firewall (for example \`ufw allow 9000/tcp\`) and in any
container network in between.

## Agree on the message format {#FIX_FORMAT}

Fixes: no-messages, protocol-violation

Make both sides send and expect the same serialization (JSON, with the server's JSON library
installed), and test with an echo endpoint. When the client had to close the connection itself
(1002, 1007, 1009), the server broke the framing: it must not mask its frames, must send only
valid UTF-8 as text (anything else as binary), may set reserved bits only for a negotiated
extension, and must answer a close with a close; big messages need a higher client limit or
splitting. Upgrade or replace the server's WebSocket library.

## Speak the server's protocol {#FIX_PROTOCOL}

Fixes: subprotocol-refused, auth-refused, subscription-refused

Offer the subprotocol the server speaks (\`graphql-transport-ws\`, \`mqtt\`, \`v12.stomp\`), send the
credentials where the protocol carries them (the graphql-ws \`connection_init\` payload, STOMP
\`login\` and \`passcode\`, MQTT username and password, Socket.IO \`auth\`), and grant the user
access to the topics and destinations it subscribes to.

## Forward headers, stop buffering {#FIX_PROXY}

Fixes: proxy-buffering

Pass \`Host\`, \`X-Real-IP\`, \`X-Forwarded-For\`, \`X-Forwarded-Proto\` and \`X-Forwarded-Host\`, and turn
\`proxy_buffering off\` for the socket path.

\`\`\`sh
nginx -t && nginx -s reload
\`\`\`

## Does it hold now? {#CHECK}

### Capture again

Action: capture duration=60

### Diagnose the new capture

Action: diagnose session=latest

## Healthy {#HEALTHY}

The symptom is gone. Keep the capture of the fixed endpoint with the incident as the evidence.
`;
