// Entry point: the shell with one view per page.
import "./style.css";
import { App } from "./app";
import { renderBoard } from "./views/board";
import { renderDrill, renderDrills } from "./views/drills";
import { renderIncident } from "./views/incident";
import { renderInventory } from "./views/inventory";
import { renderLogin } from "./views/login";
import { renderPlan } from "./views/plan";
import { renderReport } from "./views/report";
import { lang } from "./i18n";

document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
const app = new App(document.getElementById("app") as HTMLElement, {
  login: renderLogin,
  board: renderBoard,
  report: renderReport,
  plan: renderPlan,
  incident: renderIncident,
  drills: renderDrills,
  drill: renderDrill,
  inventory: renderInventory,
});
void app.start();
(window as unknown as { consoleApp: App }).consoleApp = app;
