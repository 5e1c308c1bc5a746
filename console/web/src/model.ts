// The application's own logic, free of the DOM: board ordering, counts, times, plan geometry, reserve shading.
import type { IncidentSituationJson, ProposalJson, ReserveLevelJson } from "./gen/emergency/gateway/v1/gateway_service_pb";
import type { UnitJson } from "./gen/emergency/resources/v1/resources_service_pb";
import type { UnmetDemandJson } from "./gen/emergency/dispatch/v1/dispatch_service_pb";

export const SEVERITY_RANK: Record<string, number> = { SEVERITY_I: 1, SEVERITY_II: 2, SEVERITY_III: 3, SEVERITY_IV: 4 };
export const SEVERITY_COLOUR: Record<string, string> = { SEVERITY_I: "#b71c1c", SEVERITY_II: "#e65100", SEVERITY_III: "#f9a825", SEVERITY_IV: "#1565c0" };
export const UNIT_COLOUR: Record<string, string> = {
  STATE_AVAILABLE: "#2e7d32",
  STATE_RESERVED: "#8e24aa",
  STATE_EN_ROUTE: "#ef6c00",
  STATE_ON_SCENE: "#c62828",
  STATE_RETURNING: "#0277bd",
  STATE_OUT_OF_SERVICE: "#616161",
};
// Hazard radius shown around an incident, by kind (metres): an initial isolation distance, not a plume model.
export const HAZARD_RADIUS_M: Record<string, number> = {
  INCIDENT_KIND_TOXIC_GAS_LEAK: 800,
  INCIDENT_KIND_FLAMMABLE_GAS_LEAK: 500,
  INCIDENT_KIND_EXPLOSION: 600,
  INCIDENT_KIND_FIRE: 300,
  INCIDENT_KIND_CHEMICAL_SPILL: 300,
  INCIDENT_KIND_RUNAWAY_REACTION: 400,
};

export function num(value: number | string | undefined): number {
  return typeof value === "number" ? value : Number(value ?? 0) || 0;
}

export function idOf(name: string | undefined): string {
  return (name ?? "").split("/").pop() ?? "";
}

/** Open incidents, the most severe first, then the oldest first. */
export function sortBoard(rows: IncidentSituationJson[]): IncidentSituationJson[] {
  return [...rows].sort((a, b) => {
    const rank = (SEVERITY_RANK[a.incident?.severity ?? ""] ?? 9) - (SEVERITY_RANK[b.incident?.severity ?? ""] ?? 9);
    if (rank !== 0) return rank;
    return Date.parse(a.incident?.createTime ?? "") - Date.parse(b.incident?.createTime ?? "");
  });
}

/** Time since a moment as h:mm:ss or m:ss. */
export function elapsed(since: string | undefined, nowMs: number): string {
  const start = Date.parse(since ?? "");
  if (Number.isNaN(start)) return "";
  const total = Math.max(0, Math.floor((nowMs - start) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export interface UnitCounts {
  onScene: number;
  enRoute: number;
}

/** Units on scene and on their way (reserved or en route) for an incident, from the situation's units. */
export function unitCounts(incidentName: string, units: UnitJson[]): UnitCounts {
  let onScene = 0;
  let enRoute = 0;
  for (const unit of units) {
    if (unit.incident !== incidentName) continue;
    if (unit.state === "STATE_ON_SCENE") onScene += 1;
    else if (unit.state === "STATE_EN_ROUTE" || unit.state === "STATE_RESERVED") enRoute += 1;
  }
  return { onScene, enRoute };
}

/** Unmet lines as "TYPE ×qty". */
export function unmetText(unmet: UnmetDemandJson[] | undefined): string {
  return (unmet ?? []).map((u) => `${u.resourceType} ×${formatQuantity(num(u.quantity))}`).join(", ");
}

/** Quantities as people write them: 1,000,000 not 1e+06. */
export function formatQuantity(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

export function minutes(seconds: number | string | undefined): string {
  return (num(seconds) / 60).toFixed(1);
}

export type LatLon = [number, number];

export interface MapFeature {
  type: string;
  geometry: { type: string; coordinates: unknown };
  properties: { layer: string; id?: string; park?: string; name?: string; nameZh?: string; center?: [number, number]; kind?: string };
}

/** Depot positions by id, from the bundled map. */
export function depotPositions(features: MapFeature[]): Map<string, LatLon> {
  const out = new Map<string, LatLon>();
  for (const f of features) {
    if (f.properties.layer !== "depot" || !f.properties.id) continue;
    const [lon, lat] = f.geometry.coordinates as [number, number];
    out.set(f.properties.id, [lat, lon]);
  }
  return out;
}

/** Where a unit starts: its reported position if it is away, else its home depot (unit ids begin with the depot id). */
export function unitOrigin(unitId: string, away: Map<string, LatLon>, depots: Map<string, LatLon>): LatLon | undefined {
  const known = away.get(unitId);
  if (known) return known;
  let best = "";
  for (const depot of depots.keys()) if (unitId.startsWith(`${depot}-`) && depot.length > best.length) best = depot;
  return best ? depots.get(best) : undefined;
}

export interface PlanLine {
  from: LatLon;
  to: LatLon;
  kind: "unit" | "supply";
  label: string;
  etaS: number;
}

/** The proposal as lines from units and depots to their incidents. */
export function planLines(proposal: ProposalJson, incidents: Map<string, LatLon>, away: Map<string, LatLon>, depots: Map<string, LatLon>): PlanLine[] {
  const plan = proposal.optimized?.plan;
  const lines: PlanLine[] = [];
  for (const a of plan?.assignments ?? []) {
    const to = incidents.get(idOf(a.incidentId));
    const from = unitOrigin(idOf(a.unitId), away, depots);
    if (to && from) lines.push({ from, to, kind: "unit", label: `${a.unitId} → ${a.resourceType}`, etaS: num(a.etaS) });
  }
  for (const s of plan?.shipments ?? []) {
    const to = incidents.get(idOf(s.incidentId));
    const from = depots.get(idOf(s.depotId));
    if (to && from) lines.push({ from, to, kind: "supply", label: `${s.depotId}: ${s.resourceType} ${formatQuantity(num(s.amount))}`, etaS: num(s.etaS) });
  }
  return lines;
}

/** The lowest share of its reserve a park holds (available / minimum over its types); 1 or more is fine. */
export function reserveRatios(levels: ReserveLevelJson[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const level of levels) {
    const minimum = num(level.minimum);
    if (minimum <= 0) continue;
    const ratio = num(level.available) / minimum;
    const park = level.parkId ?? "";
    out.set(park, Math.min(out.get(park) ?? Infinity, ratio));
  }
  return out;
}

export function reserveColour(ratio: number | undefined): string {
  if (ratio === undefined || ratio >= 1.5) return "#43a047";
  if (ratio >= 1) return "#fdd835";
  return "#e53935";
}

/** Which park a point lies in (ray casting over the parks' boundaries). */
export function parkAt(point: LatLon, features: MapFeature[]): string {
  for (const f of features) {
    if (f.properties.layer !== "park") continue;
    const ring = (f.geometry.coordinates as [number, number][][])[0];
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > point[0] !== yj > point[0] && point[1] < ((xj - xi) * (point[0] - yi)) / (yj - yi) + xi) inside = !inside;
    }
    if (inside) return f.properties.id ?? "";
  }
  return "";
}

/** The depot id of a stock resource name "parks/{park}/depots/{depot}/stocks/{type}". */
export function depotOfStock(name: string | undefined): string {
  const parts = (name ?? "").split("/");
  const at = parts.indexOf("depots");
  return at >= 0 ? parts[at + 1] ?? "" : "";
}

/** Domain events that change what the board shows (everything but the noise of heartbeats). */
export function affectsBoard(type: string): boolean {
  return /^(incident|reservation|unit|stock|plan|proposal|drill|exercise)\./.test(type);
}
