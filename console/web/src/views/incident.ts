// One incident: details, editable demands, units and supplies with ETAs, the merged timeline, and the lifecycle steps.
import type { App } from "../app";
import { call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { CloseIncidentResponseJson, GetIncidentResponseJson, ListIncidentTimelineResponseJson, UnitMoveJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import type { IncidentJson } from "../gen/emergency/incident/v1/incident_service_pb";
import { t, tEnum, type Key } from "../i18n";
import { allowedSteps, demandsFromRows, methodOf, missingInput, stepRequest, type DemandRow, type Step, type StepForm } from "../lifecycle";
import { elapsed, formatQuantity, idOf, minutes, num, unmetText } from "../model";
import { drawSituation, proposeFor } from "./board";

const STEP_LABEL: Record<Step, Key> = {
  VerifyIncident: "verify",
  ChangeSeverity: "changeSeverity",
  OnScene: "markOnScene",
  Returning: "markReturning",
  Available: "markAvailable",
  ContainIncident: "contain",
  CloseIncident: "close",
  CancelIncident: "cancel",
};

function movesTable(moves: UnitMoveJson[]): HTMLElement {
  return table(
    [t("unit"), t("state"), ""],
    moves.map((m) => [idOf(m.unit), `${tEnum("unit", m.fromState)} → ${tEnum("unit", m.toState)}`, m.moved ? "✓" : `${m.reason ?? ""} ${m.detail ?? ""}`]),
    { "data-testid": "unit-moves" },
  );
}

function demandEditor(app: App, incident: IncidentJson, editable: boolean): HTMLElement {
  const rows: DemandRow[] = (incident.demands ?? []).map((d) => ({ resourceType: d.resourceType ?? "", quantity: String(num(d.quantity)), within: String(d.neededWithinMinutes ?? 0) }));
  const box = h("div", { "data-testid": "demands" });
  const draw = () => {
    if (!editable) {
      clear(box, table([t("resourceType"), t("quantity"), t("within")], rows.map((r) => [r.resourceType, formatQuantity(Number(r.quantity)), r.within])));
      return;
    }
    const input = (row: DemandRow, key: keyof DemandRow, attrs: Record<string, string | number> = {}) =>
      h("input", { value: row[key], "data-field": key, ...attrs, oninput: (e: Event) => (row[key] = (e.target as HTMLInputElement).value) });
    clear(
      box,
      table(
        [t("resourceType"), t("quantity"), t("within"), ""],
        rows.map((row, i) => [
          input(row, "resourceType", { size: 18 }),
          input(row, "quantity", { type: "number", min: 0, step: "any", style: "width:6em" }),
          input(row, "within", { type: "number", min: 0, style: "width:5em" }),
          h("button", { title: t("remove"), onclick: () => (rows.splice(i, 1), draw()) }, "✕"),
        ]),
        { class: "demand-edit" },
      ),
      h(
        "div",
        { class: "actions" },
        h("button", { onclick: () => (rows.push({ resourceType: "", quantity: "1", within: "30" }), draw()) }, t("addDemand")),
        h(
          "button",
          {
            class: "primary",
            "data-testid": "save-demands",
            onclick: () => {
              const { demands, problems } = demandsFromRows(rows);
              if (problems.length) return app.showError(new Error(problems.join(", ")));
              call("SetDemands", { incident: incident.name, version: incident.version, demands }, newKey())
                .then(() => app.refresh())
                .catch((e) => app.showError(e));
            },
          },
          t("saveDemands"),
        ),
      ),
    );
  };
  draw();
  return box;
}

export function renderIncident(app: App, panel: HTMLElement, id: string): void {
  const name = `incidents/${id}`;
  const body = h("div", {});
  const result = h("div", { class: "step-result", "data-testid": "step-result" });
  const form: StepForm = { note: "", severity: "", outcome: "", unitsAvailable: true, createCase: false };
  let shownVersion = "";
  let drawing = 0;
  const draw = async () => {
    drawSituation(app);
    const turn = ++drawing;
    let answer: GetIncidentResponseJson;
    let timeline: ListIncidentTimelineResponseJson = {};
    try {
      [answer, timeline] = await Promise.all([
        call<GetIncidentResponseJson>("GetIncident", { name }),
        call<ListIncidentTimelineResponseJson>("ListIncidentTimeline", { incident: name, pageSize: 1000 }).catch(() => ({})),
      ]);
    } catch (error) {
      clear(body, h("p", { class: "empty" }, `${t("incidentPage")} ${id}: —`), h("a", { href: "#/board" }, t("back")));
      app.showError(error);
      return;
    }
    if (turn !== drawing) return;
    const incident = answer.incident ?? {};
    const units = answer.units ?? [];
    const operator = app.session?.role === "operator";
    const onScene = units.filter((u) => u.unit?.state === "STATE_ON_SCENE").length;
    const enRoute = units.filter((u) => ["STATE_EN_ROUTE", "STATE_RESERVED"].includes(u.unit?.state ?? "")).length;
    const steps = allowedSteps(incident.state, units.map((u) => u.unit?.state));
    const note = h("input", { value: form.note, "data-testid": "step-note", placeholder: t("noteOrReason"), oninput: (e: Event) => (form.note = (e.target as HTMLInputElement).value) });
    const severity = h(
      "select",
      { "data-testid": "step-severity", onchange: (e: Event) => (form.severity = (e.target as HTMLSelectElement).value) },
      h("option", { value: "" }, "—"),
      ["SEVERITY_I", "SEVERITY_II", "SEVERITY_III", "SEVERITY_IV"].map((s) => h("option", { value: s, selected: form.severity === s }, tEnum("sev", s))),
    );
    const outcome = h("input", { value: form.outcome, "data-testid": "step-outcome", placeholder: t("outcome"), oninput: (e: Event) => (form.outcome = (e.target as HTMLInputElement).value) });
    const check = (key: "unitsAvailable" | "createCase", label: Key) =>
      h("label", { class: "field check" }, h("input", { type: "checkbox", checked: form[key], "data-testid": `step-${key}`, onchange: (e: Event) => (form[key] = (e.target as HTMLInputElement).checked) }), h("span", {}, t(label)));
    const run = (step: Step, button: HTMLButtonElement) => {
      const missing = missingInput(step, form);
      if (missing) {
        app.showError(new Error(`${t(STEP_LABEL[step])}: ${t(missing === "severity" ? "severity" : missing)}`));
        return;
      }
      button.disabled = true;
      call<CloseIncidentResponseJson & { moves?: UnitMoveJson[] }>(methodOf(step), stepRequest(step, incident, form), newKey())
        .then((reply) => {
          const moves = reply.moves ?? reply.units ?? [];
          clear(result, h("p", { class: "ok" }, `${t(STEP_LABEL[step])} ✓`), moves.length ? movesTable(moves) : null);
          form.note = "";
          void app.refresh().then(() => void draw());
        })
        .catch((e) => {
          button.disabled = false;
          app.showError(e);
        });
    };
    const editable = operator && !["STATE_CLOSED", "STATE_CANCELLED"].includes(incident.state ?? "");
    const demands = shownVersion === String(incident.version ?? "") && body.querySelector("[data-testid=demands]");
    shownVersion = String(incident.version ?? "");
    clear(
      body,
      h("a", { href: "#/board" }, `← ${t("back")}`),
      h("h2", {}, h("span", { class: `sev sev-${incident.severity}` }, tEnum("sev", incident.severity)), " ", incident.title ?? ""),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("state")),
        h("dd", { "data-testid": "incident-state", "data-state": incident.state ?? "" }, tEnum("st", incident.state)),
        h("dt", {}, t("kind")),
        h("dd", {}, tEnum("kind", incident.kind)),
        h("dt", {}, t("park")),
        h("dd", {}, incident.parkId ?? ""),
        h("dt", {}, t("elapsed")),
        h("dd", FINAL_STATES.includes(incident.state ?? "") ? {} : { "data-since": incident.createTime ?? "" }, elapsed(new Date(Date.now() - num(answer.elapsedS) * 1000).toISOString(), Date.now())),
        h("dt", {}, `${t("onScene")} / ${t("enRoute")}`),
        h("dd", {}, `${onScene} / ${enRoute}`),
        h("dt", {}, t("unmet")),
        h("dd", {}, unmetText(answer.unmet) || "—"),
      ),
      operator &&
        h(
          "div",
          { class: "lifecycle" },
          h("div", { class: "row" }, h("label", { class: "field" }, h("span", {}, t("noteOrReason")), note), steps.includes("ChangeSeverity") && h("label", { class: "field" }, h("span", {}, t("severity")), severity)),
          steps.includes("CloseIncident") && h("div", { class: "row" }, h("label", { class: "field" }, h("span", {}, t("outcome")), outcome), check("unitsAvailable", "unitsBackNow"), check("createCase", "createCase")),
          h(
            "div",
            { class: "actions" },
            steps.map((step) => {
              const button: HTMLButtonElement = h("button", { "data-step": step, "data-method": methodOf(step), class: step === "CancelIncident" ? "danger" : "" }, t(STEP_LABEL[step]));
              button.addEventListener("click", () => run(step, button));
              return button;
            }),
            editable && h("button", { onclick: () => void proposeFor(app, [incident.name ?? ""]).catch((e) => app.showError(e)) }, t("propose")),
          ),
          result,
        ),
      h("h3", {}, t("demands")),
      demands || demandEditor(app, incident, editable),
      h("h3", {}, t("assignments")),
      table(
        [t("unit"), t("resourceType"), `${t("eta")} (${t("minutes")})`, t("state")],
        units.map((u) => [idOf(u.unit?.name), u.unit?.resourceType ?? "", minutes(u.etaS), h("span", { "data-unit-state": u.unit?.state ?? "" }, tEnum("unit", u.unit?.state))]),
        { "data-testid": "assignments" },
      ),
      h("h3", {}, t("shipments")),
      table([t("depot"), t("resourceType"), t("amount"), `${t("eta")} (${t("minutes")})`], (answer.shipments ?? []).map((s) => [idOf(s.depotId), s.resourceType ?? "", formatQuantity(num(s.amount)), minutes(s.etaS)]), { "data-testid": "shipments" }),
      h("h3", {}, t("timeline")),
      table(
        [t("time"), t("actor"), t("action"), t("subject"), t("noteOrReason")],
        (timeline.entries ?? []).map((e) => [new Date(e.time ?? "").toLocaleTimeString(), e.actor ?? "", e.action ?? "", idOf(e.subject), e.note ?? ""]),
        { class: "timeline", "data-testid": "timeline" },
      ),
    );
  };
  panel.append(body);
  void draw();
  app.onChange(() => void draw());
}

const FINAL_STATES = ["STATE_CLOSED", "STATE_CANCELLED"];
