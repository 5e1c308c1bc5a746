// A park's inventory from GetParkInventory: units out of service and back (UpdateUnitStatus), stock adjusted with a reason (AdjustStock).
import type { App } from "../app";
import { call, newKey } from "../api";
import { clear, h, table } from "../dom";
import type { GetParkInventoryResponseJson } from "../gen/emergency/gateway/v1/gateway_service_pb";
import { t, tEnum } from "../i18n";
import { adjustRequest, unitToggle } from "../stock";
import { formatQuantity, idOf, num } from "../model";

/** The park's units and stock, with edit controls when the caller may change this park. */
export function parkInventory(app: App, park: string, editable: boolean): HTMLElement {
  const box = h("div", { class: "park-inventory", "data-testid": "park-inventory" });
  const reason = h("input", { "data-testid": "unit-reason", placeholder: t("reason") });
  let drawing = 0;
  const draw = async () => {
    const turn = ++drawing;
    let inv: GetParkInventoryResponseJson;
    try {
      inv = await call<GetParkInventoryResponseJson>("GetParkInventory", { park: `parks/${park}`, exerciseId: app.exerciseId });
    } catch (error) {
      app.showError(error);
      return;
    }
    if (turn !== drawing) return;
    const unitButton = (name: string, state: string | undefined) => {
      const toggle = unitToggle(state);
      if (!editable || !toggle) return "";
      const button = h("button", { "data-unit": idOf(name), "data-to": toggle.to }, t(toggle.label));
      button.addEventListener("click", () => {
        button.disabled = true;
        call("UpdateUnitStatus", { units: [name], state: toggle.to, reason: reason.value.trim(), exerciseId: app.exerciseId }, newKey())
          .then(() => void draw())
          .catch((e) => {
            button.disabled = false;
            app.showError(e);
          });
      });
      return button;
    };
    const stockRow = (stock: NonNullable<GetParkInventoryResponseJson["stocks"]>[number]) => {
      if (!editable) return [idOf(stock.name?.split("/stocks/")[0]), stock.resourceType ?? "", formatQuantity(num(stock.onHand)), formatQuantity(num(stock.reserved)), formatQuantity(num(stock.minimumLevel)), ""];
      const kind = h("select", { "data-field": "kind" }, ["KIND_RECEIPT", "KIND_CORRECTION", "KIND_LOSS"].map((k) => h("option", { value: k }, tEnum("ledger", k))));
      const delta = h("input", { type: "number", step: "any", "data-field": "delta" });
      const why = h("input", { "data-field": "reason", placeholder: t("reason") });
      const save = h("button", { "data-stock": stock.name ?? "" }, t("adjust"));
      save.addEventListener("click", () => {
        const built = adjustRequest(stock.name ?? "", kind.value, delta.value, why.value);
        if ("problem" in built) return app.showError(new Error(`${t("adjust")}: ${built.problem}`));
        save.disabled = true;
        call("AdjustStock", built, newKey())
          .then(() => void draw())
          .catch((e) => {
            save.disabled = false;
            app.showError(e);
          });
      });
      return [idOf(stock.name?.split("/stocks/")[0]), stock.resourceType ?? "", formatQuantity(num(stock.onHand)), formatQuantity(num(stock.reserved)), formatQuantity(num(stock.minimumLevel)), h("div", { class: "row stock-adjust" }, kind, delta, why, save)];
    };
    clear(
      box,
      h("h3", {}, t("stock")),
      table([t("depot"), t("resourceType"), t("onHand"), t("reservedAmount"), t("minimum"), editable ? t("adjust") : ""], (inv.stocks ?? []).map(stockRow), { "data-testid": "park-stocks" }),
      h("h3", {}, `${t("units")} · ${(inv.units ?? []).length}`),
      editable && h("label", { class: "field" }, h("span", {}, t("outOfServiceReason")), reason),
      table(
        [t("unit"), t("resourceType"), t("depot"), t("state"), ""],
        (inv.units ?? []).map((u) => [idOf(u.name), u.resourceType ?? "", u.homeDepotId ?? "", h("span", { "data-unit-state": u.state ?? "" }, tEnum("unit", u.state)), unitButton(u.name ?? "", u.state)]),
        { "data-testid": "park-units" },
      ),
    );
  };
  void draw();
  app.onEvent((event) => {
    if (/^(unit|stock|reservation)\./.test(event.type ?? "")) void draw();
  });
  return box;
}
