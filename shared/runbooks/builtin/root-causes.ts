// Built-in runbook "root-causes", authored for Frameline from the facts of the seed documents.
// The Markdown is kept in a template literal: write \` for a backtick, \${ for a dollar-brace, \\ for a backslash.

/** The root causes of WebSocket drops in the order of their observed shares of cases. */
export const ROOT_CAUSES = `---
id: root-causes
title: WebSocket drops, most likely cause first
version: 1
applies-to: [proxy-missing-upgrade, upgrade-rejected, idle-timeout, no-heartbeat, heartbeat-timeout, app-heartbeat-unanswered, ping-flood, reconnect-storm, server-unreachable, abnormal-closure, high-latency]
---

# WebSocket drops, most likely cause first

When nothing points anywhere yet, check the causes in the order they turn up. The shares come from
two field reports of production WebSocket disconnects; where both name a cause, both figures are
given.

| cause | share of cases |
| --- | --- |
| proxy or load balancer configuration | 40% and 35% |
| keep-alive and heartbeat | 30% |
| client reconnect storms | 25% |
| network timeouts and firewalls | 20% |
| server memory leaks and resource exhaustion | 20% and 7% |
| event loop blocking | 15% |
| client connection handling and browser limits | 5% and 3% |

\`\`\`mermaid
flowchart TD
    START([Connections drop, cause unknown]) --> PROXY{Proxy or load balancer?<br/>35-40% of cases}
    PROXY -->|Yes| FIX_PROXY[Fix the proxy's WebSocket setup]
    PROXY -->|No| HEARTBEAT{Keep-alive or heartbeat?<br/>30% of cases}
    HEARTBEAT -->|Yes| FIX_HEARTBEAT[Add a heartbeat]
    HEARTBEAT -->|No| STORM{Clients reconnecting in a storm?<br/>25% of cases}
    STORM -->|Yes| FIX_STORM[Back off reconnects]
    STORM -->|No| NETWORK{Network timeouts or a firewall?<br/>20% of cases}
    NETWORK -->|Yes| FIX_NETWORK[Fix timeouts and firewall rules]
    NETWORK -->|No| MEMORY{Leaks or exhausted resources?<br/>7-20% of cases}
    MEMORY -->|Yes| FIX_MEMORY[Clean up connections]
    MEMORY -->|No| LOOP{Blocked event loop?<br/>15% of cases}
    LOOP -->|Yes| FIX_LOOP[Unblock the event loop]
    LOOP -->|No| CLIENT{Client handling or browser limits?<br/>3-5% of cases}
    CLIENT -->|Yes| FIX_CLIENT[Fix the client]
    CLIENT -->|No| UNKNOWN([None of these: escalate with the evidence])

    FIX_PROXY --> STABLE{Stable now?}
    FIX_HEARTBEAT --> STABLE
    FIX_STORM --> STABLE
    FIX_NETWORK --> STABLE
    FIX_MEMORY --> STABLE
    FIX_LOOP --> STABLE
    FIX_CLIENT --> STABLE
    STABLE -->|Yes| DONE([Stable])
    STABLE -->|No| UNKNOWN
\`\`\`

## Connections drop, cause unknown {#START}

### Record a minute of traffic

Action: capture duration=60

### Let Frameline read it

Action: diagnose session=latest

## Proxy or load balancer? {#PROXY}

The most common cause: a proxy that does not pass the upgrade, times idle sockets out or buffers.

### Test the endpoint directly, bypassing the load balancer

Action: probe direct=true

### Look for the upgrade headers in nginx

\`\`\`sh
nginx -T 2>/dev/null | grep -n -A 10 -B 5 -i websocket
\`\`\`

## Fix the proxy's WebSocket setup {#FIX_PROXY}

Fixes: proxy-missing-upgrade, upgrade-rejected, proxy-buffering, idle-timeout

HTTP/1.1 to the backend, the Upgrade and Connection headers passed on, long read timeouts, buffering
off, and sticky sessions (\`ip_hash\`) when backends keep per-connection state.

## Keep-alive or heartbeat? {#HEARTBEAT}

Connections that die silently when idle, because nothing pings them.

### Hold an idle connection

Action: probe idleLimit=120

## Add a heartbeat {#FIX_HEARTBEAT}

Fixes: no-heartbeat, heartbeat-timeout, app-heartbeat-unanswered, idle-timeout, ping-flood

Ping every 30 s from the server and terminate a socket whose pong has not come back before the next
ping (or within 5 s); have clients answer and reconnect with backoff. One timer per connection,
started once and cleared on close: a timer started again on every reconnect or message floods the
other side with pings.

When the connection carries Socket.IO, MQTT, STOMP or graphql-ws, its own heartbeat counts, not the
WebSocket ping: the client must answer Engine.IO pings, send MQTT PINGREQ within the keep-alive, keep
STOMP heart-beats, answer graphql-ws pings. A bare socket on such an endpoint is dropped after one
timeout; use the stack's client library.

## Clients reconnecting in a storm? {#STORM}

More than 5 reconnects a second over 10 seconds.

### Record the reconnects

Action: capture duration=60

### Count them

Action: diagnose session=latest

## Back off reconnects {#FIX_STORM}

Fixes: reconnect-storm

Exponential backoff with jitter, one attempt in flight at a time, no reconnect after a clean close,
and a cap on attempts.

## Network timeouts or a firewall? {#NETWORK}

Timeouts too short for long-lived sockets, or a firewall dropping them.

\`\`\`sh
port="\${WS_PORT:-8080}"
nc -zv -w 3 "\${WS_HOST:-localhost}" "$port"
iptables -L -n 2>/dev/null | grep "$port"
\`\`\`

## Fix timeouts and firewall rules {#FIX_NETWORK}

Fixes: server-unreachable

Give long-lived sockets long timeouts (server timeout around 5 minutes; keep-alive 65 s with headers
timeout 66 s on Node), enable TCP keep-alive (60 s), and shorter timeouts for backgrounded mobile
clients (1 minute) than for active ones (5 minutes). Open the port in the firewall.

## Leaks or exhausted resources? {#MEMORY}

\`\`\`sh
port="\${WS_PORT:-8080}"
pid="\${WS_PID:-$(pgrep -f node | head -n 1)}"
echo "close_wait: $(netstat -an 2>/dev/null | grep ":$port " | grep -c CLOSE_WAIT)"
echo "rss: $(ps -p "$pid" -o rss= | tr -d ' ') KB"
\`\`\`

## Clean up connections {#FIX_MEMORY}

Fixes: abnormal-closure

Clear each connection's timers and listeners on close, keep per-connection data where it is freed
with the socket, sweep dead sockets every minute.

## Blocked event loop? {#LOOP}

Lag above 100 ms; pongs and echoes late.

### Measure round trips

Action: probe checks=heartbeat,echo

## Unblock the event loop {#FIX_LOOP}

Fixes: high-latency

Process in small batches that yield, and move CPU-heavy work to worker threads.

## Client handling or browser limits? {#CLIENT}

Clients without error handling or reconnects, or pages opening more sockets than the browser allows
per host.

## Fix the client {#FIX_CLIENT}

Handle errors and closes, reconnect with backoff, send heartbeats, share one connection.

## Stable now? {#STABLE}

### Capture again

Action: capture duration=60

## None of these {#UNKNOWN}

Escalate with this walk's timeline, captures and findings.

## Stable {#DONE}

Keep the last capture with the incident as the evidence that the fix held.
`;
