// The report form: location picked on the map, park resolved from it, similar cases with reasons, demands to accept or edit.
import type { App } from "../app";
import { ApiError, call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { ReportIncidentResponseJson, SetDemandsResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import type { ResourceDemandJson } from "../gen/emergency/common/v1/common_pb";
import { t, tEnum, lang, type Key } from "../i18n";
import { FEATURES } from "../map";
import { formatQuantity, num, parkAt, type LatLon } from "../model";
import { drawSituation, proposeFor } from "./board";

const KINDS = ["INCIDENT_KIND_TOXIC_GAS_LEAK", "INCIDENT_KIND_FIRE", "INCIDENT_KIND_EXPLOSION", "INCIDENT_KIND_FLAMMABLE_GAS_LEAK", "INCIDENT_KIND_CHEMICAL_SPILL", "INCIDENT_KIND_WATER_POLLUTION", "INCIDENT_KIND_RUNAWAY_REACTION", "INCIDENT_KIND_CONFINED_SPACE", "INCIDENT_KIND_STRUCTURAL_COLLAPSE", "INCIDENT_KIND_TRANSPORT_ACCIDENT", "INCIDENT_KIND_OTHER"];
const SEVERITIES = ["SEVERITY_I", "SEVERITY_II", "SEVERITY_III", "SEVERITY_IV"];

function field(label: Key, input: HTMLElement): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, t(label)), input);
}

function parkName(id: string): string {
  const f = FEATURES.find((x) => x.properties.layer === "park" && x.properties.id === id);
  return f ? `${lang() === "zh" ? f.properties.nameZh : f.properties.name} (${id})` : t("outsideParks");
}

export function renderReport(app: App, panel: HTMLElement): void {
  let point: LatLon | null = null;
  const key = newKey();
  const title = h("input", { name: "title", required: true, "data-testid": "title" });
  const kind = h("select", { name: "kind", "data-testid": "kind" }, KINDS.map((k) => h("option", { value: k }, tEnum("kind", k))));
  const severity = h("select", { name: "severity", "data-testid": "severity" }, SEVERITIES.map((s) => h("option", { value: s, selected: s === "SEVERITY_II" }, tEnum("sev", s))));
  const substance = h("input", { name: "substance", "data-testid": "substance" });
  const un = h("input", { name: "un", size: 6, "data-testid": "un" });
  const hazard = h("input", { name: "hazard", size: 5, "data-testid": "hazard" });
  const description = h("textarea", { name: "description", rows: 2 });
  const where = h("div", { class: "where", "data-testid": "where" }, t("pickOnMap"));
  const result = h("div", { class: "result" });
  const submit = h("button", { class: "primary", type: "submit", "data-testid": "submit-report", disabled: true }, t("submitReport"));

  app.map.onPick = (p) => {
    point = p;
    app.map.showPick(p);
    const park = parkAt(p, FEATURES);
    where.dataset.park = park;
    clear(where, `${p[0].toFixed(5)}, ${p[1].toFixed(5)} · `, h("b", {}, parkName(park)));
    submit.disabled = false;
  };

  const form = h(
    "form",
    {
      class: "report",
      onsubmit: (e: Event) => {
        e.preventDefault();
        if (!point) return;
        const incident = {
          title: title.value,
          parkId: where.dataset.park ?? "",
          location: { point: { latitude: point[0], longitude: point[1] }, description: title.value },
          kind: kind.value,
          severity: severity.value,
          reporter: app.session?.subject ?? "",
          description: description.value,
          substance: substance.value ? { name: substance.value, unNumber: un.value, hazardClass: hazard.value } : undefined,
        };
        submit.disabled = true;
        call<ReportIncidentResponseJson>("ReportIncident", { incident }, key)
          .then((answer) => showRecommendation(app, result, answer))
          .catch((error) => {
            submit.disabled = false;
            showViolations(result, error);
            app.showError(error);
          });
      },
    },
    h("h2", {}, t("newReport")),
    field("location", where),
    field("title", title),
    h("div", { class: "row" }, field("kind", kind), field("severity", severity)),
    h("div", { class: "row" }, field("substance", substance), field("unNumber", un), field("hazardClass", hazard)),
    field("description", description),
    submit,
  );
  panel.append(form, result);
  app.onChange(() => drawSituation(app));
  drawSituation(app);
}

function showViolations(target: HTMLElement, error: unknown): void {
  if (error instanceof ApiError && error.violations.length) {
    clear(target, h("ul", { class: "violations" }, error.violations.map((v) => h("li", {}, `${v.field}: ${v.description}`))));
  }
}

function showRecommendation(app: App, target: HTMLElement, answer: ReportIncidentResponseJson): void {
  const incident = answer.incident ?? {};
  const lines = (answer.recommendedDemands ?? []).map((r) => ({ demand: r.demand ?? ({} as ResourceDemandJson), rationale: r.rationale ?? "", keep: true }));
  const cases = table(
    [t("title"), t("score"), t("reasons")],
    (answer.similarCases ?? []).slice(0, 5).map((c) => [
      (lang() === "zh" ? c.accidentCase?.titleZh : "") || c.accidentCase?.title || "",
      num(c.score).toFixed(2),
      (c.parts ?? []).filter((p) => num(p.similarity) > 0).map((p) => p.reason).join("; "),
    ]),
    { class: "cases", "data-testid": "similar-cases" },
  );
  const demands = table(
    [t("accept"), t("resourceType"), t("quantity"), t("within"), t("rationale")],
    lines.map((line) => [
      h("input", { type: "checkbox", checked: true, onchange: (e: Event) => (line.keep = (e.target as HTMLInputElement).checked) }),
      line.demand.resourceType ?? "",
      h("input", { type: "number", min: 0, step: "any", value: num(line.demand.quantity), class: "qty", onchange: (e: Event) => (line.demand.quantity = Number((e.target as HTMLInputElement).value)) }),
      String(line.demand.neededWithinMinutes ?? ""),
      h("small", {}, line.rationale),
    ]),
    { class: "demands", "data-testid": "recommended" },
  );
  const status = h("div", { class: "status-line" });
  const propose = h(
    "button",
    { class: "primary", disabled: true, "data-testid": "propose", onclick: () => void proposeFor(app, [incident.name ?? ""]).catch((e) => app.showError(e)) },
    t("propose"),
  );
  const accept = h(
    "button",
    {
      "data-testid": "accept-demands",
      onclick: () => {
        accept.disabled = true;
        const chosen = lines.filter((l) => l.keep && num(l.demand.quantity) > 0).map((l) => l.demand);
        call<SetDemandsResponseJson>("SetDemands", { incident: incident.name, version: incident.version, demands: chosen, note: "accepted in the console" }, newKey())
          .then(() => {
            clear(status, `${t("demandsSet")}: ${chosen.map((d) => `${d.resourceType} ×${formatQuantity(num(d.quantity))}`).join(", ")}`);
            propose.disabled = false;
          })
          .catch((error) => {
            accept.disabled = false;
            app.showError(error);
          });
      },
    },
    t("acceptDemands"),
  );
  clear(target, h("h3", {}, `${incident.title} · ${incident.name}`), h("h3", {}, t("similarCases")), cases, h("h3", {}, t("recommended")), demands, h("div", { class: "actions" }, accept, propose), status);
}
