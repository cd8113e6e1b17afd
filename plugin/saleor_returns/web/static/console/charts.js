// Charts for the console (policy preview, insights), drawn by Chart.js, which ships with the package
// (static/vendor/chart.umd.js, MIT): no CDN, so it works offline and inside the Dashboard's iframe. Colours come
// from the theme's variables and follow light and dark. Every chart has its figures as a table next to it: the
// canvas is hidden from screen readers, the table is read instead (and can be shown with a button).
import { h, newId } from "../shared/dom.js";
import { t } from "../shared/i18n.js";

let loading = null;

/** Chart.js, loaded once, on first use (the queue and the case view never pay for it). */
function chartLib() {
  if (!loading) {
    const base = document.querySelector('meta[name="returns-base"]')?.content || "";
    loading = import(`${base}/static/vendor/chart.umd.js`).then(() => globalThis.Chart);
  }
  return loading;
}

const live = new Set(); // charts on screen, re-coloured when the theme changes

function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    text: v("--sr-text"), muted: v("--sr-text-muted"), grid: v("--sr-border"),
    series: [v("--sr-info"), v("--sr-success"), v("--sr-warning"), v("--sr-critical"), v("--sr-text-muted")],
  };
}

function recolour() {
  const p = palette();
  for (const entry of live) {
    if (!entry.canvas.isConnected) { entry.chart.destroy(); live.delete(entry); continue; }
    style(entry.chart.config, entry.spec, p);
    entry.chart.update("none");
  }
}

new MutationObserver(recolour).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);

function style(config, spec, p) {
  config.data.datasets.forEach((ds, i) => {
    const colour = p.series[(spec.series[i].colour ?? i) % p.series.length];
    ds.borderColor = colour;
    ds.backgroundColor = spec.type === "line" ? colour : translucent(colour, 0.8);
  });
  const axes = config.options.scales;
  for (const axis of Object.values(axes)) {
    axis.ticks = { ...(axis.ticks || {}), color: p.muted };
    axis.grid = { ...(axis.grid || {}), color: p.grid };
  }
  config.options.plugins.legend.labels = { color: p.text, boxWidth: 12 };
}

/** "#1d4fbf" → "rgba(29, 79, 191, 0.8)" (a canvas takes plain colours only); other forms are kept as they are. */
function translucent(colour, alpha) {
  const m = /^#([0-9a-f]{6})$/i.exec(colour);
  if (!m) return colour;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * A chart with its table: {title, type: "bar"|"line", labels, series: [{label, data, dash?, colour?}],
 * horizontal?, stacked?, format?(value) for the table, height?}. Returns a <figure>.
 */
export function chartFigure(spec) {
  const titleId = newId("chart");
  const canvas = h("canvas", { "aria-hidden": "true" });
  const tableId = newId("table");
  const show = h("button", { type: "button", class: "button link small", "aria-controls": tableId,
    "aria-expanded": "false" }, t("charts.showTable"));
  // a table ignores the size limits of .visually-hidden: a box around it is what hides it
  const table = h("div", { id: tableId, class: "chart-data visually-hidden" }, dataTable(spec));
  show.addEventListener("click", () => {
    const hidden = table.classList.toggle("visually-hidden");
    show.setAttribute("aria-expanded", String(!hidden));
    show.textContent = hidden ? t("charts.showTable") : t("charts.hideTable");
  });
  const figure = h("figure", { class: "chart-figure card", "aria-labelledby": titleId, "data-chart": spec.key || null },
    h("div", { class: "row chart-head" }, h("figcaption", { id: titleId, class: "chart-title" }, spec.title),
      h("span", { class: "spacer" }), show),
    h("div", { class: "chart-box", style: null }, canvas),
    table);
  figure.querySelector(".chart-box").style.height = `${spec.height || 240}px`;
  draw(canvas, spec);
  return figure;
}

function dataTable(spec) {
  const fmt = spec.format || ((v) => String(v));
  return h("table", { class: "table chart-table" },
    h("caption", { class: "visually-hidden" }, spec.title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, spec.labelHeading || ""),
      spec.series.map((s) => h("th", { scope: "col", class: "num" }, s.label)))),
    h("tbody", {}, spec.labels.map((label, i) => h("tr", {}, h("th", { scope: "row" }, label),
      spec.series.map((s) => h("td", { class: "num" }, fmt(s.data[i], s)))))));
}

async function draw(canvas, spec) {
  const Chart = await chartLib();
  const config = {
    type: spec.type,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s) => ({ label: s.label, data: s.data, borderDash: s.dash ? [6, 4] : undefined,
        pointRadius: 0, borderWidth: spec.type === "line" ? 2 : 0, stack: spec.stacked ? s.stack || "all" : undefined })),
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, indexAxis: spec.horizontal ? "y" : "x",
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: spec.series.length > 1, position: "bottom" } },
      scales: { x: { stacked: Boolean(spec.stacked), beginAtZero: true }, y: { stacked: Boolean(spec.stacked), beginAtZero: true } },
    },
  };
  style(config, spec, palette());
  const chart = new Chart(canvas, config);
  live.add({ chart, canvas, spec });
}
