// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function minutesText(ms) {
    if (ms <= 0) return "now";
    var m = Math.round(ms / 60000);
    return "in " + Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function enhance(root) {
    // Fill an empty time-zone field from the browser.
    root.querySelectorAll("[data-fill-timezone]").forEach(function (input) {
      if (!input.value && window.Intl) {
        try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* leave empty */ }
      }
    });
    // Live countdown to bedtime.
    root.querySelectorAll("[data-bedtime]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("data-bedtime"));
      var left = el.querySelector(".left");
      if (isNaN(at) || !left) return;
      var tick = function () { left.textContent = minutesText(at - Date.now()); };
      tick();
      if (el._timer) clearInterval(el._timer);
      el._timer = setInterval(tick, 30000);
    });
    // Breathing cues in words, in step with the circle's animation.
    root.querySelectorAll("details.pacer").forEach(function (d) {
      var cue = d.querySelector(".cue");
      var phases = d.classList.contains("coherent")
        ? [["Breathe in", 5], ["Breathe out", 5]]
        : [["Breathe in", 4], ["Hold", 7], ["Breathe out slowly", 8]];
      var timer = null;
      d.addEventListener("toggle", function () {
        if (timer) { clearTimeout(timer); timer = null; }
        if (!d.open || !cue) return;
        var i = 0;
        var step = function () {
          cue.textContent = phases[i][0] + " (" + phases[i][1] + " s)";
          timer = setTimeout(step, phases[i][1] * 1000);
          i = (i + 1) % phases.length;
        };
        step();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (e) { enhance(e.target); });
})();
