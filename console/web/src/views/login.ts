// Login: pick a role of a person (not a machine role such as alarm intake) in the embedded run (a development token), or paste a token issued elsewhere.
import type { App } from "../app";
import { describeToken, developmentLogin } from "../api";
import { h } from "../dom";
import { FEATURES } from "../map";
import { hasText, lang, t, type Key } from "../i18n";

export function renderLogin(app: App, panel: HTMLElement): void {
  const parks = FEATURES.filter((f) => f.properties.layer === "park");
  const park = h("select", { "data-testid": "login-park" }, parks.map((f) => h("option", { value: f.properties.id ?? "" }, lang() === "zh" ? f.properties.nameZh ?? "" : f.properties.name ?? "")));
  const name = h("input", { "data-testid": "login-name", placeholder: t("name") });
  const token = h("textarea", { rows: 3, "data-testid": "login-token" });
  const choose = (role: string) => {
    developmentLogin(role, role === "park_officer" ? park.value : "", name.value)
      .then((session) => app.login(session))
      .catch((e) => app.showError(e));
  };
  panel.append(
    h("h2", {}, t("appTitle")),
    app.config.developmentLogin
      ? h(
          "div",
          { class: "login" },
          h("p", {}, t("loginTitle")),
          h("label", { class: "field" }, h("span", {}, t("name")), name),
          h("label", { class: "field" }, h("span", {}, t("park")), park),
          h("div", { class: "roles" }, app.config.roles.filter((role) => hasText(`role_${role}`)).map((role) => h("button", { class: "role", "data-role": role, onclick: () => choose(role) }, t(`role_${role}` as Key)))),
        )
      : h("p", {}, t("loginNoDev")),
    h("label", { class: "field" }, h("span", {}, t("loginToken")), token),
    h("button", { onclick: () => app.login(describeToken(token.value.trim())) }, t("useToken")),
  );
}
