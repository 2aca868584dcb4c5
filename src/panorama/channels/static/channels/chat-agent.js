/* An agent's chat page (channels/chat/detail.html): new messages arrive by server-sent
   events from data-stream (polling data-poll every second when the server says "poll"
   or the browser has no EventSource); the reply box posts to data-reply and the stream
   shows the answer. Messages are drawn with textContent only. No inline script. */
(function () {
  "use strict";
  var box = document.querySelector(".pn-chat[data-stream]");
  if (!box) { return; }
  var log = document.getElementById("chat-log");
  var lastId = 0, source = null, pollTimer = null;
  Array.prototype.forEach.call(log.querySelectorAll("[data-id]"), function (li) {
    lastId = Math.max(lastId, parseInt(li.getAttribute("data-id"), 10));
  });

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function add(m) {
    if (m.id <= lastId || log.querySelector('[data-id="' + m.id + '"]')) { return; }
    lastId = m.id;
    var li = document.createElement("li");
    li.className = "pn-chat-msg pn-chat-" + m.author;
    li.setAttribute("data-id", m.id);
    if (m.who) {
      var who = document.createElement("span");
      who.className = "pn-chat-who"; who.textContent = m.who;
      li.appendChild(who); li.appendChild(document.createTextNode(" "));
    }
    var body = document.createElement("span");
    body.className = "pn-chat-body"; body.textContent = m.body;
    li.appendChild(body);
    var at = document.createElement("time");
    at.className = "pn-chat-at"; at.textContent = " " + m.at;
    li.appendChild(at);
    log.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
    if (m.event === "taken" || m.event === "transferred") {
      /* Who has the chat changed: the page's actions follow (drawn by the server). */
      window.location.reload();
      return;
    }
    if (m.event === "closed") {
      var form = document.getElementById("chat-reply");
      if (form) { form.remove(); }
      if (source) { source.close(); }
    }
  }

  function poll() {
    if (pollTimer) { return; }
    pollTimer = window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(box.getAttribute("data-poll") + "?after=" + lastId, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
        .then(function (body) { (body.messages || []).forEach(add); })
        .catch(function () { /* the next tick asks again */ });
    }, 1000);
  }

  function listen() {
    if (!window.EventSource) { poll(); return; }
    source = new EventSource(box.getAttribute("data-stream") + "?after=" + lastId);
    source.addEventListener("message", function (e) { add(JSON.parse(e.data)); });
    source.addEventListener("poll", function () { source.close(); poll(); });
  }

  var form = document.getElementById("chat-reply");
  if (form) {
    var text = document.getElementById("chat-body"), error = document.getElementById("chat-error");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = text.value.trim();
      if (!value) { return; }
      var data = new URLSearchParams(); data.set("body", value);
      fetch(box.getAttribute("data-reply"), {
        method: "POST", credentials: "same-origin", body: data,
        headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }
      }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          if (res.ok) { text.value = ""; error.textContent = ""; }
          else { error.textContent = res.body.detail || ""; }
        });
    });
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
  }
  listen();
})();
