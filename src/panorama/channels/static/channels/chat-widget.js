/* Panorama web chat widget, for a tracked site (plain JavaScript, no other file, no CDN):
 *
 *   <script src="https://panorama.example/static/channels/chat-widget.js"
 *           data-site="pk_..." data-base="https://panorama.example" defer></script>
 *
 * A button opens a panel. The visitor gives his name (e-mail and phone optional),
 * accepts how the conversation is kept, and writes. Messages come back by server-sent
 * events (polling every 2 s when the server says "poll" or EventSource is missing).
 * With no agent on line the form leaves a message instead. The tracking snippet's
 * first-party cookie (pn_vid), when set, is sent so a known visitor is recognised.
 * On the customer portal's own pages (same origin as Panorama) a customer signed in to
 * the portal is recognised by the server from his portal session: the form then asks no
 * name, e-mail or phone. Elsewhere no cookie of Panorama is sent (credentials
 * "same-origin").
 * The conversation's token stays in sessionStorage: a reload keeps the chat. Every
 * text comes from the server in the visitor's language; messages are drawn with
 * textContent only.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-site][src*='chat-widget.js']");
  if (!script) { return; }
  var key = script.getAttribute("data-site");
  var base = (script.getAttribute("data-base") || new URL(script.src).origin).replace(/\/$/, "");
  var root = base + "/channels/chat/w/" + encodeURIComponent(key) + "/";
  var STORE = "pn-chat-" + key;
  var texts = {}, token = null, lastId = 0, source = null, pollTimer = null;
  var panel, log, form, starter, note;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }
  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }
  function request(method, path, body) {
    return fetch(root + path, {
      method: method, mode: "cors", credentials: "same-origin",
      headers: body ? { "Content-Type": "text/plain" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { throw new Error(data.detail || String(r.status)); }
        return data;
      });
    });
  }

  var css = ".pn-cw-btn{position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:#1f5fbf;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer}" +
    ".pn-cw{position:fixed;right:16px;bottom:72px;z-index:2147483000;width:min(360px,calc(100vw - 32px));max-height:min(560px,calc(100vh - 96px));display:flex;flex-direction:column;background:#fff;color:#1b1f24;border:1px solid #c9d1da;border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.18);font:14px/1.4 system-ui,sans-serif}" +
    ".pn-cw[hidden],.pn-cw [hidden]{display:none!important}.pn-cw header{display:flex;justify-content:space-between;align-items:center;padding:10px 12px;border-bottom:1px solid #e3e8ee;font-weight:600}" +
    ".pn-cw header button{border:0;background:none;font-size:18px;cursor:pointer}.pn-cw ol{list-style:none;margin:0;padding:10px 12px;overflow-y:auto;flex:1}" +
    ".pn-cw li{margin:4px 0;padding:6px 9px;border-radius:10px;background:#eef2f7;max-width:85%;word-wrap:break-word}.pn-cw li.visitor{margin-left:auto;background:#dbe8fb}.pn-cw li.system{background:none;color:#5b6573;font-size:12px;max-width:100%;text-align:center}" +
    ".pn-cw li b{display:block;font-size:12px}.pn-cw form{display:flex;flex-direction:column;gap:6px;padding:10px 12px;border-top:1px solid #e3e8ee}" +
    ".pn-cw input,.pn-cw textarea{font:inherit;padding:7px;border:1px solid #aab4c0;border-radius:6px}.pn-cw label{font-size:12px}.pn-cw .pn-cw-send{border:0;border-radius:6px;padding:8px;background:#1f5fbf;color:#fff;font-weight:600;cursor:pointer}" +
    ".pn-cw .pn-cw-note{padding:6px 12px;font-size:13px;color:#5b6573}.pn-cw .pn-cw-error{color:#b02a37}.pn-cw .pn-cw-end{border:0;background:none;color:#5b6573;text-decoration:underline;cursor:pointer;font-size:12px}";

  function show(m) {
    if (m.id <= lastId) { return; }
    lastId = m.id;
    var li = el("li", { "class": m.author, "data-id": String(m.id) });
    if (m.who && m.author !== "system") { li.appendChild(el("b", {}, m.who)); }
    li.appendChild(document.createTextNode(m.body));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    if (m.event === "closed") { finished(); }
  }
  function finished() {
    if (source) { source.close(); source = null; }
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
    try { sessionStorage.removeItem(STORE); } catch (e) { /* private mode */ }
    token = null;
    form.hidden = true;
    setNote(texts.closed);
  }
  function setNote(text, isError) {
    note.textContent = text || "";
    note.className = "pn-cw-note" + (isError ? " pn-cw-error" : "");
  }
  function poll() {
    if (pollTimer) { return; }
    pollTimer = window.setInterval(function () {
      if (!token || document.hidden) { return; }
      request("GET", token + "/messages/?after=" + lastId).then(function (d) { (d.messages || []).forEach(show); }).catch(function () {});
    }, 2000);
  }
  function listen() {
    if (!window.EventSource) { poll(); return; }
    source = new EventSource(root + token + "/stream/?after=" + lastId);
    source.addEventListener("message", function (e) { show(JSON.parse(e.data)); });
    source.addEventListener("poll", function () { source.close(); poll(); });
    source.onerror = function () { if (source && source.readyState === 2) { poll(); } };
  }
  function chatting() {
    starter.hidden = true;
    form.hidden = false;
    form.querySelector("textarea").focus();
    listen();
  }

  function field(form, name, label, type, required) {
    var id = "pn-cw-" + name;
    form.appendChild(el("label", { "for": id }, label));
    var input = el(type === "textarea" ? "textarea" : "input", { id: id, name: name });
    if (type !== "textarea") { input.type = type; } else { input.rows = 3; input.maxLength = 2000; }
    if (required) { input.required = true; }
    form.appendChild(input);
    return input;
  }

  function build(online, signedIn) {
    var style = el("style"); style.textContent = css; document.head.appendChild(style);
    var button = el("button", { "class": "pn-cw-btn", type: "button", "aria-expanded": "false", "aria-controls": "pn-cw" }, texts.open);
    panel = el("section", { "class": "pn-cw", id: "pn-cw", role: "dialog", "aria-label": texts.title });
    panel.hidden = true;
    var header = el("header", {}, texts.title);
    var close = el("button", { type: "button", "aria-label": texts.close }, "×");
    header.appendChild(close);
    log = el("ol", { "aria-live": "polite" });
    note = el("div", { "class": "pn-cw-note", role: "status" });
    starter = el("form", { novalidate: "" });
    if (!online) { starter.appendChild(el("p", { "class": "pn-cw-note" }, texts.offline)); }
    var who = signedIn ? el("p", { "class": "pn-cw-note" }, texts.signed_in) : null;
    if (who) { starter.appendChild(who); }
    var name = field(starter, "name", texts.name, "text", !signedIn);
    var email = field(starter, "email", texts.email, "email", false);
    var phone = field(starter, "phone", texts.phone, "tel", false);
    if (signedIn) {  // the server knows him: these are neither shown nor read
      [name, email, phone].forEach(function (input) { input.hidden = true; input.previousSibling.hidden = true; });
    }
    var first = field(starter, "message", texts.message, "textarea", true);
    var consentLabel = el("label", {});
    var consent = el("input", { type: "checkbox", name: "consent", required: "" });
    consentLabel.appendChild(consent); consentLabel.appendChild(document.createTextNode(" " + texts.consent));
    starter.appendChild(consentLabel);
    starter.appendChild(el("button", { "class": "pn-cw-send", type: "submit" }, online ? texts.start : texts.leave));
    form = el("form", { novalidate: "" });
    form.hidden = true;
    var text = el("textarea", { name: "body", rows: "2", maxlength: "2000", "aria-label": texts.write });
    form.appendChild(text);
    form.appendChild(el("button", { "class": "pn-cw-send", type: "submit" }, texts.send));
    var end = el("button", { "class": "pn-cw-end", type: "button" }, texts.end);
    form.appendChild(end);
    panel.appendChild(header); panel.appendChild(log); panel.appendChild(note);
    panel.appendChild(starter); panel.appendChild(form);
    document.body.appendChild(panel); document.body.appendChild(button);

    button.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      button.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) { (token ? text : (signedIn ? first : name)).focus(); }
    });
    close.addEventListener("click", function () { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); });
    starter.addEventListener("submit", function (e) {
      e.preventDefault();
      setNote("");
      request("POST", "start/", {
        name: name.value, email: email.value, phone: phone.value, message: first.value,
        consent: consent.checked, visitor: cookie("pn_vid"), page: location.href
      }).then(function (d) {
        if (!d.token) { starter.hidden = true; setNote(texts.left); return; }
        token = d.token;
        try { sessionStorage.setItem(STORE, token); } catch (err) { /* private mode */ }
        (d.messages || []).forEach(show);
        setNote(texts.waiting);
        chatting();
      }).catch(function (err) { setNote(err.message, true); });
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var value = text.value.trim();
      if (!value || !token) { return; }
      request("POST", token + "/send/", { body: value })
        .then(function () { text.value = ""; setNote(""); })
        .catch(function (err) { setNote(err.message, true); });
    });
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    end.addEventListener("click", function () {
      if (token) { request("POST", token + "/close/").catch(function () {}); }
    });
    try { token = sessionStorage.getItem(STORE); } catch (e) { token = null; }
    if (token) { panel.hidden = false; chatting(); }
  }

  request("GET", "").then(function (d) { texts = d.texts || {}; build(!!d.online, !!d.signed_in); })
    .catch(function () { /* blocked origin or unknown key: no widget */ });
})();
