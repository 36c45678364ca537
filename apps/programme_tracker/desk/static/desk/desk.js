/* The desk's charts: drawn with Chart.js (the copy Unfold loads on every page) from the JSON each page embeds.
   Every chart has the same figures in a table on the page, so nothing depends on this script. Numbers and dates
   follow the page's language (1.234,56 in Dutch). */
(function () {
  "use strict";
  // English as the Dutch civil service writes it: British order (13 Jan 2027), as the server's formats.
  const lang = (document.documentElement.lang || "en") === "en" ? "en-GB" : document.documentElement.lang;
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

  // Ticks on the first of a month, as many as the axis has room for (a label needs about 75 px): every month on a
  // wide quarter, every year or few years on long spans.
  function calendarTicks(min, max, width) {
    const start = new Date(min), ticks = [];
    const months = Math.round((max - min) / (30.44 * DAY_MS));
    const room = Math.max(2, Math.floor((width || 800) / 75));
    const step = [1, 3, 6, 12, 24, 60].find(function (s) { return months / s <= room; }) || 120;
    let year = start.getUTCFullYear(), monthIndex = 0;
    while (Date.UTC(year, monthIndex, 1) < min) monthIndex += step;
    for (let t = Date.UTC(year, monthIndex, 1); t <= max; monthIndex += step, t = Date.UTC(year, monthIndex, 1)) {
      ticks.push({ value: t });
    }
    return ticks;
  }

  // The Gantt chart: a row per programme (its name beside the code where there is room), bars cut to the window
  // the page chose (spec.min, spec.max; else the bars' own span), what lies before today paler, and the dates on
  // top and at the bottom so a long page always shows them near the bars.
  function drawTimeline(canvas, spec) {
    const today = Date.parse(spec.today);
    let first = today, last = today;
    const datasets = spec.datasets.map(function (set) {
      const warning = set.kind === "gap" || set.kind === "unsecured";
      return {
        label: set.name,
        kind: set.kind,
        backgroundColor: function (context) {
          return context.raw && context.raw.past ? set.colour + "59" : set.colour;  // 35 % opaque before today
        },
        borderColor: warning ? set.colour : "#ffffff",
        borderWidth: 1,
        barPercentage: warning ? 0.95 : 0.6,
        categoryPercentage: 1,
        grouped: false,
        data: set.points.map(function (point) {
          const start = Date.parse(point.start), end = Date.parse(point.end) + DAY_MS;
          first = Math.min(first, start);
          last = Math.max(last, end);
          return { x: [start, end], y: spec.rows[point.row], label: point.label, start: point.from || point.start,
                   end: point.to || point.end, past: point.past, link: point.link };
        }),
      };
    });
    const margin = Math.max((last - first) * 0.02, 15 * DAY_MS);
    const min = spec.min ? Date.parse(spec.min) : first - margin;
    const max = spec.max ? Date.parse(spec.max) : last + margin;
    const dates = function (position) {
      return { type: "linear", min: min, max: max, position: position,
               afterBuildTicks: function (axis) { axis.ticks = calendarTicks(axis.min, axis.max, axis.width); },
               ticks: { callback: function (v) { return month.format(new Date(v)); }, autoSkip: false } };
    };
    const names = spec.names || [];
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
          x: dates("top"),
          x2: Object.assign(dates("bottom"), { grid: { drawOnChartArea: false } }),
          y: { stacked: true, ticks: { callback: function (value, index) {
            const name = names[index];
            if (!name || canvas.clientWidth < 700) return spec.rows[index];
            return spec.rows[index] + "  " + (name.length > 34 ? name.slice(0, 33) + "…" : name);
          } } },
        },
        plugins: {
          todayLine: { at: today },
          legend: { display: false },
          tooltip: { callbacks: {
            title: function (items) {
              const index = spec.rows.indexOf(items[0].raw.y);
              return items[0].raw.y + (names[index] ? " · " + names[index] : "");
            },
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

  // A box that scrolls sideways (the coverage matrix) says so above it when, at this width, it has more to show.
  function showScrollHints() {
    document.querySelectorAll("[data-scroll-hint]").forEach(function (hint) {
      const box = document.getElementById(hint.dataset.scrollHint);
      hint.hidden = !box || box.scrollWidth <= box.clientWidth + 1;
    });
    // Every other table in a box of its own: a line above it when it has more columns than the box shows.
    document.querySelectorAll(".desk-table-wrap").forEach(function (box) {
      let note = box.previousElementSibling;
      if (!note || !note.classList.contains("desk-scroll-note")) {
        note = document.createElement("p");
        note.className = "desk-scroll-note desk-muted";
        const words = box.closest("[data-scroll-text]");
        note.textContent = words ? words.dataset.scrollText : "";
        box.parentNode.insertBefore(note, box);
      }
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      note.hidden = !scrolls || !note.textContent;
      // A box that scrolls is reached with Tab, so that the arrow keys scroll it (WCAG 2.1.1), and named by its
      // table's heading; one that does not scroll is no stop at all.
      if (scrolls) {
        const section = box.closest("section");
        const heading = section && section.querySelector("h2, h3");
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", heading ? heading.textContent.trim() : (document.title || "").split("|")[0].trim());
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", showScrollHints);
  window.addEventListener("resize", showScrollHints);

  // The inbox: "Dismiss…" and "Reassign…" are links to the action's own page (which works without JavaScript);
  // here they open the page's one dialog for that action instead, filled in for the row's alert. Its answer (the
  // row, through htmx) replaces the row; focus goes into the dialog and, when it closes (also with Escape), back
  // to the row's link, or to the row's first action when that link is gone.
  function openAction(link) {
    const dialog = document.getElementById("dialog-" + link.dataset.action);
    const row = link.closest("tr");
    if (!dialog || !row || typeof dialog.showModal !== "function") return false;
    const form = dialog.querySelector("form");
    const url = link.getAttribute("href").split("?")[0];
    form.reset();
    form.action = url;
    if (window.htmx) {
      form.setAttribute("hx-post", url);
      form.setAttribute("hx-target", "#" + row.id);
      form.setAttribute("hx-swap", "outerHTML");
      window.htmx.process(form);
    }
    const subject = document.getElementById("subject-" + row.id.slice("alert-".length));
    dialog.querySelector("[data-alert]").textContent = subject ? subject.textContent.replace(/\s+/g, " ").trim() : "";
    const select = form.querySelector("select[name=assignee]");
    if (select) {
      select.value = link.dataset.assignee || "";
      if (select.selectedIndex < 0) select.value = "";
    }
    dialog.dataset.opener = link.id;
    dialog.dataset.row = row.id;
    dialog.showModal();
    (form.querySelector("input:not([type=hidden]), select") || form).focus();
    return true;
  }

  // Focus after a row was replaced: the element with this id in the new row, else the row's first action.
  function focusInRow(rowId, elementId) {
    const row = document.getElementById(rowId);
    const target = (elementId && document.getElementById(elementId)) ||
      (row && row.querySelector(".desk-actions button, .desk-actions a"));
    if (target) target.focus();
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-action]");
    const plain = event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
    if (link && plain && openAction(link)) event.preventDefault();
    const close = event.target.closest("dialog [data-close]");
    if (close) close.closest("dialog").close();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("dialog.desk-dialog").forEach(function (dialog) {
      dialog.addEventListener("close", function () { focusInRow(dialog.dataset.row, dialog.dataset.opener); });
      dialog.querySelector("form").addEventListener("htmx:afterRequest", function () { dialog.close(); });
    });
  });

  // Acknowledging replaces the row without its button: keep the keyboard in the row rather than at the page's top.
  document.addEventListener("htmx:afterRequest", function (event) {
    const row = event.detail.target;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && row && row.id && row.id.startsWith("alert-") && !document.body.contains(row)) focusInRow(row.id, null);
  });

  // Announce, on the links the dialogs enhance, that they open one (only when this script runs).
  function markDialogLinks(root) {
    root.querySelectorAll("a[data-action]").forEach(function (link) {
      if (document.getElementById("dialog-" + link.dataset.action)) link.setAttribute("aria-haspopup", "dialog");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markDialogLinks(document); });

  // "Print" buttons (here rather than in an onclick attribute, which the Content Security Policy forbids).
  document.addEventListener("click", function (event) {
    if (event.target.closest("button[data-print]")) window.print();
  });
  document.addEventListener("htmx:load", function (event) { markDialogLinks(event.detail.elt); });
})();
