/* A platform's ratio reports month by month (Chart.js), from the figures the page carries as JSON. */
(function () {
  "use strict";
  const source = document.getElementById("platform-chart");
  const canvas = document.getElementById("chart-platform-ratio");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const d = JSON.parse(source.textContent);
  new Chart(canvas, {
    data: { labels: d.months, datasets: [
      { type: "bar", label: canvas.dataset.label, data: d.ratios, backgroundColor: d.ratios.map((r) => (r >= d.threshold ? "#b42318" : "#1a7f37")) },
      { type: "line", label: canvas.dataset.thresholdLabel + " " + d.threshold + " %", data: d.ratios.map(() => d.threshold), borderColor: "#1f2328", pointRadius: 0, borderDash: [6, 4] },
    ] },
    options: { scales: { y: { beginAtZero: true, ticks: { callback: (v) => v + " %" } } } },
  });
})();
