import { describe, expect, it } from "vitest";
import { affectsBoard, depotOfStock, depotPositions, elapsed, formatQuantity, parkAt, planLines, reserveColour, reserveRatios, sortBoard, unitCounts, unitOrigin, unmetText, type LatLon, type MapFeature } from "../src/model";
import base from "../src/map/jiangyin.json";

const FEATURES = (base as { features: MapFeature[] }).features;

describe("board", () => {
  it("orders by severity level, then oldest first", () => {
    const rows = [
      { incident: { name: "a", severity: "SEVERITY_IV", createTime: "2026-01-01T00:00:00Z" } },
      { incident: { name: "b", severity: "SEVERITY_I", createTime: "2026-01-01T00:05:00Z" } },
      { incident: { name: "c", severity: "SEVERITY_II", createTime: "2026-01-01T00:02:00Z" } },
      { incident: { name: "d", severity: "SEVERITY_II", createTime: "2026-01-01T00:01:00Z" } },
    ] as never;
    expect(sortBoard(rows).map((r: { incident?: { name?: string } }) => r.incident?.name)).toEqual(["b", "d", "c", "a"]);
  });

  it("formats elapsed time and quantities as people write them", () => {
    const start = "2026-01-01T00:00:00Z";
    expect(elapsed(start, Date.parse(start) + 65_000)).toBe("1:05");
    expect(elapsed(start, Date.parse(start) + 3_725_000)).toBe("1:02:05");
    expect(elapsed("", 0)).toBe("");
    expect(formatQuantity(1_000_000)).toBe("1,000,000");
    expect(unmetText([{ resourceType: "FOAM_AR_AFFF", quantity: 40000 }])).toBe("FOAM_AR_AFFF ×40,000");
  });

  it("counts units on scene and on their way for one incident", () => {
    const units = [
      { incident: "incidents/x", state: "STATE_ON_SCENE" },
      { incident: "incidents/x", state: "STATE_EN_ROUTE" },
      { incident: "incidents/x", state: "STATE_RESERVED" },
      { incident: "incidents/y", state: "STATE_ON_SCENE" },
      { incident: "incidents/x", state: "STATE_RETURNING" },
    ] as never;
    expect(unitCounts("incidents/x", units)).toEqual({ onScene: 1, enRoute: 2 });
  });

  it("tells which events change the board", () => {
    expect(affectsBoard("incident.created")).toBe(true);
    expect(affectsBoard("reservation.confirmed")).toBe(true);
    expect(affectsBoard("case.created")).toBe(false);
  });
});

describe("map", () => {
  const depots = depotPositions(FEATURES);

  it("bundles every park, depot, the river and roads", () => {
    const layers = new Set(FEATURES.map((f) => f.properties.layer));
    expect([...layers].sort()).toEqual(["depot", "park", "river", "road"]);
    expect(FEATURES.filter((f) => f.properties.layer === "park")).toHaveLength(6);
    expect(depots.get("riverside-base")).toEqual([31.951, 120.118]);
  });

  it("resolves the park of a point from the boundaries", () => {
    expect(parkAt([31.9352, 120.2268], FEATURES)).toBe("xiagang");
    expect(parkAt([31.955, 120.09], FEATURES)).toBe("ligang");
    expect(parkAt([31.5, 119.5], FEATURES)).toBe("");
  });

  it("starts a unit at its reported position, else its home depot by the longest id prefix", () => {
    const away = new Map<string, LatLon>([["xg-fire-1-pe-01", [31.0, 120.0]]]);
    expect(unitOrigin("xg-fire-1-pe-01", away, depots)).toEqual([31.0, 120.0]);
    expect(unitOrigin("xg-fire-1-pe-02", away, depots)).toEqual(depots.get("xg-fire-1"));
    expect(unitOrigin("nowhere-1", away, depots)).toBeUndefined();
  });

  it("draws a plan as lines from units and depots to incidents, whatever the name form", () => {
    const incidents = new Map<string, LatLon>([["inc-1", [31.93, 120.22]]]);
    const proposal = {
      optimized: {
        plan: {
          assignments: [{ unitId: "parks/xiagang/units/xg-fire-1-pe-01", incidentId: "incidents/inc-1", etaS: 120, resourceType: "PUMPER_ENGINE" }],
          shipments: [{ depotId: "xg-store", incidentId: "inc-1", resourceType: "FOAM", amount: 2000, etaS: 300 }],
        },
      },
    } as never;
    const lines = planLines(proposal, incidents, new Map(), depots);
    expect(lines.map((l) => [l.kind, l.from, l.to, l.etaS])).toEqual([
      ["unit", depots.get("xg-fire-1"), [31.93, 120.22], 120],
      ["supply", depots.get("xg-store"), [31.93, 120.22], 300],
    ]);
  });

  it("shades a park by the lowest share of its reserve", () => {
    const ratios = reserveRatios([
      { parkId: "ligang", resourceType: "A", available: 4, minimum: 2 },
      { parkId: "ligang", resourceType: "B", available: 1, minimum: 2 },
      { parkId: "xiagang", resourceType: "A", available: 3, minimum: 0 },
    ]);
    expect(ratios.get("ligang")).toBe(0.5);
    expect(ratios.has("xiagang")).toBe(false);
    expect(reserveColour(0.5)).toBe("#e53935");
    expect(reserveColour(1.2)).toBe("#fdd835");
    expect(reserveColour(undefined)).toBe("#43a047");
    expect(depotOfStock("parks/ligang/depots/lg-store/stocks/FOAM")).toBe("lg-store");
  });
});
