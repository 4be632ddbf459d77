// Map picker: a click marks the place and fills the hidden latitude/longitude inputs.
(function () {
  "use strict";
  var box = document.getElementById("place-map");
  if (!box || typeof L === "undefined") { return; }
  var lat = document.getElementById(box.dataset.latInput);
  var lon = document.getElementById(box.dataset.lonInput);
  var start = lat && lat.value && lon.value ? [parseFloat(lat.value), parseFloat(lon.value)] : [48.0, 67.0];
  var map = L.map(box).setView(start, lat && lat.value ? 16 : 5);
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
  }
  var marker = null;
  function mark(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    box.dataset.marked = "1";
  }
  if (lat && lat.value && lon.value) { mark(L.latLng(start[0], start[1])); }
  map.on("click", function (e) { mark(e.latlng); });
  var clear = document.getElementById("place-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = ""; lon.value = ""; delete box.dataset.marked;
    });
  }
}());
