// Map picker: a click marks the place and fills the hidden latitude/longitude inputs.
// The map opens on the district given in data-centre (the clerk's own), on the district chosen
// in the form (data-districts: {id: [lat, lon, radius km]}), or on all of Kazakhstan; "use my
// location" (citizens) marks where the browser says they are. A marked point picks the district
// whose area holds it; the server checks it again either way.
(function () {
  "use strict";
  var box = document.getElementById("place-map");
  if (!box || typeof L === "undefined") { return; }
  var lat = document.getElementById(box.dataset.latInput);
  var lon = document.getElementById(box.dataset.lonInput);
  var districts = box.dataset.districts ? JSON.parse(box.dataset.districts) : {};
  var districtInput = box.dataset.districtInput ? document.getElementById(box.dataset.districtInput) : null;

  function zoomFor(radiusKm) {
    // About the district's width across the map box.
    return Math.max(8, Math.min(14, Math.round(Math.log2(40000 / Math.max(1, radiusKm)) - 1)));
  }

  var start = [48.0, 67.0];
  var zoom = 5;
  if (lat && lat.value && lon.value) {
    start = [parseFloat(lat.value), parseFloat(lon.value)];
    zoom = 16;
  } else if (box.dataset.centre) {
    start = box.dataset.centre.split(",").map(parseFloat);
    zoom = zoomFor(parseFloat(box.dataset.radiusKm || "30"));
  } else if (districtInput && districts[districtInput.value]) {
    var chosen = districts[districtInput.value];
    start = [chosen[0], chosen[1]];
    zoom = zoomFor(chosen[2]);
  }
  var map = L.map(box).setView(start, zoom);
  box.dataset.zoom = String(zoom);
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, { maxZoom: 19, attribution: box.dataset.attribution }).addTo(map);
  }

  function distanceKm(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad;
    var dLon = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  }

  function districtAt(latlng) {
    var best = null;
    Object.keys(districts).forEach(function (id) {
      var d = districts[id];
      var km = distanceKm([latlng.lat, latlng.lng], [d[0], d[1]]);
      if (km <= d[2] && (best === null || km < best.km)) { best = { id: id, km: km }; }
    });
    return best ? best.id : null;
  }

  var marker = null;
  function mark(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    box.dataset.marked = "1";
    if (districtInput) {
      var found = districtAt(latlng);
      if (found !== null) { districtInput.value = found; }
    }
  }
  if (lat && lat.value && lon.value) { mark(L.latLng(start[0], start[1])); }
  map.on("click", function (e) { mark(e.latlng); });

  if (districtInput) {
    districtInput.addEventListener("change", function () {
      var d = districts[districtInput.value];
      if (d && !box.dataset.marked) { map.setView([d[0], d[1]], zoomFor(d[2])); }
    });
  }

  var clear = document.getElementById("place-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      lat.value = ""; lon.value = ""; delete box.dataset.marked;
    });
  }

  var locate = document.getElementById("place-locate");
  var status = document.getElementById("place-locate-status");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      if (status) { status.textContent = locate.dataset.waiting || ""; }
      navigator.geolocation.getCurrentPosition(function (position) {
        var here = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(here, 16);
        mark(here);
        if (status) { status.textContent = ""; }
      }, function () {
        if (status) { status.textContent = locate.dataset.refused || ""; }
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
}());
