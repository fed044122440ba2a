// Charts for the report pages, drawn from the data the page carries (json_script); each chart
// has the same figures in a table beside it. Figures suppressed as "too few" are gaps (null).
(function () {
  "use strict";
  var printButton = document.getElementById("print-page");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  if (typeof Chart === "undefined") { return; }
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  // The words come from the page, in the reader's language (reports/_sections.html).
  var words = data("data-chart-words") || {};
  Chart.defaults.locale = document.documentElement.lang || "en";
  var blue = "#1d4e89", teal = "#2a9d8f", amber = "#e9a03b";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  var trend = data("data-trend");
  if (trend && document.getElementById("chart-trend")) {
    new Chart(document.getElementById("chart-trend"), {
      data: {
        labels: trend.labels,
        datasets: [
          { type: "bar", label: words.applications, data: trend.applied, backgroundColor: blue, yAxisID: "y" },
          { type: "bar", label: words.matched, data: trend.matched, backgroundColor: teal, yAxisID: "y" },
          { type: "line", label: words.mean_satisfaction, data: trend.satisfaction, borderColor: amber,
            backgroundColor: amber, spanGaps: false, yAxisID: "satisfaction" }
        ]
      },
      options: { responsive: true, scales: {
        y: { beginAtZero: true, title: { display: true, text: words.members } },
        satisfaction: { position: "right", min: 1, max: 5, grid: { drawOnChartArea: false },
                        title: { display: true, text: words.satisfaction_scale } }
      } }
    });
  }
  var funnel = data("data-funnel");
  if (funnel && document.getElementById("chart-funnel")) {
    new Chart(document.getElementById("chart-funnel"), {
      type: "bar",
      data: { labels: funnel.labels, datasets: [{ label: words.members, data: funnel.values, backgroundColor: [blue, teal, amber] }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
    });
  }
  var satisfaction = data("data-satisfaction");
  if (satisfaction && satisfaction.values.length && document.getElementById("chart-satisfaction")) {
    new Chart(document.getElementById("chart-satisfaction"), {
      type: "bar",
      data: { labels: satisfaction.labels, datasets: [{ label: words.answers, data: satisfaction.values, backgroundColor: blue }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } },
                 responsive: true }
    });
  }
})();
