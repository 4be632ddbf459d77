// The contractor's open sites on a map, each marker linking to its work order.
(function () {
  var el = document.getElementById("sites-map");
  var data = document.getElementById("sites-data");
  if (!el || !data || !window.L) { return; }
  var sites = JSON.parse(data.textContent);
  var map = L.map(el);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
  }
  var bounds = [];
  sites.forEach(function (s) {
    var marker = L.marker([s.lat, s.lon]).addTo(map);
    var link = document.createElement("a");
    link.href = el.dataset.ordersUrl + s.order + "/";
    link.textContent = "#" + s.order + " " + s.code + ": " + s.title + " (" + s.status + ")";
    marker.bindPopup(link);
    bounds.push([s.lat, s.lon]);
  });
  map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
})();
