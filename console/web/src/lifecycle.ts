// An incident's lifecycle as the gateway defines it: which steps an incident's state allows, and each step's request.
import type { IncidentJson } from "./gen/emergency/incident/v1/incident_service_pb";
import type { ResourceDemandJson } from "./gen/emergency/common/v1/common_pb";

export type Step = "VerifyIncident" | "ChangeSeverity" | "OnScene" | "Returning" | "Available" | "ContainIncident" | "CloseIncident" | "CancelIncident";

export interface StepForm {
  note: string;
  severity: string;
  outcome: string;
  unitsAvailable: boolean;
  createCase: boolean;
}

const UNIT_STATE: Partial<Record<Step, string>> = { OnScene: "STATE_ON_SCENE", Returning: "STATE_RETURNING", Available: "STATE_AVAILABLE" };
const FINAL = ["STATE_CLOSED", "STATE_CANCELLED"];

/** The gateway method a step calls. */
export function methodOf(step: Step): string {
  return step in UNIT_STATE ? "UpdateUnitStatus" : step;
}

/** Steps the incident's state (and its units' states) allow now. */
export function allowedSteps(incidentState: string | undefined, unitStates: (string | undefined)[]): Step[] {
  const state = incidentState ?? "";
  if (FINAL.includes(state)) return unitStates.some((s) => s === "STATE_RETURNING") ? ["Available"] : [];
  const steps: Step[] = [];
  if (state === "STATE_REPORTED") steps.push("VerifyIncident");
  steps.push("ChangeSeverity");
  if (unitStates.some((s) => s === "STATE_EN_ROUTE" || s === "STATE_RESERVED")) steps.push("OnScene");
  if (unitStates.some((s) => s === "STATE_ON_SCENE")) steps.push("Returning");
  if (unitStates.some((s) => s === "STATE_RETURNING")) steps.push("Available");
  if (state === "STATE_RESPONDING" || state === "STATE_DISPATCHING") steps.push("ContainIncident");
  if (state === "STATE_CONTAINED") steps.push("CloseIncident");
  steps.push("CancelIncident");
  return steps;
}

/** What a step still needs from the form before it can be sent ("" when nothing). */
export function missingInput(step: Step, form: StepForm): "" | "reason" | "outcome" | "severity" {
  if (step === "ChangeSeverity" && !form.severity) return "severity";
  if ((step === "ChangeSeverity" || step === "CancelIncident") && !form.note.trim()) return "reason";
  if (step === "CloseIncident" && !form.outcome.trim()) return "outcome";
  return "";
}

/** The request body of a step, with the real field names of its gateway method (the request_id travels as Idempotency-Key). */
export function stepRequest(step: Step, incident: IncidentJson, form: StepForm): Record<string, unknown> {
  const name = incident.name ?? "";
  const version = incident.version ?? "0";
  const note = form.note.trim();
  switch (step) {
    case "VerifyIncident":
    case "ContainIncident":
      return { incident: name, version, note };
    case "ChangeSeverity":
      return { incident: name, version, severity: form.severity, reason: note };
    case "CancelIncident":
      return { incident: name, version, reason: note };
    case "CloseIncident":
      return { incident: name, version, outcomeSummary: form.outcome.trim(), unitsAvailable: form.unitsAvailable, createCase: form.createCase };
    default:
      return { incident: name, state: UNIT_STATE[step], reason: note };
  }
}

export interface DemandRow {
  resourceType: string;
  quantity: string;
  within: string;
}

/** Edited demand rows as ResourceDemand lines; rows with no type are dropped, bad numbers are named by their index in the request. */
export function demandsFromRows(rows: DemandRow[]): { demands: ResourceDemandJson[]; problems: string[] } {
  const demands: ResourceDemandJson[] = [];
  const problems: string[] = [];
  for (const row of rows) {
    const type = row.resourceType.trim().toUpperCase();
    if (!type) continue;
    const i = demands.length;
    const quantity = Number(row.quantity);
    const within = row.within.trim() === "" ? 0 : Number(row.within);
    if (!Number.isFinite(quantity) || quantity <= 0) problems.push(`demands[${i}].quantity`);
    if (!Number.isInteger(within) || within < 0) problems.push(`demands[${i}].needed_within_minutes`);
    demands.push({ resourceType: type, quantity, neededWithinMinutes: within });
  }
  return { demands, problems };
}
