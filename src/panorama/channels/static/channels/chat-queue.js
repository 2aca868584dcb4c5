/* The agents' chat queue: the server says when it changed (server-sent events from
   data-stream); the list is then fetched again by htmx (event "pn:queue-changed").
   Without EventSource, or when the server has no stream left ("poll"), every 3 s. */
(function () {
  "use strict";
  var queue = document.getElementById("chat-queue");
  if (!queue || !queue.getAttribute("data-stream")) { return; }
  function changed() { if (!document.hidden) { window.htmx.trigger(queue, "pn:queue-changed"); } }
  function poll() { window.setInterval(changed, 3000); }
  if (!window.EventSource) { poll(); return; }
  var url = queue.getAttribute("data-stream") + "?v=" + encodeURIComponent(queue.getAttribute("data-version"));
  var source = new EventSource(url);
  source.addEventListener("message", changed);
  source.addEventListener("poll", function () { source.close(); poll(); });
})();
