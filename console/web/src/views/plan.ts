// Plan review: the proposal drawn on the map, arrival times, what stays unmet and why, the explanation, greedy beside it, commit.
import type { App } from "../app";
import { call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { CommitPlanResponseJson, ProposalJson, ProposePlanResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import type { ObjectiveJson } from "../gen/emergency/dispatch/v1/dispatch_service_pb";
import { t, type Key } from "../i18n";
import { draftFrom, OVERRIDE_COLUMNS, overridesRequest, type OverrideDraft, type OverrideKind } from "../overrides";
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
            clear(status, commitResult(answer, titleOf));
          })
          .catch((error) => {
            commit.disabled = false;
            app.showError(error);
          });
      },
    },
    t("commit"),
  );
  const overrides = h("details", { class: "overrides", open: (proposal.overrideCosts ?? []).length > 0 }, h("summary", {}, t("overrides")), overrideForm(app, proposal));
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
    (proposal.skipped ?? []).length
      ? h("div", { class: "warn-box", "data-testid": "skipped" }, h("h3", {}, t("skipped")), table([t("incident"), t("reason")], (proposal.skipped ?? []).map((x) => [titleOf(x.incident), `${x.code ?? ""} ${x.reason ?? ""}`])))
      : null,
    (proposal.notes ?? []).length ? h("ul", { class: "muted" }, (proposal.notes ?? []).map((n) => h("li", {}, n))) : null,
    h("h3", {}, t("unmet")),
    (plan.unmet ?? []).length
      ? table([t("incident"), t("resourceType"), t("quantity"), t("reason")], (plan.unmet ?? []).map((u) => [titleOf(u.incidentId), u.resourceType ?? "", formatQuantity(num(u.quantity)), u.reason ?? ""]), { class: "unmet-table", "data-testid": "unmet" })
      : h("p", {}, t("nothingUnmet")),
    h("h3", {}, t("explanation")),
    h("ul", { class: "explanation" }, (optimized.explanations ?? []).map((e) => h("li", {}, h("b", {}, titleOf(e.incidentId)), " ", e.summary ?? "", ...(e.bindingConstraints ?? []).map((c) => h("div", { class: "muted" }, c))))),
    (proposal.overrideCosts ?? []).length
      ? h(
          "div",
          {},
          h("h3", {}, t("overrideCosts")),
          table(
            [t("overrides"), t("addedMinutes"), t("reserveUnits"), t("addedUnmet"), t("explanation")],
            (proposal.overrideCosts ?? []).map((c) => [c.description || c.override || "", formatQuantity(num(c.addedMinutes)), formatQuantity(num(c.reserveUnits)), formatQuantity(num(c.addedUnmet)), c.summary ?? ""]),
            { "data-testid": "override-costs" },
          ),
        )
      : null,
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

/** What a commit did: COMMITTED or ALREADY_COMMITTED, the units and supplies sent, and what was not sent and why. */
function commitResult(answer: CommitPlanResponseJson, titleOf: (name: string | undefined) => string): HTMLElement {
  const already = answer.outcome === "OUTCOME_ALREADY_COMMITTED";
  return h(
    "div",
    { class: already ? "warn-box" : "ok-box", "data-testid": "commit-result", "data-outcome": answer.outcome ?? "" },
    h("p", {}, h("b", {}, already ? t("alreadyCommitted") : t("committed")), ` · ${(answer.reservations ?? []).length} · ${t("replans")} ${answer.replans ?? 0}`),
    h("h3", {}, t("dispatched")),
    table(
      [t("unit"), t("resourceType"), t("incident"), `${t("eta")} (${t("minutes")})`],
      [
        ...(answer.dispatchedUnits ?? []).map((a) => [idOf(a.unitId), a.resourceType ?? "", titleOf(a.incidentId), minutes(a.etaS)]),
        ...(answer.dispatchedShipments ?? []).map((s) => [`${idOf(s.depotId)} · ${formatQuantity(num(s.amount))}`, s.resourceType ?? "", titleOf(s.incidentId), minutes(s.etaS)]),
      ],
      { "data-testid": "dispatched" },
    ),
    (answer.notDispatched ?? []).length
      ? h(
          "div",
          {},
          h("h3", {}, t("notDispatched")),
          table([t("unit"), t("resourceType"), t("incident"), t("reason")], (answer.notDispatched ?? []).map((n) => [idOf(n.unit) || `${idOf(n.depot)} · ${formatQuantity(num(n.amount))}`, n.resourceType ?? "", titleOf(n.incident), n.reason ?? ""]), { "data-testid": "not-dispatched" }),
        )
      : null,
    h("div", { class: "actions" }, h("a", { class: "button", href: "#/board", "data-testid": "to-board" }, t("board")), ...(answer.incidents ?? []).map((i) => h("a", { class: "button", href: `#/incident/${idOf(i.name)}` }, i.title ?? idOf(i.name)))),
  );
}

const OVERRIDE_TITLES: Record<OverrideKind, Key> = { pins: "pin", exclusions: "exclude", reserveDips: "reserveDip", mutualAid: "mutualAid" };

function overrideForm(app: App, proposal: ProposalJson): HTMLElement {
  const draft: OverrideDraft = draftFrom(proposal.overrides);
  const box = h("div", { class: "override-form", "data-testid": "override-form" });
  const draw = () => {
    clear(
      box,
      (Object.keys(OVERRIDE_COLUMNS) as OverrideKind[]).map((kind) =>
        h(
          "div",
          { class: "override-kind", "data-kind": kind },
          h("h4", {}, t(OVERRIDE_TITLES[kind]), " ", h("button", { "data-add": kind, onclick: () => (draft[kind].push({}), draw()) }, "+")),
          draft[kind].length
            ? table(
                [...OVERRIDE_COLUMNS[kind].map((c) => t(`ov_${c}` as Key)), ""],
                draft[kind].map((row, i) => [
                  ...OVERRIDE_COLUMNS[kind].map((c) => h("input", { value: row[c] ?? "", "data-field": c, oninput: (e: Event) => (row[c] = (e.target as HTMLInputElement).value) })),
                  h("button", { onclick: () => (draft[kind].splice(i, 1), draw()) }, "✕"),
                ]),
              )
            : null,
        ),
      ),
      h(
        "button",
        {
          class: "primary",
          "data-testid": "repropose",
          onclick: () => {
            const { overrides, missing } = overridesRequest(draft, FEATURES);
            if (missing.length) return app.showError(new Error(`${t("missingFields")}: ${missing.join(", ")}`));
            call<ProposePlanResponseJson>("ProposePlan", { incidents: proposal.incidents ?? [], exerciseId: app.exerciseId, overrides })
              .then((answer) => {
                app.proposal = answer.proposal ?? null;
                void app.route();
              })
              .catch((e) => app.showError(e));
          },
        },
        t("proposeWithOverrides"),
      ),
    );
  };
  draw();
  return box;
}

export { proposeFor };
