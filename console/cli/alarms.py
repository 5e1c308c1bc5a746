"""`emergency alarms simulate`: publish a realistic release (a cloud spreading downwind across a ring of detectors) to the broker."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import typer
from rich.console import Console

from fixtures.resources.demo_detectors import RINGS, ring_detectors
from services.alarms.config import DEFAULT_MQTT_URL
from services.alarms.simulate import Site, publish, release
from services.common.clock import utcnow
from services.common.names import DETECTOR

console = Console()
alarms_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Detector alarms: simulate a release for demos and drills.")


@alarms_app.command()
def simulate(
    park: str = typer.Option("ligang", help="Park whose demo detectors see the release."),
    area: str = typer.Option("lg-cl2", help="Detector ring, by id prefix (e.g. lg-cl2, lg-nh3, sg-nh3, xg-cl2, cx-co)."),
    wind_to: float = typer.Option(45.0, help="Direction the wind blows towards, degrees from north."),
    wind_speed: float = typer.Option(2.5, help="Wind speed, m/s: sets when the cloud reaches each detector."),
    readings: int = typer.Option(4, min=1, max=100, help="Readings per reached detector (pre-alarm, then alarms)."),
    spread: float = typer.Option(120.0, min=1, max=360, help="Plume width, degrees around the wind direction."),
    exercise: str = typer.Option("", help="Publish inside this exercise (drills/{exercise}/...) instead of live."),
    mqtt_url: str = typer.Option("", help="mqtt://[user:password@]host:port; default MQTT_URL or mqtt://127.0.0.1:1883."),
) -> None:
    """Publish the burst with QoS 1 and report what was sent."""
    ring = next((r for r in RINGS if r.park_id == park and r.prefix == area), None)
    if ring is None:
        choices = ", ".join(r.prefix for r in RINGS if r.park_id == park) or "none"
        console.print(f"[red]no detector ring {area!r} in park {park!r}[/red] (rings there: {choices})")
        raise typer.Exit(2)
    sites = [Site(DETECTOR.format(d.park_id, d.detector_id), d.position.latitude, d.position.longitude, d.unit, d.pre_alarm_threshold, d.alarm_threshold)
             for d in ring_detectors(ring) if d.position is not None]  # fmt: skip
    start = utcnow() - timedelta(seconds=readings * 10 + 120)  # the cloud spread in the last minutes: nothing lies in the future
    burst = release(sites, source=(ring.lat, ring.lon), wind_to_deg=wind_to, wind_mps=wind_speed, start=start, readings=readings,
                    spread_deg=spread, exercise_id=exercise, tag=uuid.uuid4().hex[:8])  # fmt: skip
    url = mqtt_url or os.environ.get("MQTT_URL", DEFAULT_MQTT_URL)
    try:
        sent = publish(url, burst)
    except (ConnectionError, OSError, TimeoutError) as exc:
        console.print(f"[red]could not publish: {exc}[/red]")
        raise typer.Exit(1) from None
    reached = len({m.topic for m in burst})
    where = f"exercise {exercise}" if exercise else "live"
    console.print(
        f"published {sent} alarms from {reached} of {len(sites)} detectors of {ring.area} ({park}, {where}), wind to {wind_to:g}° at {wind_speed:g} m/s"
    )
