// A report being generated: poll its status, move the progress bar, reload when it is done.
(function () {
  var card = document.getElementById("report-run");
  if (!card || card.dataset.status === "done" || card.dataset.status === "failed") return;
  var bar = document.getElementById("run-progress");
  function poll() {
    fetch(card.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.setAttribute("aria-valuenow", s.progress);
        bar.firstElementChild.style.width = s.progress + "%";
        document.getElementById("run-status").textContent = s.status_label;
        if (s.error) { var e = document.getElementById("run-error"); e.textContent = s.error; e.hidden = false; }
        if (s.status === "done") { document.getElementById("run-download").hidden = false; window.location.reload(); return; }
        if (s.status !== "failed") { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
