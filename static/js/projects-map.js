// The public map of projects: fetches the GeoJSON twin (/api/public/projects/) with the page's
// filters and draws each project's point, line or polygon, linking to its page.
(function () {
  var el = document.getElementById("projects-map");
  if (!el || !window.L) { return; }
  var map = L.map(el).setView([50.28, 57.17], 11);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
  }
  var url = el.dataset.api + (el.dataset.query ? "?" + el.dataset.query : "");
  fetch(url, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.features.length) { el.dataset.loaded = "0"; return; }
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 7 }); },
        onEachFeature: function (feature, item) {
          var link = document.createElement("a");
          link.href = feature.properties.url;
          link.textContent = feature.properties.title;
          item.bindPopup(link);
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 });
      el.dataset.loaded = String(data.features.length);
    });
})();
