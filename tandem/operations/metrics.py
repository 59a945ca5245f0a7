"""Prometheus metrics: django-prometheus's request and database metrics, plus a few domain
gauges read when /metrics is scraped (two small queries): the outbox's backlog and the
scheduler's lease."""

from collections.abc import Iterator

from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from tandem.notifications.selectors import outbox_backlog_counts
from tandem.nudges.selectors import scheduler_lease_expires_at

OUTBOX = "tandem_outbox_messages"
LEASE = "tandem_scheduler_lease_expires_in_seconds"
LEASE_HELD = "tandem_scheduler_lease_taken"


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
    return (
        GaugeMetricFamily(
            OUTBOX, "Outbox messages waiting (pending) or given up (failed)", labels=["status"]
        ),
        GaugeMetricFamily(
            LEASE,
            "Seconds until the scheduler's lease runs out; negative once it has "
            "(a running scheduler renews it every interval)",
        ),
        GaugeMetricFamily(LEASE_HELD, "1 if a scheduler has ever taken the lease, else 0"),
    )


class DomainCollector(Collector):
    def describe(self) -> list[GaugeMetricFamily]:
        # Registering asks for the names; answering here keeps the database out of start-up.
        return list(_families())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        outbox, lease, held = _families()
        for status, count in sorted(outbox_backlog_counts().items()):
            outbox.add_metric([status], count)
        expires_at = scheduler_lease_expires_at()
        held.add_metric([], 0 if expires_at is None else 1)
        if expires_at is not None:
            lease.add_metric([], (expires_at - timezone.now()).total_seconds())
        yield outbox
        yield lease
        yield held


_collector = DomainCollector()


def register_domain_gauges() -> None:
    if _collector not in REGISTRY._collector_to_names:
        REGISTRY.register(_collector)
