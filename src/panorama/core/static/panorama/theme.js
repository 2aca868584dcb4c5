/* Theme and shell state, loaded (not deferred) in <head> so the first paint already has
   the right theme: no flash of light before dark. No inline script: CSP-friendly.
   - Theme: localStorage "pn-theme" = "light" | "dark"; absent means the OS preference.
   - Sidebar: localStorage "pn-sidebar" = "collapsed" narrows it to its icons (wide screens).
   - "pn-js" on <html>: CSS hides what scripts only show on demand (no layout shift).
   - Tables that scroll sideways inside their card get tabindex=0 (keyboard access). */
(function () {
  "use strict";
  var root = document.documentElement;
  // Before the first paint: what JavaScript will hide (the lists' bulk bar) is hidden
  // from the start, so the page does not jump when the deferred scripts run.
  root.classList.add("pn-js");
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* private mode: the choice lasts for the page */ }
  }
  function preferred() {
    var chosen = stored("pn-theme");
    if (chosen === "light" || chosen === "dark") { return chosen; }
    return dark && dark.matches ? "dark" : "light";
  }
  function apply() {
    var theme = preferred();
    root.setAttribute("data-bs-theme", theme);
    var buttons = document.querySelectorAll("[data-pn-theme]");
    for (var i = 0; i < buttons.length; i++) {
      var value = buttons[i].getAttribute("data-pn-theme");
      var chosen = stored("pn-theme");
      var active = chosen ? value === chosen : value === "auto";
      buttons[i].setAttribute("aria-pressed", active ? "true" : "false");
      buttons[i].classList.toggle("active", active);
    }
  }
  apply();
  if (stored("pn-sidebar") === "collapsed") { root.classList.add("pn-sidebar-collapsed"); }
  if (dark && dark.addEventListener) { dark.addEventListener("change", apply); }

  document.addEventListener("click", function (event) {
    var themeButton = event.target.closest("[data-pn-theme]");
    if (themeButton) {
      var value = themeButton.getAttribute("data-pn-theme");
      store("pn-theme", value === "auto" ? null : value);
      apply();
      return;
    }
    if (event.target.closest("[data-pn-sidebar-toggle]")) {
      var collapsed = root.classList.toggle("pn-sidebar-collapsed");
      store("pn-sidebar", collapsed ? "collapsed" : null);
      var toggles = document.querySelectorAll("[data-pn-sidebar-toggle]");
      for (var j = 0; j < toggles.length; j++) {
        toggles[j].setAttribute("aria-expanded", collapsed ? "false" : "true");
      }
    }
  });
  /* A table wider than its card scrolls inside it: keyboard users reach it with Tab. */
  function markScrollable() {
    var regions = document.querySelectorAll(".table-responsive");
    for (var k = 0; k < regions.length; k++) {
      var region = regions[k];
      if (region.scrollWidth > region.clientWidth || region.scrollHeight > region.clientHeight) {
        regions[k].setAttribute("tabindex", "0");
      } else if (regions[k].getAttribute("tabindex") === "0") {
        regions[k].removeAttribute("tabindex");
      }
    }
  }
  document.addEventListener("htmx:afterSettle", markScrollable);
  window.addEventListener("resize", markScrollable);
  window.addEventListener("load", markScrollable);
  /* The table grows after the first paint (the UI font arrives, a cell fills in). */
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(markScrollable); }
  if (window.ResizeObserver) {
    var watcher = new ResizeObserver(markScrollable);
    document.addEventListener("DOMContentLoaded", function () {
      var tables = document.querySelectorAll(".table-responsive > table");
      for (var t = 0; t < tables.length; t++) { watcher.observe(tables[t]); }
    });
  }
  document.addEventListener("toggle", markScrollable, true);  /* a <details> opened */

  document.addEventListener("DOMContentLoaded", function () {
    markScrollable();
    apply();
    var collapsed = root.classList.contains("pn-sidebar-collapsed");
    var toggles = document.querySelectorAll("[data-pn-sidebar-toggle]");
    for (var j = 0; j < toggles.length; j++) {
      toggles[j].setAttribute("aria-expanded", collapsed ? "false" : "true");
    }
  });
})();
