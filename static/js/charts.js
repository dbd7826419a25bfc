/* The manager's charts (Chart.js), from the figures the page carries as JSON. */
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  // A click on a point or a bar opens the list of directives behind it.
  const drill = (links) => (event, elements) => {
    const link = elements.length && (typeof links === "string" ? links : links[elements[0].index]);
    if (link) window.location.assign(link);
  };
  const pctAxis = { y: { beginAtZero: true, max: 100, ticks: { callback: (v) => v + " %" } } };

  new Chart(document.getElementById("chart-rates"), {
    type: "line",
    data: { labels: d.days, datasets: [
      { label: L.ack, data: d.ack, borderColor: "#0b5cad", backgroundColor: "#0b5cad" },
      { label: L.implemented, data: d.implemented, borderColor: "#1a7f37", backgroundColor: "#1a7f37" },
    ] },
    options: { scales: pctAxis, onClick: drill(d.dayLinks) },
  });
  new Chart(document.getElementById("chart-months"), {
    type: "bar",
    data: { labels: d.months, datasets: [
      { label: L.ack, data: d.monthAck, backgroundColor: "#0b5cad" },
      { label: L.implemented, data: d.monthImplemented, backgroundColor: "#1a7f37" },
    ] },
    options: { scales: pctAxis, onClick: drill(d.monthLinks) },
  });
  new Chart(document.getElementById("chart-ack"), {
    type: "bar",
    data: { labels: d.ackLabels, datasets: [{ label: L.deliveries, data: d.ackBuckets, backgroundColor: "#0b5cad" }] },
    options: { plugins: { legend: { display: false } }, onClick: drill(d.ackLink) },
  });
  new Chart(document.getElementById("chart-overdue"), {
    type: "bar",
    data: { labels: d.overdueProvinces, datasets: [{ label: L.platforms, data: d.overdueCounts, backgroundColor: "#b42318" }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, onClick: drill(d.overdueLinks) },
  });
  new Chart(document.getElementById("chart-ratio"), {
    data: { labels: d.ratioPlatforms, datasets: [
      { type: "bar", label: L.ratio, data: d.ratios, backgroundColor: d.ratios.map((r) => (r >= d.threshold ? "#b42318" : "#1a7f37")) },
      { type: "line", label: L.threshold + " " + d.threshold + " %", data: d.ratios.map(() => d.threshold), borderColor: "#1f2328", pointRadius: 0, borderDash: [6, 4] },
    ] },
    options: { scales: { y: { beginAtZero: true, ticks: { callback: (v) => v + " %" } } }, onClick: drill(d.ratioLinks) },
  });
})();
