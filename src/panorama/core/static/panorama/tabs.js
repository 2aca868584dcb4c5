/* Tabs ([data-pn-tabs], role=tablist; panels [data-pn-tabpanel]): the WAI-ARIA tabs
   pattern. Each tab is a link to its own address (?tab=key), so it works without
   JavaScript and can be copied; with it, a click or Enter swaps the panels in place and
   pushes that address (Back returns to the previous tab). Left/Right/Home/End move
   between tabs. The server renders the asked tab and the others hidden: no flash. */
(function () {
  "use strict";

  function tabsOf(list) { return Array.prototype.slice.call(list.querySelectorAll("[role=tab]")); }

  function activate(list, tab, push) {
    var key = tab.getAttribute("data-pn-tab");
    tabsOf(list).forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      if (on) { t.removeAttribute("tabindex"); } else { t.setAttribute("tabindex", "-1"); }
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !on; }
    });
    if (push) {
      var url = new URL(window.location.href);
      url.searchParams.set("tab", key);
      window.history.pushState({ pnTab: key }, "", url.toString());
    }
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("[data-pn-tabs] [role=tab]");
    if (!tab || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    activate(tab.closest("[data-pn-tabs]"), tab, tab.getAttribute("aria-selected") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[data-pn-tabs] [role=tab]");
    if (!tab) { return; }
    var list = tab.closest("[data-pn-tabs]");
    var all = tabsOf(list);
    var i = all.indexOf(tab), next = null;
    if (event.key === "ArrowRight") { next = all[(i + 1) % all.length]; }
    else if (event.key === "ArrowLeft") { next = all[(i - 1 + all.length) % all.length]; }
    else if (event.key === "Home") { next = all[0]; }
    else if (event.key === "End") { next = all[all.length - 1]; }
    else if (event.key === " ") { event.preventDefault(); tab.click(); return; }
    if (next) { event.preventDefault(); next.focus(); next.click(); }
  });

  window.addEventListener("popstate", function () {
    var key = new URL(window.location.href).searchParams.get("tab");
    var lists = document.querySelectorAll("[data-pn-tabs]");
    for (var j = 0; j < lists.length; j++) {
      var all = tabsOf(lists[j]);
      var wanted = all.filter(function (t) { return t.getAttribute("data-pn-tab") === key; })[0] || all[0];
      if (wanted) { activate(lists[j], wanted, false); }
    }
  });
})();
