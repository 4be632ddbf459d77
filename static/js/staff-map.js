// The staff map of cases: asks the server for the clusters and cases inside the map's bounds
// (/staff/map/data/ with the list's filters), draws them, and lists the cases in view beside the
// map. Without a tile URL (tests, offline sites) the markers stand on a blank background.
(function () {
  var el = document.getElementById("staff-map");
  if (!el || !window.L) { return; }
  var statusEl = document.getElementById("map-status");
  var listEl = document.getElementById("map-list");
  var MAX_ZOOM = 19;

  var map = L.map(el, { maxZoom: MAX_ZOOM, minZoom: 2 });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: MAX_ZOOM, attribution: el.dataset.attribution }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);

  // The view is kept in the address (#zoom/lat/lon), so that "back" from a case returns here.
  var hash = /^#(\d{1,2})\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(window.location.hash);
  if (hash) {
    map.setView([parseFloat(hash[2]), parseFloat(hash[3])], parseInt(hash[1], 10));
  } else {
    var e = el.dataset.extent.split(",").map(parseFloat);
    map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [30, 30], maxZoom: 16 });
  }

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function bboxParam() {
    var b = map.getBounds();
    return [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)
    ].map(function (v) { return v.toFixed(6); }).join(",");
  }

  function clusterMarker(feature, at) {
    var p = feature.properties;
    var span = document.createElement("span");
    span.textContent = p.count;
    var size = p.count < 10 ? 30 : p.count < 100 ? 36 : p.count < 1000 ? 42 : 50;
    var marker = L.marker(at, {
      icon: L.divIcon({ className: "map-cluster", html: span, iconSize: [size, size] }),
      title: el.dataset.clusterLabel.replace("%(n)s", p.count),
      alt: el.dataset.clusterLabel.replace("%(n)s", p.count),
      keyboard: true
    });
    marker.on("click", function () {
      var b = p.bounds;
      var spread = b[0] !== b[2] || b[1] !== b[3];
      if (spread && map.getZoom() < MAX_ZOOM) {
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [40, 40], maxZoom: MAX_ZOOM });
      } else {
        map.setView(at, Math.min(map.getZoom() + 3, MAX_ZOOM));
      }
    });
    return marker;
  }

  function caseMarker(feature, at) {
    var p = feature.properties;
    var marker = L.marker(at, {
      icon: L.divIcon({ className: "map-pin state-" + p.state, iconSize: [18, 18] }),
      title: p.code + " · " + p.label + " · " + p.title,
      alt: p.code,
      keyboard: true
    });
    marker.on("click", function () { window.location.href = p.url; });
    return marker;
  }

  function drawList(rows) {
    listEl.textContent = "";
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = row.url;
      link.className = "code";
      link.textContent = row.code;
      var badge = document.createElement("span");
      badge.className = "badge state-" + row.state;
      badge.textContent = row.label;
      var title = document.createElement("span");
      title.className = "muted";
      title.textContent = row.title;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
      li.appendChild(document.createElement("br"));
      li.appendChild(title);
      if (row.overdue) { li.className = "late"; }
      listEl.appendChild(li);
    });
  }

  var pending = null;
  function load() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var query = el.dataset.query ? el.dataset.query + "&" : "";
    var url = el.dataset.url + "?" + query + "bbox=" + bboxParam() + "&zoom=" + map.getZoom();
    el.setAttribute("aria-busy", "true");
    fetch(url, { signal: pending.signal, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        el.removeAttribute("aria-busy");
        if (!answer.ok) {
          statusEl.textContent = answer.body.error || "";
          return;
        }
        layer.clearLayers();
        answer.body.features.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          var at = [c[1], c[0]];
          var marker = feature.properties.kind === "cluster" ? clusterMarker(feature, at) : caseMarker(feature, at);
          layer.addLayer(marker);
        });
        statusEl.textContent = answer.body.summary;
        drawList(answer.body.list);
        el.dataset.loaded = "z" + answer.body.zoom;
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { el.removeAttribute("aria-busy"); statusEl.textContent = String(error); }
      });
  }

  map.on("moveend", function () {
    var c = map.getCenter();
    history.replaceState(null, "", "#" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5));
    load();
  });
  load();
})();
