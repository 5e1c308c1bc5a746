// Drill director: scenarios, start a drill, the drill's own board under an EXERCISE banner, the after-action report as a chart.
import type { App } from "../app";
import { call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { GetDrillReportResponseJson, GetDrillResponseJson, ListDrillsResponseJson, StartDrillResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import type { AfterActionReportJson } from "../gen/emergency/casebase/v1/casebase_service_pb";
import bundled from "../map/scenarios.json";
import { lang, t, tEnum } from "../i18n";
import { formatQuantity, idOf, num } from "../model";
import { boardTable, drawSituation, summary } from "./board";

interface ScenarioRow {
  name: string;
  title: string;
  titleZh?: string;
  mode?: string;
  parkIds?: string[];
}

async function scenarios(app: App): Promise<ScenarioRow[]> {
  if (app.has("ListScenarios")) {
    try {
      const answer = await call<{ scenarios?: ScenarioRow[] }>("ListScenarios", {});
      if (answer.scenarios?.length) return answer.scenarios;
    } catch {
      // fall back to the shipped list
    }
  }
  return bundled as ScenarioRow[];
}

export async function renderDrills(app: App, panel: HTMLElement): Promise<void> {
  const director = app.session?.role === "drill_director";
  const mode = h("select", { "data-testid": "drill-mode" }, ["MODE_UNSPECIFIED", "MODE_SCRIPTED", "MODE_UNANNOUNCED"].map((m) => h("option", { value: m }, tEnum("mode", m))));
  const speed = h("input", { type: "number", min: 1, max: 3600, value: 60, "data-testid": "drill-speed" });
  const auto = h("input", { type: "checkbox", checked: true, "data-testid": "drill-auto" });
  const start = (scenario: string) => {
    call<StartDrillResponseJson>("StartDrill", { scenario, mode: mode.value, clockSpeed: Number(speed.value), autoDispatch: auto.checked }, newKey())
      .then((answer) => (location.hash = `#/drill/${idOf(answer.drill?.name)}`))
      .catch((e) => app.showError(e));
  };
  const rows = await scenarios(app);
  const other = h("input", { placeholder: "scenarios/…", "data-testid": "drill-scenario" });
  const body = h(
    "div",
    {},
    h("h2", {}, t("scenarios")),
    director &&
      h(
        "div",
        { class: "row" },
        h("label", { class: "field" }, h("span", {}, t("mode")), mode),
        h("label", { class: "field" }, h("span", {}, t("clockSpeed")), speed),
        h("label", { class: "field check" }, auto, h("span", {}, t("autoDispatch"))),
      ),
    director && h("div", { class: "row" }, h("label", { class: "field" }, h("span", {}, t("scenario")), other), h("button", { class: "primary", "data-testid": "drill-start", onclick: () => other.value && start(other.value.trim()) }, t("startDrill"))),
    table(
      [t("scenario"), t("mode"), t("park"), ""],
      rows.map((s) => [
        h("div", {}, h("b", {}, (lang() === "zh" && s.titleZh) || s.title), h("div", { class: "muted" }, s.name)),
        tEnum("mode", s.mode),
        (s.parkIds ?? []).join(", "),
        director ? h("button", { "data-scenario": s.name, onclick: () => start(s.name) }, t("startDrill")) : "",
      ]),
      { class: "scenarios", "data-testid": "scenarios" },
    ),
  );
  panel.append(body);
  if (app.has("ListDrills")) body.append(await drillList(app));
  drawSituation(app);
}

/** Drills run so far, newest first, each linking to its board and report. */
async function drillList(app: App): Promise<HTMLElement> {
  try {
    const answer = await call<ListDrillsResponseJson>("ListDrills", { pageSize: 50 });
    return h(
      "div",
      {},
      h("h2", {}, t("drillList")),
      table(
        [t("drill"), t("scenario"), t("mode"), t("state"), t("time")],
        (answer.drills ?? []).map((d) => [
          h("a", { href: `#/drill/${idOf(d.name)}` }, idOf(d.name)),
          d.scenario ?? "",
          tEnum("mode", d.mode),
          tEnum("drillState", d.state),
          d.startTime ? new Date(d.startTime).toLocaleString() : "",
        ]),
        { "data-testid": "drill-list" },
      ),
    );
  } catch (error) {
    app.showError(error);
    return h("div", {});
  }
}

export function renderDrill(app: App, panel: HTMLElement, id: string): void {
  const head = h("div", {});
  const board = h("div", {});
  const report = h("div", { class: "aar" });
  panel.append(head, board, report);
  let timer: number | undefined;
  let reported = false;
  const poll = async () => {
    try {
      const drill = (await call<GetDrillResponseJson>("GetDrill", { name: `drills/${id}` })).drill ?? {};
      if (drill.exerciseId && drill.exerciseId !== app.exerciseId) app.setNamespace(drill.exerciseId);
      clear(
        head,
        h("h2", {}, `${t("drill")} ${id}`),
        h("p", {}, `${drill.scenario} · `, h("b", { "data-testid": "drill-state" }, tEnum("drillState", drill.state)), ` · ${t("released")}: ${(drill.releasedInjects ?? []).length}`),
      );
      if (drill.state === "STATE_FINISHED" && !reported) {
        reported = true;
        const answer = await call<GetDrillReportResponseJson>("GetDrillReport", { name: `drills/${id}` });
        clear(report, afterAction(answer));
      }
      if (drill.state === "STATE_RUNNING") timer = window.setTimeout(() => void poll(), 1500);
    } catch (e) {
      app.showError(e);
    }
  };
  const draw = () => {
    clear(board, summary(app), boardTable(app));
    drawSituation(app);
  };
  app.onChange(draw);
  draw();
  void poll();
  window.addEventListener("hashchange", () => clearTimeout(timer), { once: true });
}

/** The after-action report: score, a bar per target (measured against its threshold, met or missed), hindsight beside the plan run. */
export function afterAction(answer: GetDrillReportResponseJson): HTMLElement {
  const r: AfterActionReportJson = answer.report ?? {};
  const results = r.targetResults ?? [];
  const width = 560;
  const bar = 22;
  const max = Math.max(1, ...results.map((x) => Math.max(num(x.measured), num(x.target?.threshold))));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${results.length * (bar + 8) + 10}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("data-testid", "aar-chart");
  results.forEach((x, i) => {
    const y = 5 + i * (bar + 8);
    const w = (num(x.measured) / max) * (width - 240);
    const threshold = 200 + (num(x.target?.threshold) / max) * (width - 240);
    svg.innerHTML += `<text x="0" y="${y + 15}" font-size="12">${x.injectId ?? ""} ${x.target?.metric ?? ""}</text>`;
    svg.innerHTML += `<rect x="200" y="${y}" width="${Math.max(w, 1)}" height="${bar}" fill="${x.met ? "#2e7d32" : "#c62828"}"><title>${formatQuantity(num(x.measured))}</title></rect>`;
    svg.innerHTML += `<text x="${204 + Math.max(w, 1)}" y="${y + 15}" font-size="11">${formatQuantity(num(x.measured))} / ${formatQuantity(num(x.target?.threshold))}</text>`;
    svg.innerHTML += `<line x1="${threshold}" x2="${threshold}" y1="${y - 2}" y2="${y + bar + 2}" stroke="#000" stroke-dasharray="3 2"/>`;
  });
  const met = results.filter((x) => x.met).length;
  return h(
    "div",
    {},
    h("h2", {}, t("afterAction")),
    h("p", { class: "score", "data-testid": "aar-score" }, `${t("score")}: ${num(r.score).toFixed(1)} · ${t("met")} ${met} · ${t("missed")} ${results.length - met}`),
    svg,
    h("h3", {}, t("hindsight")),
    table(
      [t("objective"), t("hindsight")],
      [
        [t("weightedUnmet"), formatQuantity(num(answer.hindsight?.objective?.weightedUnmet))],
        [t("weightedCompletion"), formatQuantity(num(answer.hindsight?.objective?.weightedCompletionS))],
        [t("totalTravel"), formatQuantity(num(answer.hindsight?.objective?.totalTravelS))],
      ],
    ),
    h("h3", {}, t("targets")),
    table(
      [t("incident"), t("objective"), t("measured"), t("minimum"), ""],
      results.map((x) => [x.injectId ?? "", x.target?.description || x.target?.metric || "", formatQuantity(num(x.measured)), formatQuantity(num(x.target?.threshold)), x.met ? t("met") : t("missed")]),
    ),
    (r.lessons ?? []).length ? h("div", {}, h("h3", {}, t("lessons")), h("ul", {}, (r.lessons ?? []).map((l) => h("li", {}, l)))) : null,
  );
}
