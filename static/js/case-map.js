// The case's place on a map. Without a tile URL (tests, offline sites) the marker stands alone.
(function () {
  var el = document.getElementById("case-map");
  if (!el || !window.L) { return; }
  var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var map = L.map(el, { scrollWheelZoom: false }).setView(at, 15);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
  }
  L.marker(at).addTo(map);
})();
