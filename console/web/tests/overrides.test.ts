import { describe, expect, it } from "vitest";
import { draftFrom, emptyDraft, overridesRequest, unitName } from "../src/overrides";
import type { MapFeature } from "../src/model";

const depot = (id: string, park: string): MapFeature => ({ type: "Feature", geometry: { type: "Point", coordinates: [120, 31] }, properties: { layer: "depot", id, park } });
const FEATURES = [depot("xg-fire", "xiagang"), depot("xg-fire-1", "xiagang2"), depot("sg-fire-1", "shengang")];

describe("unitName", () => {
  it("names a unit's park from its home depot, the longest depot id first", () => {
    expect(unitName("xg-fire-1-pe-01", FEATURES)).toBe("parks/xiagang2/units/xg-fire-1-pe-01");
    expect(unitName("sg-fire-1-am-01", FEATURES)).toBe("parks/shengang/units/sg-fire-1-am-01");
    expect(unitName("parks/p/units/u", FEATURES)).toBe("parks/p/units/u");
    expect(unitName("nowhere-1", FEATURES)).toBe("nowhere-1");
  });
});

describe("overridesRequest", () => {
  it("builds PlanOverrides with the proto's field names", () => {
    const draft = emptyDraft();
    draft.pins.push({ unit: "sg-fire-1-am-01", incident: "inc-1", reason: "closest crew knows the site" });
    draft.exclusions.push({ unit: "xg-fire-1-pe-01", reason: "pump fault" });
    draft.reserveDips.push({ parkId: "xiagang", resourceType: "foam_ar_afff", minimum: "", reason: "second fire" });
    draft.mutualAid.push({ lenderParkId: "shengang", borrowerParkId: "xiagang", resourceTypes: "ambulance, hazmat_team", maxTravelMinutes: "45", reason: "mass casualties" });
    const { overrides, missing } = overridesRequest(draft, FEATURES);
    expect(missing).toEqual([]);
    expect(overrides).toEqual({
      pins: [{ unit: "parks/shengang/units/sg-fire-1-am-01", incident: "incidents/inc-1", reason: "closest crew knows the site" }],
      exclusions: [{ unit: "parks/xiagang2/units/xg-fire-1-pe-01", reason: "pump fault" }],
      reserveDips: [{ parkId: "xiagang", resourceType: "FOAM_AR_AFFF", minimum: 0, reason: "second fire" }],
      mutualAid: [{ lenderParkId: "shengang", borrowerParkId: "xiagang", resourceTypes: ["AMBULANCE", "HAZMAT_TEAM"], maxTravelMinutes: 45, reason: "mass casualties" }],
    });
    expect(draftFrom(overrides).mutualAid[0].resourceTypes).toBe("AMBULANCE, HAZMAT_TEAM");
  });
  it("names every missing reason and bad number", () => {
    const draft = emptyDraft();
    draft.pins.push({ unit: "u", incident: "" });
    draft.reserveDips.push({ parkId: "p", resourceType: "T", minimum: "-3", reason: "r" });
    expect(overridesRequest(draft, FEATURES).missing).toEqual(["pins[0].incident", "pins[0].reason", "reserveDips[0].minimum"]);
  });
});
