// Plan overrides as the gateway takes them (PlanOverrides): pins, exclusions, reserve dips and mutual aid, each with a reason.
import type { PlanOverridesJson } from "./gen/emergency/gateway/v1/gateway_service_pb";
import type { MapFeature } from "./model";

export type OverrideKind = "pins" | "exclusions" | "reserveDips" | "mutualAid";

/** The form's columns for each kind of override, in proto3 JSON names ("reason" last, always required). */
export const OVERRIDE_COLUMNS: Record<OverrideKind, string[]> = {
  pins: ["unit", "incident", "reason"],
  exclusions: ["unit", "reason"],
  reserveDips: ["parkId", "resourceType", "minimum", "reason"],
  mutualAid: ["lenderParkId", "borrowerParkId", "resourceTypes", "maxTravelMinutes", "reason"],
};

export type OverrideRow = Record<string, string>;
export type OverrideDraft = Record<OverrideKind, OverrideRow[]>;

export function emptyDraft(): OverrideDraft {
  return { pins: [], exclusions: [], reserveDips: [], mutualAid: [] };
}

/** A unit's resource name from a short id: its home depot (the longest depot id it begins with) names the park. */
export function unitName(unit: string, features: MapFeature[]): string {
  const id = unit.trim();
  if (!id || id.includes("/")) return id;
  let best: MapFeature | undefined;
  for (const f of features) {
    const depot = f.properties.id ?? "";
    if (f.properties.layer === "depot" && depot && id.startsWith(`${depot}-`) && depot.length > (best?.properties.id ?? "").length) best = f;
  }
  return best?.properties.park ? `parks/${best.properties.park}/units/${id}` : id;
}

function incidentName(incident: string): string {
  const id = incident.trim();
  return !id || id.includes("/") ? id : `incidents/${id}`;
}

/** The draft as the request's overrides, and the form fields still missing (e.g. "pins[0].reason"). */
export function overridesRequest(draft: OverrideDraft, features: MapFeature[]): { overrides: PlanOverridesJson; missing: string[] } {
  const missing: string[] = [];
  const need = (kind: OverrideKind, i: number, row: OverrideRow, keys: string[]) => {
    for (const key of keys) if (!(row[key] ?? "").trim()) missing.push(`${kind}[${i}].${key}`);
  };
  const numberOr = (value: string | undefined, kind: OverrideKind, i: number, key: string): number => {
    const n = (value ?? "").trim() === "" ? 0 : Number(value);
    if (!Number.isFinite(n) || n < 0) missing.push(`${kind}[${i}].${key}`);
    return n;
  };
  const overrides: PlanOverridesJson = {
    pins: draft.pins.map((row, i) => {
      need("pins", i, row, ["unit", "incident", "reason"]);
      return { unit: unitName(row.unit ?? "", features), incident: incidentName(row.incident ?? ""), reason: (row.reason ?? "").trim() };
    }),
    exclusions: draft.exclusions.map((row, i) => {
      need("exclusions", i, row, ["unit", "reason"]);
      return { unit: unitName(row.unit ?? "", features), reason: (row.reason ?? "").trim() };
    }),
    reserveDips: draft.reserveDips.map((row, i) => {
      need("reserveDips", i, row, ["parkId", "resourceType", "reason"]);
      return { parkId: (row.parkId ?? "").trim(), resourceType: (row.resourceType ?? "").trim().toUpperCase(), minimum: numberOr(row.minimum, "reserveDips", i, "minimum"), reason: (row.reason ?? "").trim() };
    }),
    mutualAid: draft.mutualAid.map((row, i) => {
      need("mutualAid", i, row, ["lenderParkId", "borrowerParkId", "reason"]);
      return {
        lenderParkId: (row.lenderParkId ?? "").trim(),
        borrowerParkId: (row.borrowerParkId ?? "").trim(),
        resourceTypes: (row.resourceTypes ?? "").split(/[,\s]+/).filter(Boolean).map((x) => x.toUpperCase()),
        maxTravelMinutes: numberOr(row.maxTravelMinutes, "mutualAid", i, "maxTravelMinutes"),
        reason: (row.reason ?? "").trim(),
      };
    }),
  };
  return { overrides, missing };
}

/** A proposal's overrides back into a draft, so a re-proposal starts from what the plan was made with. */
export function draftFrom(overrides: PlanOverridesJson | undefined): OverrideDraft {
  const o = overrides ?? {};
  return {
    pins: (o.pins ?? []).map((p) => ({ unit: p.unit ?? "", incident: p.incident ?? "", reason: p.reason ?? "" })),
    exclusions: (o.exclusions ?? []).map((x) => ({ unit: x.unit ?? "", reason: x.reason ?? "" })),
    reserveDips: (o.reserveDips ?? []).map((d) => ({ parkId: d.parkId ?? "", resourceType: d.resourceType ?? "", minimum: String(d.minimum ?? 0), reason: d.reason ?? "" })),
    mutualAid: (o.mutualAid ?? []).map((m) => ({
      lenderParkId: m.lenderParkId ?? "",
      borrowerParkId: m.borrowerParkId ?? "",
      resourceTypes: (m.resourceTypes ?? []).join(", "),
      maxTravelMinutes: String(m.maxTravelMinutes ?? 0),
      reason: m.reason ?? "",
    })),
  };
}
