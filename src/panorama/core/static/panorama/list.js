/* The shared list (core/lists.py): come back to the row you opened.
   Opening a record from a list first writes the row into the address bar
   (#<list>-row-<pk>, with the list's own query that already says how many rows are
   loaded), so Back draws the same rows, scrolls to that one and focuses its link.
   After "load more", the first new row's link takes the focus from the vanished button.
   No inline script: CSP-friendly. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-pn-list] a[data-pn-row]");
    if (!link) { return; }
    var row = link.closest("tr[id]");
    if (!row) { return; }
    history.replaceState(history.state, "", location.pathname + location.search + "#" + row.id);
  }, true);

  function focusRow() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var row = document.getElementById(id);
    if (!row || !row.closest("[data-pn-list]")) { return; }
    var link = row.querySelector("a[data-pn-row]");
    if (!link) { return; }
    link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "center" });
  }
  document.addEventListener("DOMContentLoaded", focusRow);
  window.addEventListener("pageshow", function (event) { if (event.persisted) { focusRow(); } });

  document.addEventListener("htmx:afterSettle", function () {
    var first = document.querySelector("[data-pn-list] [data-pn-focus]");
    if (!first) { return; }
    first.removeAttribute("data-pn-focus");
    if (document.activeElement === document.body || document.activeElement === null) {
      first.focus();
    }
  });
})();
