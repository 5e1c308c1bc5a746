// The operator's live board beside the map: open incidents by severity level, elapsed time, units, unmet demand.
import type { App } from "../app";
import { call } from "../api";
import { clear, h, table } from "../dom";
import type { ProposePlanResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import { t, tEnum } from "../i18n";
import { depotOfStock, elapsed, idOf, reserveRatios, sortBoard, unitCounts, unmetText } from "../model";

/** Draw the situation on the map: incidents, units away, parks by reserve, depots with low-stock badges. */
export function drawSituation(app: App): void {
  const s = app.situation;
  if (!s) return;
  app.map.showIncidents((s.incidents ?? []).map((row) => row.incident ?? {}));
  app.map.showUnits(s.units ?? []);
  app.map.shadeParks(reserveRatios(s.reserveLevels ?? []));
  const low = new Map<string, number>();
  for (const stock of s.lowStocks ?? []) low.set(depotOfStock(stock.name), (low.get(depotOfStock(stock.name)) ?? 0) + 1);
  app.map.stockBadges(low);
}

export function boardTable(app: App): HTMLElement {
  const s = app.situation;
  // Until the first situation arrives the board says so, rather than "no open incidents".
  if (!s) return h("p", { class: "empty", "data-testid": "board-loading" }, t("loadingSituation"));
  const rows = sortBoard(s.incidents ?? []);
  if (!rows.length) return h("p", { class: "empty", "data-testid": "board-empty" }, t("noIncidents"));
  const now = Date.now();
  return table(
    [t("severity"), t("title"), t("state"), t("elapsed"), `${t("onScene")} / ${t("enRoute")}`, t("unmet")],
    rows.map((row) => {
      const incident = row.incident ?? {};
      const counts = unitCounts(incident.name ?? "", s.units ?? []);
      return [
        h("span", { class: `sev sev-${incident.severity}` }, tEnum("sev", incident.severity)),
        h("a", { href: `#/incident/${idOf(incident.name)}`, "data-testid": "board-title" }, incident.title ?? ""),
        tEnum("st", incident.state),
        h("span", { "data-since": incident.createTime ?? "" }, elapsed(incident.createTime, now)),
        `${counts.onScene} / ${counts.enRoute}`,
        h("span", { class: row.unmet?.length ? "unmet" : "" }, unmetText(row.unmet) || "—"),
      ];
    }),
    { class: "board", "data-testid": "board" },
  );
}

export function summary(app: App): HTMLElement {
  const s = app.situation;
  const below = app.belowReserve();
  // Until the first situation arrives the figures are unknown, not zero.
  const figure = (value: number | undefined): string => (s ? String(value ?? 0) : "—");
  return h(
    "div",
    { class: "summary" },
    h("div", { class: "stat" }, h("b", { "data-testid": "available-units" }, figure(s?.availableUnits)), h("span", {}, t("availableUnits"))),
    h("div", { class: "stat" }, h("b", {}, figure(s?.incidents?.length)), h("span", {}, t("openIncidents"))),
    h("div", { class: `stat ${below.length ? "warn" : ""}` }, h("b", {}, figure(below.length)), h("span", {}, t("belowReserve")), below.length ? h("small", {}, below.join(", ")) : null),
    h("div", { class: `stat ${(s?.lowStocks ?? []).length ? "warn" : ""}` }, h("b", {}, figure(s?.lowStocks?.length)), h("span", {}, t("lowStock"))),
  );
}

export async function proposeFor(app: App, incidents: string[]): Promise<void> {
  const answer = await call<ProposePlanResponseJson>("ProposePlan", { incidents, exerciseId: app.exerciseId });
  app.proposal = answer.proposal ?? null;
  location.hash = "#/plan";
}

export function renderBoard(app: App, panel: HTMLElement): void {
  const body = h("div", {});
  const operator = app.session?.role === "operator";
  const draw = () => {
    clear(
      body,
      summary(app),
      operator &&
        h(
          "div",
          { class: "actions" },
          h("a", { class: "button primary", href: "#/report" }, t("newReport")),
          h("button", { onclick: () => void proposeFor(app, []).catch((e) => app.showError(e)), disabled: !(app.situation?.incidents ?? []).length }, t("proposeAll")),
        ),
      h("h2", {}, t("openIncidents")),
      boardTable(app),
    );
    drawSituation(app);
  };
  panel.append(body);
  draw();
  app.onChange(draw);
}
