// Dashboards (analytics/warehouse): draws each widget's chart with Chart.js (from npm,
// served from our origin) from the JSON the page carries; a click on a bar or slice
// opens the customers behind it (the same links the data table under the chart has).
(function () {
  "use strict";
  function tokens() {
    var style = getComputedStyle(document.documentElement);
    var read = function (name, fallback) {
      return style.getPropertyValue(name).trim() || fallback;
    };
    return {
      text: read("--pn-text-muted", "#666"),
      grid: read("--pn-border", "#ddd"),
      colours: [
        read("--pn-accent", "#3b5bdb"),
        read("--pn-chip-warning-fg", "#b45309"),
        read("--pn-chip-success-fg", "#15803d"),
        read("--pn-chip-danger-fg", "#b91c1c"),
        read("--pn-chip-info-fg", "#0369a1"),
        read("--pn-chip-fg", "#52525b"),
      ],
    };
  }

  function draw(canvas) {
    if (!window.Chart) return;
    var source = document.getElementById(canvas.dataset.pnChart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var t = tokens();
    var doughnut = spec.type === "doughnut";
    var datasets = spec.series.map(function (serie, index) {
      var colour = t.colours[index % t.colours.length];
      return {
        label: serie.label,
        data: serie.data,
        backgroundColor: doughnut ? t.colours : colour,
        borderColor: doughnut ? "transparent" : colour,
        tension: 0.2,
      };
    });
    var language = document.documentElement.lang || "en";
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        locale: language,
        plugins: { legend: { labels: { color: t.text } } },
        scales: doughnut
          ? {}
          : {
              x: { ticks: { color: t.text }, grid: { color: t.grid } },
              y: { ticks: { color: t.text }, grid: { color: t.grid }, beginAtZero: true },
            },
        onClick: function (_event, elements) {
          if (!spec.drill || !elements.length) return;
          var label = spec.labels[elements[0].index];
          window.location.href = spec.drill + "&label=" + encodeURIComponent(label);
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = spec.drill && elements.length ? "pointer" : "";
        },
      },
    });
    canvas.pnChart = chart;
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-pn-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
