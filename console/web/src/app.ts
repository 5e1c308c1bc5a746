// The application shell: session, server config, the situation, the one event stream, notifications and routing.
import { call, getConfig, loadSession, saveSession, type ServerConfig, type Session } from "./api";
import { clear, h } from "./dom";
import type { GetSituationResponseJson, ProposalJson } from "./gen/emergency/gateway/v1/gateway_service_pb";
import { lang, setLang, t, tEnum, type Key } from "./i18n";
import { CommandMap } from "./map";
import { elapsed } from "./model";
import { MAX_NOTES, loadNotes, saveNotes, type Note } from "./notes";
import { EventStream, type SseFrame, type StreamState } from "./sse";

export interface EventJson {
  id?: string;
  eventId?: string;
  type?: string;
  subject?: string;
  exerciseId?: string;
  time?: string;
  payload?: Record<string, unknown>;
}

export type View = (app: App, panel: HTMLElement, param: string) => void | Promise<void>;

export class App {
  config!: ServerConfig;
  session: Session | null = loadSession();
  situation: GetSituationResponseJson | null = null;
  exerciseId = "";
  proposal: ProposalJson | null = null;
  notes: Note[] = loadNotes();
  /** Domain events received on this page, "type subject", newest last (the tests read it; bounded). */
  received: string[] = [];
  map!: CommandMap;
  streamState: StreamState = "connecting";
  private stream: EventStream | null = null;
  private refreshTimer: number | undefined;
  private listeners = new Set<() => void>();
  private eventListeners = new Set<(event: EventJson) => void>();
  private noteSeq = Math.max(0, ...this.notes.map((note) => note.id));
  private seenEvents = new Set<string>();
  private shell!: { header: HTMLElement; panel: HTMLElement; mapBox: HTMLElement; toasts: HTMLElement };

  constructor(private readonly root: HTMLElement, private readonly views: Record<string, View>) {}

  async start(): Promise<void> {
    this.config = await getConfig();
    const header = h("header", { class: "top" });
    const panel = h("section", { class: "panel", id: "panel" });
    const mapBox = h("section", { class: "mapbox" }, h("div", { id: "map" }));
    const toasts = h("div", { class: "toasts", id: "toasts" });
    clear(this.root, header, h("main", { class: "layout" }, panel, mapBox), toasts);
    this.shell = { header, panel, mapBox, toasts };
    this.map = new CommandMap(mapBox.querySelector("#map") as HTMLElement, this.config.tileUrl);
    window.addEventListener("hashchange", () => void this.route());
    setInterval(() => this.tick(), 1000);
    if (this.session) this.connect();
    await this.route();
  }

  has(method: string): boolean {
    return this.config.methods.includes(method);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onEvent(listener: (event: EventJson) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  login(session: Session): void {
    this.session = session;
    saveSession(session);
    this.connect();
    location.hash = this.home();
    void this.route();
  }

  logout(): void {
    this.stream?.stop();
    this.stream = null;
    this.session = null;
    saveSession(null);
    this.notes = [];
    saveNotes(this.notes);
    location.hash = "#/login";
    void this.route();
  }

  home(): string {
    const role = this.session?.role;
    if (role === "park_officer") return "#/inventory";
    if (role === "drill_director") return "#/drills";
    return "#/board";
  }

  /** Switch the namespace (live or an exercise): the board, the map and the event stream follow. */
  setNamespace(exerciseId: string): void {
    if (exerciseId === this.exerciseId && this.stream) return;
    this.exerciseId = exerciseId;
    this.situation = null;
    this.connect();
    void this.refresh();
  }

  connect(): void {
    this.stream?.stop();
    const url = `api/v1/events${this.exerciseId ? `?exercise_id=${encodeURIComponent(this.exerciseId)}` : ""}`;
    this.stream = new EventStream({
      url,
      token: () => this.session?.token ?? "",
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => {
        this.streamState = state;
        this.renderHeader();
      },
    });
    this.stream.start();
  }

  private onFrame(frame: SseFrame): void {
    if (frame.event === "resync" || (frame.event === "ready" && this.situation)) {
      void this.refresh();
      return;
    }
    if (frame.event !== "domain") return;
    const event = JSON.parse(frame.data) as EventJson;
    if (event.eventId && this.seenEvents.has(event.eventId)) return;
    if (event.eventId) this.seenEvents.add(event.eventId);
    this.received = [...this.received.slice(-999), `${event.type} ${event.subject}`];
    this.noteFor(event);
    for (const listener of this.eventListeners) listener(event);
    this.scheduleRefresh();
  }

  private noteFor(event: EventJson): void {
    const eventId = event.eventId;
    const payload = event.payload ?? {};
    const subject = event.subject ?? "";
    if (event.type === "incident.created") this.notify("noteNewIncident", `${String(payload.title ?? subject.split("/").pop())} · ${String(payload.park_id ?? "")} · ${tEnum("sev", `SEVERITY_${String(payload.severity ?? "")}`)}`, eventId);
    else if (event.type === "stock.low") this.notify("noteLowStock", subject.replace(/^parks\/([^/]+)\/depots\/([^/]+)\/stocks\//, "$1 · $2 · "), eventId);
    else if (event.type === "reservation.expired") this.notify("noteHoldExpiring", subject, eventId);
    else if (event.type === "plan.committed") this.notify("noteCommitted", subject, eventId);
  }

  notify(kind: Key, text: string, eventId?: string): void {
    // A reloaded page is sent the last few seconds' events again: one that already raised a note raises none.
    if (eventId && this.notes.some((note) => note.event === eventId)) return;
    const note: Note = { id: ++this.noteSeq, kind, text, time: new Date(), event: eventId };
    this.notes = [note, ...this.notes].slice(0, MAX_NOTES);
    saveNotes(this.notes);
    const toast = h("div", { class: `toast toast-${kind}` }, h("b", {}, t(kind)), " ", text);
    this.shell.toasts.append(toast);
    setTimeout(() => toast.remove(), 6000);
    this.renderHeader();
  }

  scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.refresh(), 100);
  }

  async refresh(): Promise<void> {
    if (!this.session) return;
    try {
      const situation = await call<GetSituationResponseJson>("GetSituation", { exerciseId: this.exerciseId });
      // Compared with the picture as it is when this answer lands: two refreshes in flight never raise the same breach.
      const before = this.belowReserve();
      this.situation = situation;
      for (const park of this.belowReserve()) if (!before.includes(park) && this.situationSeen) this.notify("noteBelowReserve", park);
      this.situationSeen = true;
      for (const listener of this.listeners) listener();
    } catch (error) {
      // An ended drill's namespace is gone: keep its last picture rather than raise an alarm.
      if (this.exerciseId && (error as { code?: string }).code === "FAILED_PRECONDITION") return;
      this.showError(error);
    }
  }

  private situationSeen = false;

  belowReserve(): string[] {
    const parks = new Set<string>();
    for (const level of this.situation?.reserveLevels ?? []) if (Number(level.available ?? 0) < Number(level.minimum ?? 0)) parks.add(level.parkId ?? "");
    return [...parks].sort();
  }

  showError(error: unknown): void {
    const e = error as { status?: number; message?: string; code?: string };
    if (e.status === 401) {
      this.logout();
      return;
    }
    const toast = h("div", { class: "toast toast-error", role: "alert" }, h("b", {}, t("error")), ` ${e.code ?? ""} ${e.message ?? String(error)}`);
    this.shell.toasts.append(toast);
    setTimeout(() => toast.remove(), 8000);
  }

  private tick(): void {
    const now = Date.now();
    for (const el of document.querySelectorAll<HTMLElement>("[data-since]")) {
      const since = Date.parse(el.dataset.since ?? "");
      if (!Number.isNaN(since)) el.textContent = elapsed(el.dataset.since, now);
    }
  }

  renderHeader(): void {
    const s = this.session;
    const nav: [string, Key, string[]][] = [
      ["#/board", "board", ["operator", "viewer"]],
      ["#/report", "report", ["operator"]],
      ["#/plan", "plan", ["operator"]],
      ["#/drills", "drills", ["drill_director", "operator", "viewer"]],
      ["#/inventory", "inventory", ["park_officer", "operator"]],
    ];
    const current = location.hash.split("/").slice(0, 2).join("/");
    clear(
      this.shell.header,
      h("div", { class: "brand" }, t("appTitle")),
      s && h("nav", {}, nav.filter(([, , roles]) => roles.includes(s.role)).map(([href, key]) => h("a", { href, class: current === href ? "active" : "" }, t(key)))),
      this.exerciseId && h("div", { class: "exercise-banner", "data-testid": "exercise-banner" }, `${t("exercise")} · ${this.exerciseId}`),
      h("div", { class: "spacer" }),
      s && h("span", { class: `status status-${this.streamState}`, "data-testid": "stream-state", "data-state": this.streamState }, "● ", t(this.streamState === "live" ? "live" : this.streamState === "connecting" ? "connecting" : "offline")),
      s && h("span", { class: "bell", title: t("notifications"), "data-testid": "notes" }, `${t("notifications")} ${this.notes.length}`),
      h("button", { class: "lang", onclick: () => this.toggleLang() }, t("language")),
      s && h("span", { class: "who" }, `${s.subject} · ${t(`role_${s.role}` as Key)}${s.parkId ? ` · ${s.parkId}` : ""}`),
      s && h("button", { onclick: () => this.logout() }, t("logout")),
    );
  }

  private toggleLang(): void {
    setLang(lang() === "zh" ? "en" : "zh");
    document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
    location.reload();
  }

  async route(): Promise<void> {
    const [, name = "", param = ""] = location.hash.split("/");
    const view = !this.session ? "login" : name || this.home().slice(2);
    if (!this.session && location.hash !== "#/login") location.hash = "#/login";
    this.listeners.clear();
    this.eventListeners.clear();
    this.map.onPick = null;
    this.map.onIncident = (incident) => (location.hash = `#/incident/${incident.split("/").pop()}`);
    this.map.showPick(null);
    this.map.showPlan([]);
    if (view !== "drill") this.setNamespace("");
    if (this.session) void this.refresh();
    this.renderHeader();
    const render = this.views[view] ?? this.views.board;
    this.shell.panel.replaceChildren();
    this.shell.panel.className = `panel view-${view}`;
    document.body.dataset.view = view;
    await render(this, this.shell.panel, decodeURIComponent(param));
    this.map.resize();
  }
}
