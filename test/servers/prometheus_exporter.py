"""A Prometheus exporter the test controls (Debian's python3-prometheus-client), exposing the metric
names of the service runbook's checks, labelled environment="production":

  websocket_connections_active                 gauge: the open connections
  websocket_disconnections_total{reason}       counter: grows by the set rate per second and reason
  websocket_message_latency_seconds            histogram: `observations` per second, all at `latency`
  websocket_heartbeat_failures_total           counter: grows by the set rate per second

Usage: /usr/bin/python3 prometheus_exporter.py [JSON]
Prints {"port": N} once serving /metrics on 127.0.0.1. Each line read on stdin is a JSON object that
changes the settings from now on, answered by a line {"set": {...every setting...}}:
  {"connections": 1200, "disconnections": {"idle_timeout": 0.5}, "latency": 0.05,
   "observations": 10, "heartbeatFailures": 0}
Counters are computed from the time since each change, so a rate set to 2 reads back as rate() == 2
in Prometheus without anything running in between. Stops on SIGTERM or when stdin closes.
"""
import json
import signal
import sys
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.core import (
    REGISTRY,
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import Collector

BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
ENV = "production"


class Settings:
    """The values the test set, and counters integrated over time at the rates in force."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values = {
            "connections": 0,
            "disconnections": {},
            "latency": 0.05,
            "observations": 10,
            "heartbeatFailures": 0,
        }
        self.since = time.monotonic()
        self.disconnected: dict[str, float] = {}
        self.observed = 0.0
        self.latency_sum = 0.0
        self.latency_counts = [0.0] * len(BUCKETS)
        self.heartbeat_failed = 0.0

    def _advance(self) -> None:
        now = time.monotonic()
        elapsed = now - self.since
        self.since = now
        for reason, rate in self.values["disconnections"].items():
            self.disconnected[reason] = self.disconnected.get(reason, 0.0) + rate * elapsed
        seen = self.values["observations"] * elapsed
        self.observed += seen
        self.latency_sum += seen * self.values["latency"]
        for i, bound in enumerate(BUCKETS):
            if self.values["latency"] <= bound:
                self.latency_counts[i] += seen
        self.heartbeat_failed += self.values["heartbeatFailures"] * elapsed

    def update(self, change: dict) -> dict:
        with self.lock:
            self._advance()
            for key, value in change.items():
                if key not in self.values:
                    raise ValueError(f"unknown setting {key!r}")
                self.values[key] = value
            return dict(self.values)

    def snapshot(self):
        with self.lock:
            self._advance()
            return (
                self.values["connections"],
                dict(self.disconnected),
                self.observed,
                self.latency_sum,
                list(self.latency_counts),
                self.heartbeat_failed,
            )


class RunbookMetrics(Collector):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self):
        connections, disconnected, observed, latency_sum, counts, heartbeat = self.settings.snapshot()
        active = GaugeMetricFamily(
            "websocket_connections_active", "Open WebSocket connections", labels=["environment"]
        )
        active.add_metric([ENV], connections)
        yield active
        gone = CounterMetricFamily(
            "websocket_disconnections", "Disconnections by reason", labels=["environment", "reason"]
        )
        for reason, count in sorted(disconnected.items()):
            gone.add_metric([ENV, reason], count)
        yield gone
        latency = HistogramMetricFamily(
            "websocket_message_latency_seconds", "Message latency", labels=["environment"]
        )
        buckets = [(str(bound), count) for bound, count in zip(BUCKETS, counts)]
        buckets.append(("+Inf", observed))
        latency.add_metric([ENV], buckets, latency_sum)
        yield latency
        failures = CounterMetricFamily(
            "websocket_heartbeat_failures", "Heartbeats not answered", labels=["environment"]
        )
        failures.add_metric([ENV], heartbeat)
        yield failures


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def main() -> None:
    settings = Settings()
    if len(sys.argv) > 1:
        settings.update(json.loads(sys.argv[1]))
    REGISTRY.register(RunbookMetrics(settings))
    server = make_server("127.0.0.1", 0, make_wsgi_app(), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps({"port": server.server_port}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            print(json.dumps({"set": settings.update(json.loads(line))}), flush=True)
        except (ValueError, TypeError) as error:
            print(json.dumps({"error": str(error)}), flush=True)


if __name__ == "__main__":
    main()
