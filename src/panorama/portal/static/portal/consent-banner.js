/* The portal's web-tracking banner (portal/_tracking_banner.html): the answer goes to the
 * tracking snippet at once (panorama("consent", yes): the cookie may be set, or never)
 * and to the portal (which remembers it and records an acceptance as his consent), then
 * the banner goes. Without this script the form posts and the page comes back. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-portal-consent]");
  if (!form) { return; }
  window.panorama = window.panorama || function () { (window.panorama.q = window.panorama.q || []).push(arguments); };
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !window.fetch) { return; }
    event.preventDefault();
    var yes = button.value === "accept";
    var body = new FormData(form);
    body.set("decision", button.value);
    window.panorama("consent", yes);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" } }).catch(function () {});
    var banner = form.closest("section") || form;
    var heading = document.querySelector("main h1");
    banner.remove();
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  });
})();
