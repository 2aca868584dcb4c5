/* Call management on every staff page (base.html): the screen pop and click-to-call.

   An agent's page listens to /service/calls/stream/ (server-sent events); a user
   without an extension opens no stream (asked once a minute, see start()). When the server's stream
   slots are all taken it says "poll", and the page asks /service/calls/events/ once
   a second instead. Each "call" event carries the pop's HTML (rendered by the server in
   the agent's language): it is shown in #pn-calls, and htmx wires its forms.
   With an extension whose PBX takes requests, every tel: link gets a "Call" button that
   posts the number to /service/calls/dial/. No inline script: CSP-friendly. */
(function () {
  "use strict";
  var root, lastId = 0, source = null, pollTimer = null, opened = false, decorated = false;
  var DISMISSED = "pn-calls-dismissed";

  function dismissed() {
    try { return JSON.parse(sessionStorage.getItem(DISMISSED) || "[]"); } catch (e) { return []; }
  }

  function dismiss(callId) {
    var list = dismissed();
    if (list.indexOf(callId) === -1) { list.push(callId); }
    try { sessionStorage.setItem(DISMISSED, JSON.stringify(list.slice(-50))); } catch (e) { /* private mode */ }
  }

  function csrf() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function show(event) {
    if (event.id > lastId) { lastId = event.id; }
    var callId = String(event.call);
    if (dismissed().indexOf(callId) !== -1) { return; }
    var existing = document.getElementById("call-pop-" + callId);
    if (!existing && event.kind !== "ringing") { return; }  /* never popped here: nothing to update */
    var holder = document.createElement("div");
    holder.innerHTML = event.html;
    var pop = holder.firstElementChild;
    if (!pop) { return; }
    if (existing) {
      /* Keep what the agent is typing: only the header and status change. */
      existing.setAttribute("data-status", pop.getAttribute("data-status"));
      var title = existing.querySelector("h2"), newTitle = pop.querySelector("h2");
      if (title && newTitle) { title.innerHTML = newTitle.innerHTML; }
    } else {
      root.appendChild(pop);
      if (window.htmx) { window.htmx.process(pop); }
      /* Announced, not focused: the agent keeps his place in what he was typing. */
      var who = pop.querySelector(".pn-call-customer");
      announce(pop.querySelector("h2").textContent.replace(/\s+/g, " ").trim() +
        (who ? " — " + who.textContent : ""));
    }
    if (event.created) {
      /* Event recorded on the server → pop on the page (same clock on one machine). */
      window.pnCallDelays = window.pnCallDelays || [];
      window.pnCallDelays.push(Date.now() - event.created);
    }
  }

  function announce(text) {
    var live = document.getElementById("pn-calls-live");
    if (live) { live.textContent = text; }
  }

  function onHello(data) {
    opened = true;
    if (data.dial) { decorate(); }
  }

  function listen() {
    if (!window.EventSource) { poll(); return; }
    opened = false;  /* set again by this stream's hello: a retry that gets none stops */
    source = new EventSource(root.getAttribute("data-stream"));
    source.addEventListener("hello", function (e) { onHello(JSON.parse(e.data || "{}")); });
    source.addEventListener("call", function (e) { show(JSON.parse(e.data)); });
    source.addEventListener("poll", function (e) {
      source.close();
      onHello(JSON.parse(e.data || "{}"));
      poll();
    });
    source.onerror = function () {
      /* CLOSED before any hello: no extension (204) or signed out; stop. Otherwise the
         browser reconnects by itself (the server ends each stream after a while). */
      if (source.readyState === 2 && opened && !pollTimer) { window.setTimeout(listen, 2000); }
    };
  }

  function poll() {
    if (pollTimer) { return; }
    var busy = false;
    pollTimer = window.setInterval(function () {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(root.getAttribute("data-poll") + "?after=" + lastId, {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { events: [] }; })
        .then(function (body) {
          (body.events || []).forEach(show);
          if (body.last > lastId) { lastId = body.last; }
        })
        .catch(function () { /* offline for a moment: the next tick asks again */ })
        .then(function () { busy = false; });
    }, 1000);
  }

  function decorate() {
    if (decorated) { return; }
    decorated = true;
    var links = document.querySelectorAll('a[href^="tel:"]');
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var number = link.getAttribute("href").slice(4);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary pn-call-btn ms-1";
      button.setAttribute("data-pn-dial", number);
      button.setAttribute("aria-label", root.getAttribute("data-call-label") + " " + link.textContent.trim());
      button.innerHTML = '<i class="bi bi-telephone-outbound" aria-hidden="true"></i>';
      link.insertAdjacentElement("afterend", button);
    }
  }

  function dial(number) {
    var body = new URLSearchParams();
    body.set("number", number);
    var customer = document.querySelector("[data-customer-id]");
    if (customer) { body.set("customer", customer.getAttribute("data-customer-id")); }
    fetch(root.getAttribute("data-dial"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" }
    }).then(function (r) { return r.text(); })
      .then(function (html) {
        var holder = document.getElementById("pn-calls-dial");
        holder.innerHTML = html;
      });
  }

  document.addEventListener("click", function (e) {
    var close = e.target.closest("[data-pn-call-close]");
    if (close) {
      var pop = close.closest(".pn-call-pop");
      dismiss(pop.getAttribute("data-call"));
      pop.remove();
      return;
    }
    var button = e.target.closest("[data-pn-dial]");
    if (button) { dial(button.getAttribute("data-pn-dial")); }
  });

  /* Only an agent with an extension listens: asked once a minute per tab (a cheap JSON
     answer), so other users' pages open no stream at all. */
  var AGENT = "pn-calls-agent";

  function start() {
    var known = null;
    try { known = JSON.parse(sessionStorage.getItem(AGENT) || "null"); } catch (e) { known = null; }
    if (known && Date.now() - known.at < 60000) {
      if (known.agent) { listen(); }
      return;
    }
    fetch(root.getAttribute("data-poll") + "?after=" + Number.MAX_SAFE_INTEGER, {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : { agent: false }; })
      .then(function (body) {
        try { sessionStorage.setItem(AGENT, JSON.stringify({ agent: !!body.agent, at: Date.now() })); } catch (e) { /* private mode */ }
        if (body.agent) { listen(); }
      })
      .catch(function () { /* offline: the next page asks again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("pn-calls");
    if (root) { start(); }
  });
})();
