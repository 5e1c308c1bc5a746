// One incident: details, demands, units and supplies with ETAs, the timeline, and lifecycle buttons for the methods the gateway has.
import type { App } from "../app";
import { call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { IncidentJson } from "../gen/emergency/incident/v1/incident_service_pb";
import { t, tEnum, type Key } from "../i18n";
import { elapsed, formatQuantity, idOf, minutes, num, unitCounts, unmetText } from "../model";
import { drawSituation, proposeFor } from "./board";

interface Action {
  method: string;
  label: Key;
  extra?: () => Record<string, unknown> | null;
}

/** The request for a lifecycle method, filled from the fields the method's request actually has. */
export function lifecycleRequest(fields: string[], incident: IncidentJson, extra: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...extra };
  if (fields.includes("incident")) body.incident = incident.name;
  else if (fields.includes("name")) body.name = incident.name;
  if (fields.includes("version")) body.version = incident.version;
  if (fields.includes("exerciseId")) body.exerciseId = incident.exerciseId ?? "";
  return body;
}

export function renderIncident(app: App, panel: HTMLElement, id: string): void {
  const body = h("div", {});
  const timeline = h("div", { class: "timeline" });
  const actions: Action[] = [
    { method: "VerifyIncident", label: "verify" },
    { method: "ChangeSeverity", label: "changeSeverity", extra: () => askSeverity() },
    { method: "UpdateUnitStatus", label: "markOnScene", extra: () => ({ state: "STATE_ON_SCENE" }) },
    { method: "ContainIncident", label: "contain" },
    { method: "CloseIncident", label: "close", extra: () => ({ outcomeSummary: prompt(t("outcome")) ?? "" }) },
    { method: "CancelIncident", label: "cancel", extra: () => ({ reason: prompt(t("reason")) ?? "" }) },
  ];
  const draw = () => {
    drawSituation(app);
    const row = (app.situation?.incidents ?? []).find((r) => (r.incident?.name ?? "").endsWith(`/${id}`));
    const incident = row?.incident;
    if (!incident) {
      clear(body, h("p", { class: "empty" }, `${t("incidentPage")} ${id}: —`), h("a", { href: "#/board" }, t("back")));
      return;
    }
    const counts = unitCounts(incident.name ?? "", app.situation?.units ?? []);
    const operator = app.session?.role === "operator";
    clear(
      body,
      h("a", { href: "#/board" }, `← ${t("back")}`),
      h("h2", {}, h("span", { class: `sev sev-${incident.severity}` }, tEnum("sev", incident.severity)), " ", incident.title ?? ""),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("state")),
        h("dd", { "data-testid": "incident-state" }, tEnum("st", incident.state)),
        h("dt", {}, t("kind")),
        h("dd", {}, tEnum("kind", incident.kind)),
        h("dt", {}, t("park")),
        h("dd", {}, incident.parkId ?? ""),
        h("dt", {}, t("elapsed")),
        h("dd", { "data-since": incident.createTime ?? "" }, elapsed(incident.createTime, Date.now())),
        h("dt", {}, `${t("onScene")} / ${t("enRoute")}`),
        h("dd", {}, `${counts.onScene} / ${counts.enRoute}`),
        h("dt", {}, t("unmet")),
        h("dd", {}, unmetText(row?.unmet) || "—"),
      ),
      operator &&
        h(
          "div",
          { class: "actions lifecycle" },
          actions
            .filter((a) => app.has(a.method))
            .map((a) =>
              h(
                "button",
                {
                  "data-method": a.method,
                  onclick: () => {
                    const extra = a.extra ? a.extra() : {};
                    if (extra === null) return;
                    const fields = (app.config as { requestFields?: Record<string, string[]> }).requestFields?.[a.method] ?? [];
                    call(a.method, lifecycleRequest(fields, incident, extra), newKey())
                      .then(() => app.refresh())
                      .catch((e) => app.showError(e));
                  },
                },
                t(a.label),
              ),
            ),
          h("button", { onclick: () => void proposeFor(app, [incident.name ?? ""]).catch((e) => app.showError(e)) }, t("propose")),
        ),
      h("h3", {}, t("demands")),
      table([t("resourceType"), t("quantity"), t("within")], (incident.demands ?? []).map((d) => [d.resourceType ?? "", formatQuantity(num(d.quantity)), String(d.neededWithinMinutes ?? "")])),
      h("h3", {}, t("assignments")),
      table(
        [t("unit"), t("resourceType"), `${t("eta")} (${t("minutes")})`, t("state")],
        (row?.assignments ?? []).map((a) => {
          const unit = (app.situation?.units ?? []).find((u) => idOf(u.name) === idOf(a.unitId));
          return [idOf(a.unitId), a.resourceType ?? "", minutes(a.etaS), tEnum("unit", unit?.state)];
        }),
        { "data-testid": "assignments" },
      ),
      h("h3", {}, t("shipments")),
      table([t("depot"), t("resourceType"), t("amount"), `${t("eta")} (${t("minutes")})`], (row?.shipments ?? []).map((s) => [idOf(s.depotId), s.resourceType ?? "", formatQuantity(num(s.amount)), minutes(s.etaS)])),
      app.has("ListIncidentTimeline") ? h("h3", {}, t("timeline")) : null,
      timeline,
    );
    if (app.has("ListIncidentTimeline")) {
      call<{ entries?: { time?: string; actor?: string; action?: string; note?: string }[] }>("ListIncidentTimeline", { incident: incident.name })
        .then((answer) => clear(timeline, table(["", "", ""], (answer.entries ?? []).map((e) => [e.time ?? "", e.actor ?? "", `${e.action ?? ""} ${e.note ?? ""}`]))))
        .catch(() => undefined);
    }
  };
  panel.append(body);
  draw();
  app.onChange(draw);
}

function askSeverity(): Record<string, unknown> | null {
  const level = prompt("I / II / III / IV");
  if (!level || !["I", "II", "III", "IV"].includes(level.trim().toUpperCase())) return null;
  return { severity: `SEVERITY_${level.trim().toUpperCase()}`, reason: prompt(t("reason")) ?? "" };
}
