"""Write the console's bundled base map (GeoJSON) of the Jiangyin riverside from the resources demo data definitions.

The Yangtze band follows the demo data's coarse south-bank line; parks and depots are the seeded ones; the main
roads are an illustrative sketch joining them, enough to orient an operator on a network with no tile server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from fixtures.resources.demo import _boundary
from fixtures.resources.demo_plan import DEPOTS, PARKS, SOUTH_BANK

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "console" / "web" / "src" / "map" / "jiangyin.json"
SCENARIOS_OUT = OUT.with_name("scenarios.json")
SCENARIO_DIR = ROOT / "services" / "casebase" / "data" / "scenarios"
RIVER_WIDTH_DEG = 0.02  # about 2 km of water north of the south bank
ROADS: tuple[tuple[str, str, tuple[tuple[float, float], ...]], ...] = (
    (
        "Binjiang road",
        "滨江路",
        ((120.00, 31.962), (120.09, 31.952), (120.175, 31.934), (120.225, 31.937), (120.27, 31.941), (120.33, 31.932), (120.40, 31.932)),
    ),
    ("Yanjiang expressway", "沿江高速", ((120.00, 31.905), (120.10, 31.912), (120.20, 31.900), (120.30, 31.888), (120.40, 31.885))),
    ("Jiangyin bridge approach", "江阴大桥引线", ((120.27, 31.955), (120.268, 31.930), (120.265, 31.890))),
    ("Ligang road", "利港路", ((120.09, 31.955), (120.095, 31.905))),
    ("Shengang road", "申港路", ((120.175, 31.935), (120.18, 31.902))),
    ("Chengxi road", "城西路", ((120.212, 31.935), (120.212, 31.898))),
    ("Hi-tech avenue", "高新大道", ((120.30, 31.930), (120.33, 31.900), (120.33, 31.885))),
)


def feature(layer: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    """A GeoJSON feature tagged with what it is."""
    return {"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **props}}


def build() -> dict[str, Any]:
    """The whole feature collection (coordinates WGS-84, longitude first)."""
    bank = [[lon, lat] for lon, lat in SOUTH_BANK]
    river = [*bank, *([lon, lat + RIVER_WIDTH_DEG] for lon, lat in reversed(bank)), bank[0]]
    features = [feature("river", {"type": "Polygon", "coordinates": [river]}, name="Yangtze River", nameZh="长江")]
    for plan in PARKS:
        ring = [[p.longitude, p.latitude] for p in _boundary(plan)]
        features.append(
            feature(
                "park",
                {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                id=plan.park_id,
                name=plan.name,
                nameZh=plan.name_zh,
                center=[plan.lon, plan.lat],
            )
        )
    for depot in DEPOTS:
        features.append(
            feature(
                "depot",
                {"type": "Point", "coordinates": [depot.lon, depot.lat]},
                id=depot.depot_id,
                park=depot.park_id,
                name=depot.name,
                kind=depot.kind.name,
                shared=depot.shared,
            )
        )
    for name, name_zh, line in ROADS:
        features.append(feature("road", {"type": "LineString", "coordinates": [list(p) for p in line]}, name=name, nameZh=name_zh))
    return {"type": "FeatureCollection", "features": features}


def scenarios() -> list[dict[str, Any]]:
    """The shipped drill scenarios (name, titles, mode, parks): the drill page's list where the gateway has no ListScenarios."""
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        out.append(
            {
                "name": f"scenarios/{data['id']}",
                "title": data["title"],
                "titleZh": data.get("title_zh", ""),
                "mode": f"MODE_{data.get('mode', 'SCRIPTED')}",
                "parkIds": data.get("parks", []),
            }
        )
    return out


def main() -> int:
    """Write the files."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n")
    SCENARIOS_OUT.write_text(json.dumps(scenarios(), ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} and {SCENARIOS_OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
