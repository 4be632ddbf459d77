// A project's site cameras (templates/projects/_camera.html): a time-lapse slideshow of the
// dated snapshots, and the live stream through hls.js (static/vendor/hls) when there is one.
(function () {
  "use strict";

  function timelapse(camera) {
    var controls = camera.querySelector(".timelapse");
    var image = camera.querySelector(".camera-image");
    var time = camera.querySelector(".camera-time time");
    var links = camera.querySelectorAll("[data-frame]");
    if (!controls || !image || links.length < 2) return;
    var frames = Array.prototype.map.call(links, function (a) {
      return { src: a.getAttribute("href"), time: a.dataset.time, iso: a.dataset.iso };
    });
    var range = controls.querySelector(".timelapse-range");
    var button = controls.querySelector(".timelapse-play");
    var timer = null;
    var baseAlt = image.getAttribute("alt").split(",")[0];
    // Preload, so that playing shows each frame at once.
    frames.forEach(function (f) { new Image().src = f.src; });

    function show(index) {
      var frame = frames[index];
      image.src = frame.src;
      image.alt = baseAlt + ", " + frame.time;
      if (time) { time.textContent = frame.time; time.setAttribute("datetime", frame.iso); }
      range.value = String(index);
      camera.dataset.frame = String(index);
    }
    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      button.textContent = button.dataset.play;
      button.setAttribute("aria-pressed", "false");
    }
    function play() {
      var index = Number(range.value) >= frames.length - 1 ? -1 : Number(range.value);
      button.textContent = button.dataset.pause;
      button.setAttribute("aria-pressed", "true");
      timer = setInterval(function () {
        index += 1;
        show(index);
        if (index >= frames.length - 1) { stop(); camera.dataset.played = "1"; }
      }, 600);
    }
    button.addEventListener("click", function () { if (timer) stop(); else play(); });
    range.addEventListener("input", function () { stop(); show(Number(range.value)); });
    button.setAttribute("aria-pressed", "false");
    controls.hidden = false;
  }

  function live(video) {
    var url = video.dataset.hls;
    if (!url) return;
    if (video.canPlayType("application/vnd.apple.mpegurl")) { video.src = url; return; }
    var script = document.createElement("script");
    script.src = video.dataset.hlsJs;
    script.onload = function () {
      if (!window.Hls || !window.Hls.isSupported()) return;
      var hls = new window.Hls({ enableWorker: false });
      hls.loadSource(url);
      hls.attachMedia(video);
    };
    document.head.appendChild(script);
  }

  document.querySelectorAll(".project-camera").forEach(timelapse);
  document.querySelectorAll("video[data-hls]").forEach(live);
})();
