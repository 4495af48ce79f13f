// Built-in runbook "ws-3am", authored for Frameline from the facts of the seed documents.
// The Markdown is kept in a template literal: write \` for a backtick, \${ for a dollar-brace, \\ for a backslash.

/** The 3 AM debugging flowchart: scope the outage (client, load balancer, server), debug, fix, verify. */
export const THREE_AM = `---
id: ws-3am
title: WebSocket alert at 3 AM
version: 1
applies-to: [reconnect-storm, idle-timeout, no-heartbeat, proxy-missing-upgrade, upgrade-rejected, proxy-buffering, server-close, abnormal-closure, high-latency, heartbeat-timeout]
---

# WebSocket alert at 3 AM

The pager says sockets are dropping and the real-time features have stopped working. Find out
whether the clients, the load balancer or the servers are to blame, fix that part, and check that
connections stay up. Aim: know the cause within 10 minutes, have stable connections within 30.

The commands below read the walk's target from the environment: \`WS_URL\`, \`WS_HOST\`, \`WS_PORT\`,
\`WS_PATH\`, \`HTTP_URL\` (the same endpoint over http/https) and \`DIRECT_URL\` (the backend, bypassing
the balancer). Set \`WS_PID\` to the server's process id where a command needs it.

\`\`\`mermaid
flowchart TD
    ALERT[WebSocket alert<br/>disconnects climbing<br/>live features broken] --> SCOPE{Where does it break?}

    SCOPE -->|Client side| CLIENT[Client side<br/>browser timeouts<br/>unstable networks<br/>reconnect loops]
    SCOPE -->|Load balancer| BALANCER[Load balancer<br/>proxy timeouts<br/>session affinity<br/>failing health checks]
    SCOPE -->|Server side| SERVER[Server side<br/>leaking memory<br/>blocked event loop<br/>exhausted resources]

    CLIENT --> CLIENT_DEBUG[Debug the clients<br/>reconnect logic<br/>network panel<br/>connection state]
    BALANCER --> LB_DEBUG[Debug the balancer<br/>WebSocket proxy settings<br/>stickiness<br/>backend health]
    SERVER --> SERVER_DEBUG[Debug the servers<br/>memory and CPU<br/>event loop lag<br/>connection pools]

    CLIENT_DEBUG --> CLIENT_FIX{What must change<br/>in the client?}
    LB_DEBUG --> LB_FIX{What is wrong<br/>in the balancer?}
    SERVER_DEBUG --> SERVER_FIX{Which resource<br/>gives out?}

    CLIENT_FIX -->|Reconnect storm| FIX_RECONNECT[Slow the reconnects<br/>exponential backoff<br/>jitter<br/>one attempt at a time]
    CLIENT_FIX -->|Browser connection limit| FIX_BROWSER[Stay under browser limits<br/>fewer sockets per page<br/>share one connection<br/>fallback transport]

    LB_FIX -->|Timeouts| FIX_TIMEOUTS[Fix balancer timeouts<br/>longer proxy timeout<br/>keep-alive on<br/>tune affinity]
    LB_FIX -->|Upgrade headers dropped| FIX_UPGRADE[Forward the upgrade<br/>HTTP/1.1 to the backend<br/>Upgrade and Connection headers<br/>no buffering]
    LB_FIX -->|Health checks| FIX_HEALTH[Fix health checks<br/>check interval<br/>WebSocket-aware check<br/>graceful drain]

    SERVER_FIX -->|Memory leak| FIX_MEMORY[Stop the leak<br/>find leaked connections<br/>clean up on close<br/>watch the growth]
    SERVER_FIX -->|Event loop lag| FIX_EVENT_LOOP[Unblock the event loop<br/>await instead of block<br/>move CPU work off<br/>worker threads]

    FIX_RECONNECT --> APPLY[Ship the emergency fix<br/>deploy the change<br/>new timeouts live<br/>watch it work]
    FIX_BROWSER --> APPLY
    FIX_TIMEOUTS --> APPLY
    FIX_UPGRADE --> APPLY
    FIX_HEALTH --> APPLY
    FIX_MEMORY --> APPLY
    FIX_EVENT_LOOP --> APPLY

    APPLY --> VERIFY{Connections<br/>stable again?}
    VERIFY -->|Yes| MONITOR([Monitor<br/>track connection health<br/>tune performance<br/>prevent a repeat])
    VERIFY -->|No| ESCALATE([Escalate<br/>architecture review<br/>capacity planning<br/>other technology])

    classDef decision fill:#F59E0B,color:#000
    class SCOPE,CLIENT_FIX,LB_FIX,SERVER_FIX,VERIFY decision
\`\`\`

## The alert fires {#ALERT}

Time box: 2m

Two minutes to see the size of it: how many sockets are open, and how they end.

### Count the open connections

A number far below the usual count means clients are being dropped; a rising number of CLOSE_WAIT
sockets means the server is not closing what its peers left.

\`\`\`sh
port="\${WS_PORT:-3000}"
echo "established: $(netstat -an 2>/dev/null | grep ":$port " | grep -c ESTABLISHED)"
echo "time_wait:   $(netstat -an 2>/dev/null | grep ":$port " | grep -c TIME_WAIT)"
echo "close_wait:  $(netstat -an 2>/dev/null | grep ":$port " | grep -c CLOSE_WAIT)"
ss -tuln | grep ":$port "
\`\`\`

### Watch the endpoint for a minute

Frameline connects to the target and records every frame and every close for 60 seconds.

Action: capture duration=60

### Count the close codes

Frameline reads the capture: which close codes, who closed, how fast clients came back.

Action: diagnose session=latest

## Where does it break? {#SCOPE}

If the endpoint works when reached directly but fails through the load balancer, take the load
balancer branch. If every kind of client drops at once and the servers look strained, take the
server branch. If only some browsers, apps or networks drop, take the client branch.

### Test the endpoint directly, bypassing the load balancer

Frameline opens the same path on the backend (\`DIRECT_URL\`) and through the balancer, and compares
the two handshakes.

Action: probe direct=true

### Check the upgrade through the balancer

A healthy answer is \`HTTP/1.1 101 Switching Protocols\`. A 200, 400, 426 or 502 here, with a 101
when going direct, puts the balancer in question.

\`\`\`sh
curl -sS -i -N --max-time 5 \\
  -H "Connection: Upgrade" -H "Upgrade: websocket" \\
  -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" -H "Sec-WebSocket-Version: 13" \\
  "\${HTTP_URL:-http://localhost:3000/}" | head -n 15
\`\`\`

## Client side {#CLIENT}

Browser timeouts, mobile clients losing the network when backgrounded, and reconnect loops that
hammer the servers. Look at what the clients do after a drop.

## Debug the clients {#CLIENT_DEBUG}

Check the reconnect logic, the browser's network panel (the WS tab shows each frame and the close
code) and how the client tracks its connection state.

### Record the reconnects

Frameline keeps reconnecting the way a well-behaved client would and records every attempt.

Action: capture duration=60

### Record the real client through a relay

Frameline listens on this machine and relays to the target: point the real client at the address it
gives (its WebSocket URL setting, or \`ssh -R\` from where it runs) and reproduce the drop. Every frame
both ways, and who closed each connection, is recorded until the step is stopped.

Action: relay duration=300

### Look for a reconnect storm

More than 5 reconnects a second over 10 seconds, or reconnects with no delay between them, is a
storm: clients are making the outage worse.

Action: diagnose session=latest

## Which change does the client need? {#CLIENT_FIX}

A storm of immediate reconnects calls for backoff. Many tabs or widgets each opening their own socket
hit the browser's limit on connections per host (about 6 for some browsers).

## Slow the reconnects down {#FIX_RECONNECT}

Fixes: reconnect-storm

Reconnect after a delay that doubles each time (for example from 1 s up to 30 s, or growing by half
each time), with about ±25% random jitter so that clients do not come back all at once, and give up
after about 10 attempts. Only one connection attempt may be in flight. Do not reconnect after a clean
1000 close, and reset the counter once a connection stays up. Wait for the close event after an
error instead of reconnecting from both handlers.

## Stay under the browser's connection limits {#FIX_BROWSER}

Share one socket between tabs and widgets (a pool, or a shared worker), close the sockets a page no
longer needs, and fall back to HTTP polling where WebSocket is not available.

## Load balancer {#BALANCER}

Proxy timeouts that cut idle sockets, session affinity that piles clients on a few instances, and
health checks that take backends out of rotation.

## Debug the load balancer {#LB_DEBUG}

Time box: 10m

Read the proxy's WebSocket settings, check stickiness and whether backends stay healthy.

### Read nginx's WebSocket settings

Look for \`proxy_http_version 1.1\`, \`proxy_set_header Upgrade $http_upgrade\`,
\`proxy_set_header Connection "upgrade"\`, \`proxy_read_timeout\` and \`proxy_buffering\`.

\`\`\`sh
nginx -T 2>/dev/null | grep -n -i -E 'upgrade|proxy_http_version|proxy_read_timeout|proxy_buffering|websocket'
echo "Upgrade headers set in $(nginx -T 2>/dev/null | grep -c 'proxy_set_header Upgrade') place(s)"
\`\`\`

### Count the upgrades in the access log

Status 101 lines are successful upgrades; none at all while clients try means the upgrade never
reaches the backend.

Success exit codes: 0, 1

\`\`\`sh
tail -n 5000 "\${NGINX_ACCESS_LOG:-/var/log/nginx/access.log}" | grep -c '" 101 '
\`\`\`

### Ask HAProxy about its WebSocket backends

\`\`\`sh
echo "show stat" | socat stdio "\${HAPROXY_SOCKET:-/var/run/haproxy/admin.sock}" | grep -i websocket
echo "show sess" | socat stdio "\${HAPROXY_SOCKET:-/var/run/haproxy/admin.sock}" | head -20
\`\`\`

### Check the upgrade

Frameline sends the handshake and keeps the status, headers and body of the answer.

Action: probe

### Hold an idle connection

Frameline opens a connection and sends nothing for up to two minutes. A drop after a steady number
of seconds (60 is nginx's default read timeout; 30 is common on CDNs) is an idle timeout.

Action: probe idleLimit=120

## What is wrong in the load balancer? {#LB_FIX}

Idle sockets cut after a fixed time: timeouts. Handshakes answered with anything but 101 through the
balancer while direct ones work: the upgrade headers are dropped. Backends flapping out of rotation:
health checks.

## Fix the balancer's timeouts {#FIX_TIMEOUTS}

Fixes: idle-timeout, no-heartbeat

Raise the proxy's read and send timeouts well above the heartbeat interval (long-lived sockets often
get 3600 s; at least 300 s), keep connections alive, and have the server ping every 30 s so that
something crosses the proxy before it gives up. Tune session affinity so that reconnecting clients
spread out.

\`\`\`sh
nginx -t && nginx -s reload
\`\`\`

## Forward the upgrade {#FIX_UPGRADE}

Fixes: proxy-missing-upgrade, upgrade-rejected, proxy-buffering

The proxy must talk HTTP/1.1 to the backend and pass the hop-by-hop headers on: in nginx,
\`proxy_http_version 1.1;\`, \`proxy_set_header Upgrade $http_upgrade;\` and
\`proxy_set_header Connection "upgrade";\`, plus \`Host\`, \`X-Real-IP\`, \`X-Forwarded-For\` and
\`X-Forwarded-Proto\`. Turn \`proxy_buffering off\` so that messages are not held back.

\`\`\`sh
nginx -t && nginx -s reload
\`\`\`

## Fix the health checks {#FIX_HEALTH}

Fixes: server-close

Check less often, use a check that performs a WebSocket upgrade (a plain HTTP check can pass while
upgrades fail), and drain connections on shutdown: close them with 1001 and let clients come back
with backoff instead of cutting them.

## Server side {#SERVER}

Memory that grows with every connection, an event loop blocked by CPU work, and file descriptors or
pools that run out.

## Debug the servers {#SERVER_DEBUG}

Time box: 10m

Fixes: server-close

### Find the server process and its load

Memory above 2 GB, more than 8192 open descriptors or more than 100 CLOSE_WAIT sockets each point at
a leak.

\`\`\`sh
pid="\${WS_PID:-$(pgrep -f node | head -n 1)}"
ps -p "$pid" -o pid=,rss=,%cpu=,etime=,args=
echo "open descriptors: $(lsof -p "$pid" 2>/dev/null | wc -l)"
\`\`\`

### Watch memory against connections

Sample the resident memory and the connection count every 10 seconds for a minute. Memory that grows
while the count stays flat is a leak.

\`\`\`sh
pid="\${WS_PID:-$(pgrep -f node | head -n 1)}"
port="\${WS_PORT:-3000}"
for i in 1 2 3 4 5 6; do
  echo "$(date +%T) rss=$(ps -p "$pid" -o rss= | tr -d ' ')KB connections=$(netstat -an 2>/dev/null | grep ":$port " | grep -c ESTABLISHED)"
  sleep 10
done
\`\`\`

### Measure the round trip

Slow pongs and echoes (above 100 ms) while the network is fine mean a busy event loop.

Action: probe checks=heartbeat,echo

## Which resource gives out? {#SERVER_FIX}

Memory climbing with the connection count: a leak. Round trips and timers late by tens of
milliseconds or more: event loop lag (alert above 100 ms).

## Stop the leak {#FIX_MEMORY}

Fixes: abnormal-closure

Find connections that are never forgotten: maps of sockets never cleaned, per-connection timers not
cleared on close, histories that grow without a bound. Clean up on close and on error, sweep sockets
that are no longer open every minute, and drop connections idle for more than 5 minutes.

## Unblock the event loop {#FIX_EVENT_LOOP}

Fixes: high-latency, heartbeat-timeout

Break long loops into batches that yield between them, await I/O instead of blocking on it, and move
CPU-heavy work to worker threads. Measure the lag continuously; above 10 ms deserves a look, above
100 ms an alert.

## Ship the emergency fix {#APPLY}

Deploy the connection logic or the new timeouts, then watch the connections again.

### Watch the endpoint after the fix

Action: capture duration=120

## Are connections stable again? {#VERIFY}

Compare with the first capture: no 1006 closes, no reconnect storm, idle connections surviving.

### Check the new capture

Action: diagnose session=latest

## Monitor {#MONITOR}

Keep watching connection health. Alert when the disconnect rate passes 10% for 2 minutes, on more than
100 new connections a second for 30 seconds (a storm), on event loop lag above 100 ms for a minute and
on server memory above 2 GB for 5 minutes. Healthy targets: more than 99.5% of connections succeed,
more than 99.9% of messages are delivered, more than 95% of reconnects succeed.

## Escalate {#ESCALATE}

The emergency fixes did not hold. Hand over the incident with this walk's timeline and captures, and
ask for an architecture review, a capacity plan, or a look at other technologies.
`;
