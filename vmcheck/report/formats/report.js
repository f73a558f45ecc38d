// Listen in the report: anything with a data-t (a finding's time, a timeline mark, a word)
// plays its message from that moment; the word being said is highlighted and the timeline
// shows a playhead. Inline and dependency-free, so the page works from a file:// URL.
"use strict";

document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-t]");
  var section = target && target.closest("section");
  var audio = section && section.querySelector("audio");
  if (!audio) return;
  audio.currentTime = parseFloat(target.getAttribute("data-t"));
  var playing = audio.play();
  if (playing) playing.catch(function () {});
});

document.querySelectorAll("section audio").forEach(function (audio) {
  var section = audio.closest("section");
  var words = Array.prototype.slice.call(section.querySelectorAll(".transcript [data-t]"));
  var svg = section.querySelector("svg.timeline");
  var playhead = svg && svg.querySelector(".playhead");
  var current = null;

  function follow() {
    var now = audio.currentTime, found = null;
    for (var i = 0; i < words.length; i++) {
      if (parseFloat(words[i].getAttribute("data-t")) > now + 0.005) break;
      if (now < parseFloat(words[i].getAttribute("data-end"))) found = words[i];
    }
    if (found !== current) {
      if (current) current.classList.remove("now");
      if (found) found.classList.add("now");
      current = found;
    }
    if (playhead) {
      var left = parseFloat(svg.getAttribute("data-left")), plot = parseFloat(svg.getAttribute("data-plot"));
      var x = left + Math.min(1, now / parseFloat(svg.getAttribute("data-span"))) * plot;
      playhead.setAttribute("x1", x);
      playhead.setAttribute("x2", x);
      playhead.setAttribute("visibility", "visible");
    }
  }

  function tick() {
    follow();
    if (!audio.paused) requestAnimationFrame(tick);
  }

  audio.addEventListener("play", tick);
  audio.addEventListener("seeked", follow);
});
