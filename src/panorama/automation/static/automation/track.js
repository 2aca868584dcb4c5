/* Panorama web tracking: page views and named events, batched, to the site's endpoint.
 *
 *   <script src="https://panorama.example/static/automation/track.js"
 *           data-key="pk_..." data-consent="required" async></script>
 *   panorama("track", "mortgage_simulation", {amount: 200000, term: 25, rate: 2.9});
 *   panorama("consent", true);        // the visitor accepted: the cookie may be set
 *
 * A first-party cookie (pn_vid) identifies the browser; with data-consent="required" it
 * is set only after panorama("consent", true). "Do not track" and Global Privacy Control
 * stop everything. A tracked link (?pn_c=...) and a submitted web form (its e-mail)
 * link the cookie to the customer. Events are sent in batches (one request a second at
 * most, and on leaving the page). Calls made before this file loads are queued by
 *   window.panorama = window.panorama || function () { (panorama.q = panorama.q || []).push(arguments); };
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-key][src*='track.js']");
  if (!script) { return; }
  var key = script.getAttribute("data-key");
  var endpoint = script.getAttribute("data-endpoint") ||
    new URL(script.src).origin + "/automation/track/" + encodeURIComponent(key) + "/";
  var needsConsent = script.getAttribute("data-consent") === "required";
  var COOKIE = "pn_vid", CONSENT = "pn_consent";
  var queued = window.panorama && window.panorama.q ? window.panorama.q : [];
  var dnt = navigator.doNotTrack === "1" || window.doNotTrack === "1" || navigator.globalPrivacyControl === true;
  var batch = [], timer = null;
  var link = new URLSearchParams(window.location.search).get("pn_c");

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }
  function setCookie(name, value) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + 60 * 60 * 24 * 395 +
      "; Path=/; SameSite=Lax" + secure;
  }
  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function consented() { return !needsConsent || cookie(CONSENT) === "yes"; }
  function visitor() {
    if (!consented()) { return null; }
    var id = cookie(COOKIE);
    if (!id) { id = newId(); setCookie(COOKIE, id); }
    return id;
  }
  function send(useBeacon) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!batch.length || dnt) { batch = []; return; }
    var body = { visitor: visitor(), events: batch.splice(0, 50) };
    if (link && body.visitor) { body.link = link; link = null; }
    var text = JSON.stringify(body);
    if (useBeacon && navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, new Blob([text], { type: "text/plain" }));
    } else {
      fetch(endpoint, { method: "POST", body: text, mode: "cors", credentials: "omit", keepalive: true,
        headers: { "Content-Type": "text/plain" } }).catch(function () {});
    }
    if (batch.length) { send(useBeacon); }
  }
  function push(name, data) {
    if (dnt) { return; }
    batch.push({ name: name, url: location.href.slice(0, 500), data: data || {} });
    if (batch.length >= 20) { send(false); } else if (!timer) { timer = setTimeout(send, 1000); }
  }
  var commands = {
    track: function (name, data) { push(name, data); },
    page: function () { push("page_view", { title: document.title.slice(0, 200) }); },
    consent: function (yes) {
      setCookie(CONSENT, yes ? "yes" : "no");
      if (!yes) { document.cookie = COOKIE + "=; Max-Age=0; Path=/"; }
    },
    identify: function (email) { push("identify", { email: String(email || "").slice(0, 200) }); send(false); },
    flush: function () { send(false); }
  };
  function run(args) {
    var command = commands[args[0]];
    if (command) { command.apply(null, Array.prototype.slice.call(args, 1)); }
  }
  window.panorama = function () { run(arguments); };
  window.panorama.endpoint = endpoint;
  queued.forEach(run);
  if (script.getAttribute("data-auto") !== "false") { commands.page(); }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-panorama-form], [data-panorama-identify]")) { return; }
    var email = form.querySelector("input[type=email], input[name=email]");
    if (email && email.value) { commands.identify(email.value); }
  }, true);
  window.addEventListener("pagehide", function () { send(true); });
})();
