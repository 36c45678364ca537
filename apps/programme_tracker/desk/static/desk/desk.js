/* The desk's charts: drawn with Chart.js (installed from npm) from the JSON each page embeds. Every chart has the
   same figures in a table on the page, so nothing depends on this script. Numbers and dates follow the page's
   language (1.234,56 in Dutch). */
(function () {
  "use strict";
  const lang = document.documentElement.lang || "en";
  const counts = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const money = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
  const day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric" });
  const month = new Intl.DateTimeFormat(lang, { month: "short", year: "numeric" });
  const DAY_MS = 24 * 60 * 60 * 1000;

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function followLink(links) {
    return function (event, elements) {
      if (!elements.length || !links) return;
      const target = links(elements[0].datasetIndex, elements[0].index);
      if (target) window.location.href = target;
    };
  }

  // The axis that carries the values: whole numbers for counts, compact amounts (1,5 mln.) for money.
  function valueScales(spec, stacked) {
    const values = { stacked: stacked, beginAtZero: true, ticks: {
      precision: 0, callback: function (v) { return spec.money ? compact.format(v) : counts.format(v); } } };
    const labels = { stacked: stacked };
    return spec.kind === "horizontal" ? { x: values, y: labels } : { x: labels, y: values };
  }

  function drawChart(canvas, spec) {
    const format = spec.money ? money : counts;
    const doughnut = spec.kind === "doughnut";
    const stacked = spec.kind === "stacked" || spec.kind === "horizontal";
    const config = {
      type: doughnut ? "doughnut" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series) {
          return { label: series.name, data: series.values, backgroundColor: series.colour, borderWidth: doughnut ? 1 : 0 };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: spec.kind === "horizontal" ? "y" : "x",
        onClick: followLink(function (dataset, index) {
          const links = spec.series[dataset].links;
          return links ? links[index] : null;
        }),
        plugins: {
          legend: { display: doughnut || spec.series.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: function (item) {
            return (item.dataset.label ? item.dataset.label + ": " : "") + format.format(item.raw);
          } } },
        },
        scales: doughnut ? {} : valueScales(spec, stacked),
      },
    };
    canvas.chart = new window.Chart(canvas, config);
    canvas.dataset.drawn = "true";
  }

  // The vertical line marking today on the timeline.
  const todayLine = {
    id: "todayLine",
    afterDatasetsDraw: function (chart, args, options) {
      const x = chart.scales.x.getPixelForValue(options.at);
      if (x < chart.chartArea.left || x > chart.chartArea.right) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(x, chart.chartArea.top);
      ctx.lineTo(x, chart.chartArea.bottom);
      ctx.stroke();
      ctx.restore();
    },
  };

  // Ticks on the first of a month: every year (or every few years) on long spans, every few months on short ones.
  function calendarTicks(min, max) {
    const start = new Date(min), ticks = [];
    const months = (max - min) / (30.4 * DAY_MS);
    const step = months > 144 ? 24 : months > 72 ? 12 : months > 36 ? 6 : months > 12 ? 3 : 1;
    let year = start.getUTCFullYear(), monthIndex = 0;
    while (Date.UTC(year, monthIndex, 1) < min) monthIndex += step;
    for (let t = Date.UTC(year, monthIndex, 1); t <= max; monthIndex += step, t = Date.UTC(year, monthIndex, 1)) {
      ticks.push({ value: t });
    }
    return ticks;
  }

  function drawTimeline(canvas, spec) {
    const today = Date.parse(spec.today);
    let first = today, last = today;
    const datasets = spec.datasets.map(function (set) {
      const warning = set.kind === "gap" || set.kind === "unsecured";
      return {
        label: set.name,
        kind: set.kind,
        backgroundColor: set.colour,
        borderColor: warning ? set.colour : "#ffffff",
        borderWidth: 1,
        barPercentage: warning ? 0.95 : 0.6,
        categoryPercentage: 1,
        grouped: false,
        data: set.points.map(function (point) {
          const start = Date.parse(point.start), end = Date.parse(point.end) + DAY_MS;
          first = Math.min(first, start);
          last = Math.max(last, end);
          return { x: [start, end], y: spec.rows[point.row], label: point.label, start: point.start, end: point.end,
                   link: point.link };
        }),
      };
    });
    const margin = Math.max((last - first) * 0.02, 15 * DAY_MS);
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.rows, datasets: datasets },
      plugins: [todayLine],
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: "y",
        onClick: followLink(function (dataset, index) { return datasets[dataset].data[index].link; }),
        scales: {
          x: { type: "linear", min: first - margin, max: last + margin, position: "top",
               afterBuildTicks: function (axis) { axis.ticks = calendarTicks(axis.min, axis.max); },
               ticks: { callback: function (v) { return month.format(new Date(v)); }, autoSkip: false } },
          y: { stacked: true },
        },
        plugins: {
          todayLine: { at: today },
          legend: { display: false },
          tooltip: { callbacks: {
            title: function (items) { return items[0].raw.y; },
            label: function (item) {
              const raw = item.raw;
              return raw.label + ": " + day.format(Date.parse(raw.start)) + " – " + day.format(Date.parse(raw.end));
            },
          } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  }

  function drawAll() {
    if (!window.Chart) return; // the tables still say everything
    document.querySelectorAll("script[id^='data-']").forEach(function (script) {
      const name = script.id.slice("data-".length);
      const canvas = document.getElementById(name);
      if (!canvas || canvas.dataset.drawn) return;
      const spec = readJson(script.id);
      if (name === "timeline") drawTimeline(canvas, spec); else drawChart(canvas, spec);
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
})();
