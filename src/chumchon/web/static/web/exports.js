/* Export jobs (web/exports/*.html): while a job is queued or running, ask the progress
 * endpoint every 2 seconds and move the bars; when a job finishes, reload the page so it shows
 * the download link (or the error). Without scripts a <noscript> meta refresh does the same.
 */
(function () {
  "use strict";
  var box = document.getElementById("export-jobs");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var rows = box.querySelectorAll("[data-job-id]");
  var waiting = [];
  rows.forEach(function (el) {
    var st = el.getAttribute("data-state");
    if (st === "queued" || st === "running") waiting.push(el.getAttribute("data-job-id"));
  });
  if (!url || !waiting.length) return;

  function tick() {
    fetch(url + "?ids=" + waiting.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(tick, 5000);
        var finished = false;
        data.jobs.forEach(function (j) {
          var el = document.getElementById("export-job-" + j.id);
          if (!el) return;
          if (j.state !== "queued" && j.state !== "running") finished = true;
          var bar = el.querySelector("progress");
          if (bar) { bar.value = j.percent; bar.textContent = j.percent + "%"; }
          var state = el.querySelector(".export-state");
          if (state) state.textContent = j.state_label;
          var count = el.querySelector(".export-count");
          if (count && j.total !== null) {
            count.textContent = j.done.toLocaleString("th-TH") + " / " + j.total.toLocaleString("th-TH");
          }
        });
        if (finished || data.jobs.length < waiting.length) return window.location.reload();
        setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
