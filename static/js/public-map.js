// The public map (/ and /map/): asks /api/public/map/ for the complaints inside the map's bounds
// (clusters with counts, or single complaints), and on /map/ /api/public/projects/ for the
// projects; lists what is in view beside the map; on / shows this month's counts for the
// district in view. Without tiles (none set, or unreachable) everything works on a blank
// background. The view is kept in the address (#zoom/lat/lon).
(function () {
  var el = document.getElementById("public-map");
  if (!el || !window.L) { return; }
  var statusEl = document.getElementById("map-status");
  var listEl = document.getElementById("map-list");
  var projectsEl = document.getElementById("map-projects");
  var filtersEl = document.getElementById("map-filters");
  var reportEl = document.getElementById("report-here");
  var locateEl = document.getElementById("use-location");
  var MAX_ZOOM = 19;

  var map = L.map(el, { maxZoom: MAX_ZOOM, minZoom: 2 });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: MAX_ZOOM, attribution: el.dataset.attribution }).addTo(map);
  }
  var caseLayer = L.layerGroup().addTo(map);
  var projectLayer = L.layerGroup().addTo(map);

  var hash = /^#(\d{1,2})\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(window.location.hash);
  if (hash) {
    map.setView([parseFloat(hash[2]), parseFloat(hash[3])], parseInt(hash[1], 10));
  } else {
    var e = el.dataset.extent.split(",").map(parseFloat);
    map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
  }

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function bboxParam() {
    var b = map.getBounds();
    return [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)
    ].map(function (v) { return v.toFixed(6); }).join(",");
  }

  function filterQuery() {
    if (!filtersEl) { return ""; }
    var params = new URLSearchParams(new FormData(filtersEl));
    var kept = new URLSearchParams();
    params.forEach(function (value, key) { if (value) { kept.append(key, value); } });
    return kept.toString();
  }

  function clusterMarker(p, at) {
    var span = document.createElement("span");
    span.textContent = p.count;
    var size = p.count < 10 ? 30 : p.count < 100 ? 36 : p.count < 1000 ? 42 : 50;
    var label = el.dataset.clusterLabel.replace("%(n)s", p.count);
    var marker = L.marker(at, {
      icon: L.divIcon({ className: "map-cluster", html: span, iconSize: [size, size] }),
      title: label, alt: label, keyboard: true
    });
    // Zoom to the cluster's cases when that zooms in well; a counted cell's bounds are the
    // whole cell, so otherwise three levels closer around its centre.
    marker.on("click", function () {
      var b = p.bounds;
      var closer = Math.min(map.getZoom() + 3, MAX_ZOOM);
      if (b && (b[0] !== b[2] || b[1] !== b[3])) {
        var box = L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
        if (map.getBoundsZoom(box, false, L.point(40, 40)) >= closer) {
          map.fitBounds(box, { padding: [40, 40], maxZoom: MAX_ZOOM });
          return;
        }
      }
      map.setView(at, closer);
    });
    return marker;
  }

  function caseMarker(p, at) {
    var text = p.code + " · " + p.label + " · " + p.category;
    var marker = L.marker(at, {
      icon: L.divIcon({ className: "map-pin state-" + p.state, iconSize: [18, 18] }),
      title: text, alt: text, keyboard: true
    });
    marker.on("click", function () { window.location.href = p.url; });
    return marker;
  }

  function projectMarker(p, at) {
    var text = el.dataset.projectLabel + " · " + (p.title || p.code || "") + (p.status ? " · " + p.status : "");
    var marker = L.marker(at, {
      icon: L.divIcon({ className: "map-project", iconSize: [18, 18] }),
      title: text, alt: text, keyboard: true
    });
    if (p.url) { marker.on("click", function () { window.location.href = p.url; }); }
    return marker;
  }

  function listItem(url, code, badgeClass, badgeText, note) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = url;
    link.className = "code";
    link.textContent = code;
    var badge = document.createElement("span");
    badge.className = "badge " + badgeClass;
    badge.textContent = badgeText;
    var small = document.createElement("span");
    small.className = "muted";
    small.textContent = note;
    li.appendChild(link);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(badge);
    li.appendChild(document.createElement("br"));
    li.appendChild(small);
    return li;
  }

  function pointOf(feature) {
    var g = feature.geometry;
    if (!g) { return null; }
    if (g.type === "Point") { return [g.coordinates[1], g.coordinates[0]]; }
    var box = feature.bbox;
    if (box) { return [(box[1] + box[3]) / 2, (box[0] + box[2]) / 2]; }
    var flat = JSON.stringify(g.coordinates).match(/-?\d+(\.\d+)?/g);
    return flat && flat.length >= 2 ? [parseFloat(flat[1]), parseFloat(flat[0])] : null;
  }

  var pending = null;
  function loadCases() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var query = filterQuery();
    var url = el.dataset.url + "?" + (query ? query + "&" : "") + "bbox=" + bboxParam() + "&zoom=" + map.getZoom();
    el.setAttribute("aria-busy", "true");
    fetch(url, { signal: pending.signal, headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        el.removeAttribute("aria-busy");
        if (!answer.ok) {
          var errors = answer.body.errors || {};
          statusEl.textContent = [answer.body.error].concat(Object.keys(errors).map(function (k) { return errors[k]; })).join(" ");
          return;
        }
        caseLayer.clearLayers();
        answer.body.features.forEach(function (feature) {
          var p = feature.properties;
          var at = pointOf(feature);
          caseLayer.addLayer(p.kind === "cluster" ? clusterMarker(p, at) : caseMarker(p, at));
        });
        statusEl.textContent = answer.body.summary;
        listEl.textContent = "";
        answer.body.list.forEach(function (row) {
          listEl.appendChild(listItem(row.url, row.code, "state-" + row.state, row.label, row.category + " · " + row.received));
        });
        el.dataset.loaded = "z" + answer.body.zoom;
        el.dataset.loads = String(parseInt(el.dataset.loads || "0", 10) + 1);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { el.removeAttribute("aria-busy"); statusEl.textContent = String(error); }
      });
  }

  // Projects come from the projects app; until its API answers, the map shows complaints only.
  function loadProjects() {
    if (!el.dataset.projects) { return; }
    fetch(el.dataset.projects + "?bbox=" + bboxParam(), { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        projectLayer.clearLayers();
        if (projectsEl) { projectsEl.textContent = ""; }
        if (!body || !body.features) { return; }
        body.features.slice(0, 500).forEach(function (feature) {
          var p = feature.properties || {};
          var at = pointOf(feature);
          if (!at) { return; }
          projectLayer.addLayer(projectMarker(p, at));
          if (projectsEl && p.url) {
            projectsEl.appendChild(listItem(p.url, p.code || "", "map-project-badge", el.dataset.projectLabel, p.title || ""));
          }
        });
      })
      .catch(function () { projectLayer.clearLayers(); });
  }

  function loadFigures() {
    if (!el.dataset.figures) { return; }
    fetch(el.dataset.figures + "?bbox=" + bboxParam(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var none = !body.district;
        document.getElementById("figures-district").textContent = none ? "" : "· " + body.district.name;
        ["received", "repaired", "overdue"].forEach(function (name) {
          document.getElementById("figure-" + name).textContent = none ? "—" : body[name];
        });
      })
      .catch(function () {});
  }

  function moved() {
    var c = map.getCenter();
    history.replaceState(null, "", window.location.pathname + window.location.search +
      "#" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5));
    if (reportEl) {
      reportEl.href = el.dataset.report + "?lat=" + c.lat.toFixed(6) + "&lon=" + c.lng.toFixed(6);
    }
    loadCases();
    loadProjects();
    loadFigures();
  }

  if (filtersEl) {
    // Filters apply at once; the address keeps them (a link shares the same selection).
    filtersEl.addEventListener("change", function () {
      var query = filterQuery();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      loadCases();
    });
    filtersEl.addEventListener("submit", function (event) {
      event.preventDefault();
      loadCases();
    });
  }

  if (locateEl && navigator.geolocation) {
    locateEl.hidden = false;
    locateEl.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        map.setView([position.coords.latitude, position.coords.longitude], 16);
      }, function () {}, { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  map.on("moveend", moved);
  moved();
})();
