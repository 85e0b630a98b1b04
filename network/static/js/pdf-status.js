// Follows the build of an edition's PDF (collections/pdf_status.html): updates the progress bar every second
// and goes to the PDF when it is ready. Without JavaScript, the page refreshes itself instead.
(function () {
  "use strict";
  var box = document.getElementById("pdf-status");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("pdf-progress");
  var stage = document.getElementById("pdf-stage");
  var labels = {};
  var template = document.getElementById("pdf-stage-labels");
  if (template && template.content) {
    template.content.querySelectorAll("[data-stage]").forEach(function (el) { labels[el.dataset.stage] = el.textContent; });
  }
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (status) {
        if (status.state === "ready") {
          stage.textContent = labels.done || "";
          bar.value = 100;
          window.location.assign(status.pdf_url);
          return;
        }
        if (status.state === "failed" || status.state === "missing") {
          // The PDF's address shows the failure, or starts the build again (a worker that died, say).
          window.setTimeout(function () { window.location.assign(box.dataset.pdfUrl); }, 3000);
          return;
        }
        bar.value = status.percent || 0;
        bar.textContent = (status.percent || 0) + "%";
        stage.textContent = (labels[status.stage] || "") + (status.page ? " (" + status.page + ")" : "");
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
