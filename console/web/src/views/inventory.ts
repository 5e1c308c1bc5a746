// The park officer's page: the park's reserve and stock, and the inventory import with progress and every bad row.
import type { App } from "../app";
import { ApiError, call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { ImportParkInventoryResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import { t, lang } from "../i18n";
import { parseInventoryCsv, violationsToRows, type BadRow } from "../inventory";
import { FEATURES } from "../map";
import { depotOfStock, formatQuantity, num } from "../model";
import { drawSituation } from "./board";
import { parkInventory } from "./parkstock";

function badTable(rows: BadRow[]): HTMLElement {
  return h("div", { class: "bad-rows" }, h("h3", {}, `${t("badRows")}: ${rows.length}`), table([t("row"), t("field"), t("problem")], rows.map((r) => [String(r.row), r.field, r.problem]), { "data-testid": "bad-rows" }));
}

export function renderInventory(app: App, panel: HTMLElement, param: string): void {
  const own = app.session?.parkId ?? "";
  const parks = FEATURES.filter((f) => f.properties.layer === "park");
  const selected = param || own || parks[0]?.properties.id || "";
  const editable = app.session?.role === "operator" || (app.session?.role === "park_officer" && own === selected);
  const picker = h(
    "select",
    { "data-testid": "inventory-park", onchange: (e: Event) => (location.hash = `#/inventory/${(e.target as HTMLSelectElement).value}`) },
    parks.map((f) => h("option", { value: f.properties.id ?? "", selected: f.properties.id === selected }, lang() === "zh" ? f.properties.nameZh ?? "" : f.properties.name ?? "")),
  );
  const levels = h("div", {});
  const result = h("div", {});
  const progress = h("progress", { max: 100, value: 0, "data-testid": "import-progress" });
  const file = h("input", { type: "file", accept: ".csv,text/csv", "data-testid": "import-file" });
  const run = h("button", { class: "primary", "data-testid": "import-run", disabled: true }, t("importRun"));
  file.addEventListener("change", () => (run.disabled = !file.files?.length));
  run.addEventListener("click", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    run.disabled = true;
    progress.value = 10;
    const parsed = parseInventoryCsv(await chosen.text(), selected);
    progress.value = 40;
    if (parsed.bad.length) {
      progress.value = 0;
      clear(result, badTable(parsed.bad));
      run.disabled = false;
      return;
    }
    try {
      const request = { inventory: { requestId: newKey(), parent: `parks/${selected}`, rows: parsed.rows } };
      const answer = await call<ImportParkInventoryResponseJson>("ImportParkInventory", request);
      progress.value = 100;
      const r = answer.result ?? {};
      clear(
        result,
        h("p", { class: "ok", "data-testid": "import-ok" }, t("importOk")),
        table([t("depotsCreated"), t("unitsCreated"), t("stocksReceived"), t("policiesSet")], [[String(r.depotsCreated ?? 0), String(r.unitsCreated ?? 0), String(r.stocksReceived ?? 0), String(r.policiesSet ?? 0)]]),
      );
    } catch (error) {
      progress.value = 0;
      if (error instanceof ApiError && error.violations.length) clear(result, badTable(violationsToRows(error.violations, parsed.lines)));
      else app.showError(error);
    } finally {
      run.disabled = false;
    }
  });
  const draw = () => {
    drawSituation(app);
    const reserve = (app.situation?.reserveLevels ?? []).filter((l) => l.parkId === selected);
    const low = (app.situation?.lowStocks ?? []).filter((s) => (s.name ?? "").startsWith(`parks/${selected}/`));
    clear(
      levels,
      h("h3", {}, t("parkStock")),
      table([t("resourceType"), t("available"), t("minimum")], reserve.map((l) => [l.resourceType ?? "", formatQuantity(num(l.available)), formatQuantity(num(l.minimum))]), { "data-testid": "reserve-levels" }),
      low.length ? h("h3", {}, t("lowStock")) : null,
      low.length ? table([t("depot"), t("resourceType"), t("available"), t("minimum")], low.map((s) => [depotOfStock(s.name), s.resourceType ?? "", formatQuantity(num(s.onHand)), formatQuantity(num(s.minimumLevel))])) : null,
    );
  };
  panel.append(
    h("h2", {}, t("inventory")),
    h("label", { class: "field" }, h("span", {}, t("park")), picker),
    editable
      ? h("div", { class: "import", "data-testid": "import-box" }, h("h3", {}, t("importTitle")), h("label", { class: "field" }, h("span", {}, t("importFile")), file), run, progress, result)
      : h("p", { class: "muted", "data-testid": "read-only" }, t("readOnlyPark")),
    app.has("GetParkInventory") ? parkInventory(app, selected, editable) : "",
    levels,
  );
  draw();
  app.onChange(draw);
}
