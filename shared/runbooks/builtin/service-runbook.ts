// Built-in runbook "service-runbook", authored for Frameline from the facts of the seed documents.
// The Markdown is kept in a template literal: write \` for a backtick, \${ for a dollar-brace, \\ for a backslash.

/** The service runbook: triage, recovery, tuning, advanced troubleshooting; escalation at 15, 30 and 60 minutes. */
export const SERVICE_RUNBOOK = `---
id: service-runbook
title: WebSocket service runbook
version: 1
applies-to: [server-unreachable, server-close, no-heartbeat, tls-error, proxy-missing-upgrade]
---

# WebSocket service runbook

For a WebSocket service running on Kubernetes behind an ingress, when its connection alerts fire
(warning or critical): triage in the first 5 minutes, recover by minute 15, tune connections by
minute 30, then dig deeper. Escalate at 15, 30 and 60 minutes if it is still broken.

The commands use \`K8S_NAMESPACE\` (default \`default\`), \`WS_DEPLOYMENT\` (default \`websocket\`),
\`PROMETHEUS_URL\` (default \`http://prometheus:9090\`) and the walk's target (\`HTTP_URL\`, \`WS_HOST\`,
\`WS_PORT\`).

\`\`\`mermaid
flowchart TD
    ALERT([Connection alert]) --> TRIAGE[Triage<br/>first 5 minutes]
    TRIAGE --> REAL{Is the alert real?}
    REAL -->|No, a false alarm| TUNE_ALERT([Tune the alert])
    REAL -->|Yes| RECOVER[Recover the service<br/>minutes 5 to 15]
    RECOVER --> RECOVERED_1{Recovered?}
    RECOVERED_1 -->|Yes| FOLLOW_UP([Post-incident actions])
    RECOVERED_1 -->|No, 15 minutes gone| LEVEL_1[Escalate: level 1<br/>the WebSocket team]
    LEVEL_1 --> OPTIMISE[Tune connections<br/>minutes 15 to 30]
    OPTIMISE --> RECOVERED_2{Recovered?}
    RECOVERED_2 -->|Yes| FOLLOW_UP
    RECOVERED_2 -->|No, 30 minutes gone| LEVEL_2[Escalate: level 2<br/>the infrastructure team]
    LEVEL_2 --> ADVANCED[Advanced troubleshooting<br/>after 30 minutes]
    ADVANCED --> RECOVERED_3{Recovered?}
    RECOVERED_3 -->|Yes| FOLLOW_UP
    RECOVERED_3 -->|No, 60 minutes gone| LEVEL_3([Escalate: level 3<br/>the platform engineering lead])
\`\`\`

## Connection alert {#ALERT}

Real-time streams are delayed or cut, dashboards disconnect, and data may be lost while connections
are down. Open the WebSocket dashboard: active connections, connect and disconnect rates, message
latency, errors by type.

## Triage {#TRIAGE}

Time box: 5m

### Is the disconnect rate really up?

\`\`\`sh
curl -sS -G "\${PROMETHEUS_URL:-http://prometheus:9090}/api/v1/query" \\
  --data-urlencode 'query=sum(rate(websocket_disconnections_total[2m]))'
\`\`\`

### Are the pods running?

\`\`\`sh
kubectl get pods -l app="\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}"
kubectl describe pod -l app="\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}" | tail -n 30
\`\`\`

### How much CPU and memory do they use?

\`\`\`sh
kubectl top pods -l app="\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}"
kubectl top nodes
\`\`\`

### Does the health endpoint answer?

\`\`\`sh
curl -fsS -m 5 "\${HTTP_URL:-http://localhost:8003}/health" || echo "the health check failed"
\`\`\`

### Does the socket endpoint upgrade?

Action: probe

## Is the alert real? {#REAL}

A disconnect rate back to normal, healthy pods and a working upgrade mean a false alarm.

## Tune the alert {#TUNE_ALERT}

Fix the threshold or the query that fired, and note it in the incident.

## Recover the service {#RECOVER}

Time box: 10m

Fixes: server-close

### Restart the deployment

\`\`\`sh
kubectl rollout restart deployment/"\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}"
kubectl rollout status deployment/"\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}" --timeout=180s
\`\`\`

### Check the service and the ingress

The ingress must route the socket path to the service and keep upgrades working.

\`\`\`sh
kubectl get service "\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}" -o yaml
kubectl get ingress -n "\${K8S_NAMESPACE:-default}" -o yaml | grep -n -i -E 'host|path|websocket|timeout'
\`\`\`

### Check the network policies and reachability

\`\`\`sh
kubectl get networkpolicy -n "\${K8S_NAMESPACE:-default}"
nc -zv -w 3 "\${WS_HOST:-websocket}" "\${WS_PORT:-8003}"
\`\`\`

## Recovered? {#RECOVERED_1}

### Watch the endpoint for a minute

Action: capture duration=60

## Escalate to level 1 {#LEVEL_1}

Fifteen minutes in and still broken: bring in the team that owns the WebSocket service, through its
on-call channel, with this incident's timeline.

## Tune connections {#OPTIMISE}

Time box: 15m

Fixes: no-heartbeat

### Adjust the service's connection settings

A heartbeat every 30 s, connections timed out after 300 s of silence, messages up to 1 MiB, up to
10,000 connections per instance. Restart to apply.

\`\`\`sh
kubectl get configmap websocket-config -n "\${K8S_NAMESPACE:-default}" -o yaml
\`\`\`

### Scale out

\`\`\`sh
kubectl scale deployment/"\${WS_DEPLOYMENT:-websocket}" --replicas=5 -n "\${K8S_NAMESPACE:-default}"
kubectl rollout status deployment/"\${WS_DEPLOYMENT:-websocket}" -n "\${K8S_NAMESPACE:-default}" --timeout=180s
\`\`\`

### Pool connections

A pool of up to 1000, waiting at most 30 s for a connection, dropping ones idle for 300 s.

\`\`\`sh
kubectl get configmap websocket-config -n "\${K8S_NAMESPACE:-default}" -o yaml | grep -n -i pool
\`\`\`

## Recovered? {#RECOVERED_2}

### Watch the endpoint again

Action: capture duration=60

## Escalate to level 2 {#LEVEL_2}

Thirty minutes in: bring in the infrastructure team (network, load balancers, cluster).

## Advanced troubleshooting {#ADVANCED}

Time box: 30m

Fixes: tls-error, proxy-missing-upgrade

### Check the TLS certificate and handshake

\`\`\`sh
host="\${WS_HOST:-localhost}"
echo | openssl s_client -connect "$host:\${WS_PORT:-443}" -servername "$host" 2>/dev/null \\
  | openssl x509 -noout -subject -issuer -dates
\`\`\`

### Check the proxy's WebSocket configuration

\`\`\`sh
curl -sS -I -m 5 -H "Connection: Upgrade" -H "Upgrade: websocket" "\${HTTP_URL:-http://localhost/ws}"
\`\`\`

### Compare with the backend directly

Action: probe direct=true

### Add readiness and liveness probes

Readiness on \`/health\` after 5 s, every 10 s; liveness on \`/health\` after 15 s, every 20 s; so that
broken instances leave the rotation instead of taking connections.

## Recovered? {#RECOVERED_3}

### Watch the endpoint again

Action: capture duration=60

## Escalate to level 3 {#LEVEL_3}

An hour in: bring in the platform engineering lead.

## Post-incident actions {#FOLLOW_UP}

Analyse the connection patterns and the root cause, improve the load balancer and network settings,
add automated recovery, and hold a post-mortem.
`;
