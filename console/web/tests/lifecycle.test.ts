import { describe, expect, it } from "vitest";
import { allowedSteps, demandsFromRows, methodOf, missingInput, stepRequest, type StepForm } from "../src/lifecycle";
import { adjustRequest, unitToggle } from "../src/stock";

const form = (over: Partial<StepForm> = {}): StepForm => ({ note: "", severity: "", outcome: "", unitsAvailable: true, createCase: false, ...over });
const incident = { name: "incidents/inc-1", version: "7" };

describe("allowedSteps", () => {
  it("offers verify only while reported, and on scene only with units on their way", () => {
    expect(allowedSteps("STATE_REPORTED", [])).toEqual(["VerifyIncident", "ChangeSeverity", "CancelIncident"]);
    expect(allowedSteps("STATE_RESPONDING", ["STATE_EN_ROUTE", "STATE_ON_SCENE"])).toEqual(["ChangeSeverity", "OnScene", "Returning", "ContainIncident", "CancelIncident"]);
  });
  it("closes only a contained incident and offers nothing on a closed one but bringing units back", () => {
    expect(allowedSteps("STATE_CONTAINED", ["STATE_ON_SCENE"])).toContain("CloseIncident");
    expect(allowedSteps("STATE_RESPONDING", [])).not.toContain("CloseIncident");
    expect(allowedSteps("STATE_CLOSED", ["STATE_AVAILABLE"])).toEqual([]);
    expect(allowedSteps("STATE_CLOSED", ["STATE_RETURNING"])).toEqual(["Available"]);
  });
});

describe("stepRequest", () => {
  it("uses each method's own fields", () => {
    expect(stepRequest("VerifyIncident", incident, form({ note: " by phone " }))).toEqual({ incident: "incidents/inc-1", version: "7", note: "by phone" });
    expect(stepRequest("ChangeSeverity", incident, form({ note: "spreading", severity: "SEVERITY_I" }))).toEqual({ incident: "incidents/inc-1", version: "7", severity: "SEVERITY_I", reason: "spreading" });
    expect(stepRequest("CancelIncident", incident, form({ note: "false alarm" }))).toEqual({ incident: "incidents/inc-1", version: "7", reason: "false alarm" });
    expect(stepRequest("CloseIncident", incident, form({ outcome: "sealed", createCase: true }))).toEqual({ incident: "incidents/inc-1", version: "7", outcomeSummary: "sealed", unitsAvailable: true, createCase: true });
    expect(stepRequest("OnScene", incident, form())).toEqual({ incident: "incidents/inc-1", state: "STATE_ON_SCENE", reason: "" });
    expect(methodOf("OnScene")).toBe("UpdateUnitStatus");
    expect(methodOf("ContainIncident")).toBe("ContainIncident");
  });
  it("names what a step still needs", () => {
    expect(missingInput("CancelIncident", form())).toBe("reason");
    expect(missingInput("ChangeSeverity", form({ note: "x" }))).toBe("severity");
    expect(missingInput("CloseIncident", form())).toBe("outcome");
    expect(missingInput("ContainIncident", form())).toBe("");
  });
});

describe("demandsFromRows", () => {
  it("keeps typed rows, upper-cases types and names bad numbers", () => {
    const { demands, problems } = demandsFromRows([
      { resourceType: "hazmat_team", quantity: "2", within: "15" },
      { resourceType: "", quantity: "9", within: "" },
      { resourceType: "FOAM_AR_AFFF", quantity: "-1", within: "1.5" },
    ]);
    expect(demands[0]).toEqual({ resourceType: "HAZMAT_TEAM", quantity: 2, neededWithinMinutes: 15 });
    expect(demands).toHaveLength(2);
    expect(problems).toEqual(["demands[1].quantity", "demands[1].needed_within_minutes"]);
  });
});

describe("park officer edits", () => {
  it("toggles available and out of service only", () => {
    expect(unitToggle("STATE_AVAILABLE")?.to).toBe("STATE_OUT_OF_SERVICE");
    expect(unitToggle("STATE_OUT_OF_SERVICE")?.to).toBe("STATE_AVAILABLE");
    expect(unitToggle("STATE_EN_ROUTE")).toBeNull();
  });
  it("signs the change by its kind and requires a reason", () => {
    expect(adjustRequest("s", "KIND_LOSS", "5", "spilt")).toEqual({ stock: "s", kind: "KIND_LOSS", delta: -5, reason: "spilt" });
    expect(adjustRequest("s", "KIND_RECEIPT", "-5", "note 12")).toMatchObject({ delta: 5 });
    expect(adjustRequest("s", "KIND_CORRECTION", "-2", "count")).toMatchObject({ delta: -2 });
    expect(adjustRequest("s", "KIND_RECEIPT", "5", " ")).toEqual({ problem: "reason" });
    expect(adjustRequest("s", "KIND_RECEIPT", "x", "r")).toEqual({ problem: "delta" });
  });
});
