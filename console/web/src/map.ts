// The Leaflet map on the bundled riverside GeoJSON: parks shaded by reserve, depots with stock badges, incidents, units, plans.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import base from "./map/jiangyin.json";
import type { IncidentJson } from "./gen/emergency/incident/v1/incident_service_pb";
import type { UnitJson } from "./gen/emergency/resources/v1/resources_service_pb";
import { lang, t, tEnum } from "./i18n";
import { HAZARD_RADIUS_M, SEVERITY_COLOUR, UNIT_COLOUR, reserveColour, type LatLon, type MapFeature, type PlanLine, idOf, minutes } from "./model";

export const FEATURES = (base as { features: MapFeature[] }).features;
const CENTRE: LatLon = [31.93, 120.2];
const LABEL_ROOM_PX = 90;

export class CommandMap {
  readonly map: L.Map;
  private readonly parks = L.layerGroup();
  private readonly depots = L.layerGroup();
  private readonly incidents = L.layerGroup();
  private readonly units = L.layerGroup();
  private readonly plan = L.layerGroup();
  private readonly pick = L.layerGroup();
  private parkLayers = new Map<string, L.Polygon>();
  private depotMarkers = new Map<string, L.Marker>();
  onPick: ((point: LatLon) => void) | null = null;
  onIncident: ((name: string) => void) | null = null;

  constructor(element: HTMLElement, tileUrl: string) {
    // Quarter zoom steps, so that framing the parks fills the map rather than dropping a whole level.
    this.map = L.map(element, { zoomControl: true, attributionControl: Boolean(tileUrl), preferCanvas: false, zoomSnap: 0.25 }).setView(CENTRE, 12);
    // Once the operator pans, zooms or picks, the view is theirs: a change of layout no longer re-frames the parks.
    for (const type of ["pointerdown", "wheel", "keydown"]) element.addEventListener(type, () => (this.framedFor = null), { passive: true });
    // The panel beside the map changes width with the view and its content, after the view has been drawn.
    new ResizeObserver(() => this.resize()).observe(element);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(this.map);
    L.geoJSON(FEATURES.filter((f) => f.properties.layer === "river") as never, { style: { color: "#4f83b5", weight: 1, fillColor: "#9ec5e8", fillOpacity: 0.8 }, interactive: false }).addTo(this.map);
    L.geoJSON(FEATURES.filter((f) => f.properties.layer === "road") as never, { style: { color: "#9e8a6a", weight: 3, opacity: 0.8 }, interactive: false }).addTo(this.map);
    for (const f of FEATURES.filter((x) => x.properties.layer === "park")) {
      const ring = (f.geometry.coordinates as [number, number][][])[0].map(([lon, lat]) => [lat, lon] as LatLon);
      const polygon = L.polygon(ring, { color: "#555", weight: 1, fillColor: reserveColour(undefined), fillOpacity: 0.25, bubblingMouseEvents: true });
      polygon.bindTooltip(lang() === "zh" ? f.properties.nameZh ?? "" : f.properties.name ?? "", { permanent: true, direction: "center", className: "park-label" });
      polygon.on("click", (e: L.LeafletMouseEvent) => this.onPick?.([e.latlng.lat, e.latlng.lng]));
      polygon.addTo(this.parks);
      this.parkLayers.set(f.properties.id ?? "", polygon);
    }
    for (const f of FEATURES.filter((x) => x.properties.layer === "depot")) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const marker = L.marker([lat, lon], { icon: this.depotIcon(f.properties.id ?? "", 0), title: f.properties.name ?? "" });
      marker.bindPopup(`${f.properties.name} (${f.properties.id})`);
      marker.addTo(this.depots);
      this.depotMarkers.set(f.properties.id ?? "", marker);
    }
    for (const layer of [this.parks, this.depots, this.plan, this.units, this.incidents, this.pick]) layer.addTo(this.map);
    this.map.on("click", (e: L.LeafletMouseEvent) => this.onPick?.([e.latlng.lat, e.latlng.lng]));
    this.legend().addTo(this.map);

  }

  private depotIcon(id: string, low: number): L.DivIcon {
    const badge = low > 0 ? `<span class="badge low" title="${t("lowStock")}">${low}</span>` : "";
    return L.divIcon({ className: "depot-icon", html: `<div class="depot" data-depot="${id}">▣${badge}</div>`, iconSize: [22, 22], iconAnchor: [11, 11] });
  }

  private legend(): L.Control {
    const control = new L.Control({ position: "bottomright" });
    control.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      const units = Object.entries(UNIT_COLOUR)
        .map(([state, colour]) => `<div><i style="background:${colour}"></i>${tEnum("unit", state)}</div>`)
        .join("");
      div.innerHTML = `<b>${t("legend")}</b>${units}<div><i class="sq" style="background:#e53935"></i>${t("belowReserve")}</div><div>▣ ${t("depot")}</div>`;
      return div;
    };
    return control;
  }

  shadeParks(ratios: Map<string, number>): void {
    for (const [park, polygon] of this.parkLayers) {
      const ratio = ratios.get(park);
      polygon.setStyle({ fillColor: reserveColour(ratio), fillOpacity: ratio !== undefined && ratio < 1 ? 0.45 : 0.25 });
      polygon.getElement()?.setAttribute("data-park", park);
      polygon.getElement()?.setAttribute("data-reserve", ratio === undefined ? "" : ratio.toFixed(2));
    }
  }

  stockBadges(lowByDepot: Map<string, number>): void {
    for (const [id, marker] of this.depotMarkers) marker.setIcon(this.depotIcon(id, lowByDepot.get(id) ?? 0));
  }

  showIncidents(incidents: IncidentJson[]): void {
    this.incidents.clearLayers();
    for (const incident of incidents) {
      const p = incident.location?.point;
      if (!p) continue;
      const at: LatLon = [Number(p.latitude), Number(p.longitude)];
      const colour = SEVERITY_COLOUR[incident.severity ?? ""] ?? "#333";
      L.circle(at, { radius: HAZARD_RADIUS_M[incident.kind ?? ""] ?? 250, color: colour, weight: 1, fillOpacity: 0.15, interactive: false }).addTo(this.incidents);
      const marker = L.marker(at, {
        icon: L.divIcon({ className: "incident-icon", html: `<div class="incident" data-incident="${idOf(incident.name)}" style="background:${colour}">!</div>`, iconSize: [24, 24], iconAnchor: [12, 12] }),
        title: incident.title ?? "",
        zIndexOffset: 1000,
      });
      marker.bindTooltip(`${incident.title} · ${tEnum("sev", incident.severity)} · ${tEnum("st", incident.state)}`);
      marker.on("click", () => this.onIncident?.(incident.name ?? ""));
      marker.addTo(this.incidents);
    }
  }

  showUnits(units: UnitJson[]): void {
    this.units.clearLayers();
    for (const unit of units) {
      const p = unit.position;
      if (!p || unit.state === "STATE_AVAILABLE") continue;
      L.circleMarker([Number(p.latitude), Number(p.longitude)], { radius: 5, color: "#fff", weight: 1, fillColor: UNIT_COLOUR[unit.state ?? ""] ?? "#000", fillOpacity: 0.95, className: `unit unit-${unit.state}` })
        .bindTooltip(`${unit.callSign} · ${unit.resourceType} · ${tEnum("unit", unit.state)}`)
        .addTo(this.units);
    }
  }

  showPlan(lines: PlanLine[], fit = false): void {
    this.plan.clearLayers();
    if (fit && lines.length) {
      this.framedFor = null;
      this.map.fitBounds(L.latLngBounds(lines.flatMap((l) => [l.from, l.to])), { padding: [60, 60], maxZoom: 14 });
    }
    for (const line of lines) {
      L.polyline([line.from, line.to], { color: line.kind === "unit" ? "#6a1b9a" : "#00897b", weight: 2, opacity: 0.75, dashArray: line.kind === "supply" ? "6 4" : undefined, className: `plan-line plan-${line.kind}` })
        .bindTooltip(`${line.label} · ${minutes(line.etaS)} ${t("minutes")}`)
        .addTo(this.plan);
    }
  }

  showPick(point: LatLon | null): void {
    this.pick.clearLayers();
    if (point) L.marker(point, { icon: L.divIcon({ className: "pick-icon", html: '<div class="pick">✚</div>', iconSize: [24, 24], iconAnchor: [12, 12] }) }).addTo(this.pick);
  }

  /** The container size (width x height) the parks were last framed for; null once the view is the operator's or a plan's. */
  private framedFor: string | null = "";

  /** Follow the container's size; while nobody has moved the view, frame every park, labels included, in the new size. */
  resize(): void {
    this.map.invalidateSize();
    const size = this.map.getSize();
    const key = `${size.x}x${size.y}`;
    if (this.framedFor === null || this.framedFor === key) return;
    this.framedFor = key;
    const corners = [...this.parkLayers.values()].flatMap((p) => [p.getBounds().getSouthWest(), p.getBounds().getNorthEast()]);
    // Park names are centred on their parks and wider than them: keep room at the sides for half a label.
    // Not animated: Leaflet drops a zoom asked for while another is still animating, and layouts change in quick succession.
    this.map.fitBounds(L.latLngBounds(corners), { padding: [LABEL_ROOM_PX, 30], animate: false });
  }
}
