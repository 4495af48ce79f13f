// Built-in runbook "incident-checklist", authored for Frameline from the facts of the seed documents.
// The Markdown is kept in a template literal: write \` for a backtick, \${ for a dollar-brace, \\ for a backslash.

/** The incident response checklist: four phases time-boxed at 5, 10, 20 and 30 minutes. */
export const INCIDENT_CHECKLIST = `---
id: incident-checklist
title: WebSocket incident checklist
version: 1
applies-to: [reconnect-storm, proxy-missing-upgrade, idle-timeout, abnormal-closure]
---

# WebSocket incident checklist

Four time-boxed phases for a P1 where real-time features are down: respond within 5 minutes,
investigate within 10, resolve within 20, and finish the follow-up within 30. Each phase is a list
of checks; Frameline runs the ones it can.

\`\`\`mermaid
flowchart TD
    DECLARED([Incident declared]) --> IMMEDIATE[Immediate response<br/>under 5 minutes]
    IMMEDIATE --> INVESTIGATE[Investigation<br/>under 10 minutes]
    INVESTIGATE --> RESOLVE[Resolution<br/>under 20 minutes]
    RESOLVE --> RESTORED{Connections<br/>restored?}
    RESTORED -->|Yes| FOLLOW_UP[Post-incident<br/>under 30 minutes]
    RESTORED -->|No, investigate again| INVESTIGATE
    FOLLOW_UP --> CLOSED([Incident closed])
\`\`\`

## Incident declared {#DECLARED}

Start the clock. Every step from here is recorded in the incident's timeline.

## Immediate response {#IMMEDIATE}

Time box: 5m

Get the facts that decide everything else: is the server healthy, is the balancer set up for
WebSocket, how many connections are dropping, are clients storming, does the endpoint work directly.

### Check the server's health

Memory, CPU and the number of connections of the WebSocket server.

\`\`\`sh
pid="\${WS_PID:-$(pgrep -f node | head -n 1)}"
ps -p "$pid" -o pid=,rss=,%cpu=,etime=,args=
echo "connections: $(netstat -an 2>/dev/null | grep ":\${WS_PORT:-3000} " | grep -c ESTABLISHED)"
\`\`\`

### Check the balancer's WebSocket configuration

\`\`\`sh
nginx -T 2>/dev/null | grep -n -i -E 'proxy_set_header (upgrade|connection)|proxy_http_version|proxy_read_timeout'
\`\`\`

### Compare active and closing connections

Many sockets in TIME_WAIT or CLOSE_WAIT against few ESTABLISHED ones gives the drop rate.

\`\`\`sh
port="\${WS_PORT:-3000}"
for state in ESTABLISHED TIME_WAIT CLOSE_WAIT; do
  echo "$state $(netstat -an 2>/dev/null | grep ":$port " | grep -c "$state")"
done
\`\`\`

### Look for reconnect storms in the logs

\`\`\`sh
log="\${WS_LOG:-/var/log/websocket.log}"
echo "connects:    $(tail -n 1000 "$log" | grep -c -i ' connect')"
echo "disconnects: $(tail -n 1000 "$log" | grep -c -i disconnect)"
\`\`\`

### Test the endpoint directly, bypassing the load balancer

Action: probe direct=true

## Investigation {#INVESTIGATE}

Time box: 10m

Find the pattern and the change that caused it.

### Record the drop pattern

Do connections fall gradually (a leak, a timeout) or all at once (a deploy, a crash)?

Action: capture duration=60

### Count the close codes and reconnects

Action: diagnose session=latest

### Look for leaks and exhausted resources

\`\`\`sh
pid="\${WS_PID:-$(pgrep -f node | head -n 1)}"
echo "rss: $(ps -p "$pid" -o rss= | tr -d ' ') KB"
echo "open descriptors: $(lsof -p "$pid" 2>/dev/null | wc -l)"
dmesg -T 2>/dev/null | grep -i -E 'killed process|out of memory' | tail -n 5
\`\`\`

### Review recent deployments and configuration changes

\`\`\`sh
ls -lt /etc/nginx/conf.d /etc/nginx/sites-enabled /etc/haproxy 2>/dev/null | head -n 20
\`\`\`

### Check event loop lag and processing delays

Round trips above 100 ms while the network is fine point at a blocked event loop.

Action: probe checks=heartbeat,echo

### Examine the clients' reconnect logic and timeouts

Do clients back off, add jitter, and stop after a number of attempts? Do mobile clients get longer
timeouts when backgrounded?

## Resolution {#RESOLVE}

Time box: 20m

### Fix the balancer's timeouts and sticky sessions

Long read timeouts for long-lived sockets, \`ip_hash\` (or cookie) affinity so that a client reaches
the same backend, upgrade headers forwarded.

\`\`\`sh
nginx -t && nginx -s reload
\`\`\`

### Tune the clients' reconnect backoff

Exponential backoff with jitter and a cap on attempts.

### Clean up server connection leaks

Clear timers and listeners on close, sweep dead sockets, bound in-memory histories.

### Scale out if capacity ran out

\`\`\`sh
kubectl scale deployment/"\${WS_DEPLOYMENT:-websocket}" --replicas=5 -n "\${K8S_NAMESPACE:-default}"
kubectl rollout status deployment/"\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}" --timeout=120s
\`\`\`

### Deploy connection pooling or a fallback

Share connections where clients open too many, and fall back to polling where sockets cannot work.

## Connections restored? {#RESTORED}

### Watch the endpoint again

Action: capture duration=60

## Post-incident {#FOLLOW_UP}

Time box: 30m

### Set up WebSocket monitoring

Active connections, connect and disconnect rates by close code, message latency, heartbeat failures.

### Add health checks and automatic recovery

Health checks that perform an upgrade; restarts and drains that close with 1001.

### Write down the connection patterns and limits that held

### Plan capacity tests for connection counts

### Review the architecture for reliability

## Incident closed {#CLOSED}

Write the summary, the root cause and the impact on the incident, and export the report.
`;
