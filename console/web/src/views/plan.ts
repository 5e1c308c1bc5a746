// Plan review: the proposal drawn on the map, arrival times, what stays unmet and why, the explanation, greedy beside it, commit.
import type { App } from "../app";
import { call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { CommitPlanResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import type { ObjectiveJson } from "../gen/emergency/dispatch/v1/dispatch_service_pb";
import { t } from "../i18n";
import { FEATURES } from "../map";
import { depotPositions, formatQuantity, idOf, minutes, num, planLines, type LatLon } from "../model";
import { drawSituation, proposeFor } from "./board";

function objectiveRows(optimal: ObjectiveJson | undefined, greedy: ObjectiveJson | undefined): (string | number)[][] {
  const rows: [string, keyof ObjectiveJson][] = [
    [t("weightedUnmet"), "weightedUnmet"],
    [t("weightedCompletion"), "weightedCompletionS"],
    [t("totalTravel"), "totalTravelS"],
  ];
  return rows.map(([label, key]) => [label, formatQuantity(num(optimal?.[key] as number)), formatQuantity(num(greedy?.[key] as number))]);
}

export function renderPlan(app: App, panel: HTMLElement): void {
  const proposal = app.proposal;
  if (!proposal) {
    panel.append(h("p", { class: "empty" }, t("noPlan")));
    drawSituation(app);
    return;
  }
  const optimized = proposal.optimized ?? {};
  const titleOf = (name: string | undefined) => (app.situation?.incidents ?? []).find((r) => idOf(r.incident?.name) === idOf(name))?.incident?.title ?? idOf(name);
  const plan = optimized.plan ?? {};
  let fitted = false;
  const draw = () => {
    drawSituation(app);
    const incidents = new Map<string, LatLon>();
    for (const row of app.situation?.incidents ?? []) {
      const p = row.incident?.location?.point;
      if (p) incidents.set((row.incident?.name ?? "").split("/").pop() ?? "", [num(p.latitude), num(p.longitude)]);
    }
    const away = new Map<string, LatLon>();
    for (const unit of app.situation?.units ?? []) if (unit.position) away.set((unit.name ?? "").split("/").pop() ?? "", [num(unit.position.latitude), num(unit.position.longitude)]);
    app.map.showPlan(planLines(proposal, incidents, away, depotPositions(FEATURES)), !fitted);
    fitted = true;
  };
  const status = h("div", { class: "status-line", "data-testid": "commit-status" });
  const key = newKey();
  const commit = h(
    "button",
    {
      class: "primary",
      "data-testid": "commit",
      disabled: app.session?.role !== "operator",
      onclick: () => {
        commit.disabled = true;
        call<CommitPlanResponseJson>("CommitPlan", { proposal: proposal.name }, key)
          .then((answer) => {
            clear(status, `${t("committed")}: ${(answer.reservations ?? []).length} · ${answer.replans ?? 0}`);
            app.proposal = null;
            location.hash = "#/board";
          })
          .catch((error) => {
            commit.disabled = false;
            app.showError(error);
          });
      },
    },
    t("commit"),
  );
  const overrides = app.takes("ProposePlan", "overrides") || app.takes("ProposePlan", "pinned")
    ? h("details", { class: "overrides" }, h("summary", {}, t("overrides")), overrideForm(app, proposal.incidents ?? []))
    : h("p", { class: "muted" }, `${t("overrides")}: ${t("overridesUnavailable")}`);
  const body = h(
    "div",
    {},
    h("h2", {}, `${t("plan")} · ${proposal.name}`),
    table(
      [t("objective"), t("optimal"), t("greedy")],
      objectiveRows(optimized.objective, optimized.greedyObjective),
      { class: "objective", "data-testid": "objective" },
    ),
    h("p", { class: "muted" }, `${t("solver")}: ${optimized.solver?.status ?? ""} · ${t("gap")} ${num(optimized.solver?.gap).toFixed(3)}`),
    h("div", { class: "actions" }, commit),
    status,
    h("h3", {}, t("unmet")),
    (plan.unmet ?? []).length
      ? table([t("incident"), t("resourceType"), t("quantity"), t("reason")], (plan.unmet ?? []).map((u) => [titleOf(u.incidentId), u.resourceType ?? "", formatQuantity(num(u.quantity)), u.reason ?? ""]), { class: "unmet-table", "data-testid": "unmet" })
      : h("p", {}, t("nothingUnmet")),
    h("h3", {}, t("explanation")),
    h("ul", { class: "explanation" }, (optimized.explanations ?? []).map((e) => h("li", {}, h("b", {}, titleOf(e.incidentId)), " ", e.summary ?? "", ...(e.bindingConstraints ?? []).map((c) => h("div", { class: "muted" }, c))))),
    overrides,
    h("h3", {}, `${t("etaTable")} · ${(plan.assignments ?? []).length} ${t("units")}`),
    table(
      [t("unit"), t("resourceType"), t("incident"), `${t("eta")} (${t("minutes")})`],
      [...(plan.assignments ?? [])].sort((a, b) => num(a.etaS) - num(b.etaS)).map((a) => [idOf(a.unitId), a.resourceType ?? "", titleOf(a.incidentId), minutes(a.etaS)]),
      { class: "eta", "data-testid": "eta-table" },
    ),
    (plan.shipments ?? []).length
      ? table(
          [t("depot"), t("resourceType"), t("amount"), `${t("eta")} (${t("minutes")})`],
          (plan.shipments ?? []).map((s) => [idOf(s.depotId), s.resourceType ?? "", formatQuantity(num(s.amount)), minutes(s.etaS)]),
          { class: "shipments" },
        )
      : null,
  );
  panel.append(body);
  draw();
  app.onChange(draw);
}

function overrideForm(app: App, incidents: string[]): HTMLElement {
  const pin = h("input", { placeholder: "unit ids, comma separated" });
  const exclude = h("input", { placeholder: "unit ids, comma separated" });
  const dipParks = h("input", { placeholder: "park ids" });
  const reason = h("input", {});
  const split = (el: HTMLInputElement) => el.value.split(/[,\s]+/).filter(Boolean);
  return h(
    "div",
    { class: "override-form" },
    h("label", { class: "field" }, h("span", {}, t("pin")), pin),
    h("label", { class: "field" }, h("span", {}, t("exclude")), exclude),
    h("label", { class: "field" }, h("span", {}, t("reserveDip")), dipParks),
    h("label", { class: "field" }, h("span", {}, t("overrideReason")), reason),
    h(
      "button",
      {
        onclick: () => {
          const overrides = { pinnedUnits: split(pin), excludedUnits: split(exclude), reserveDipParks: split(dipParks), reason: reason.value };
          call<{ proposal?: unknown }>("ProposePlan", { incidents, exerciseId: app.exerciseId, overrides })
            .then((answer) => {
              app.proposal = (answer.proposal ?? null) as typeof app.proposal;
              void app.route();
            })
            .catch((e) => app.showError(e));
        },
      },
      t("propose"),
    ),
  );
}

export { proposeFor };
