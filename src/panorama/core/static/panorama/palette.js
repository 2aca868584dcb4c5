/* The Ctrl+K (⌘K) palette: a modal <dialog> (focus stays inside; Esc closes it and
   gives the focus back to where it was). Pages come from the sidebar's own links,
   actions and records from the server (core/palette.py) as the user types.
   Arrows move, Enter opens, a click too. No inline script: CSP-friendly. */
(function () {
  "use strict";
  var dialog, input, list, opener = null, timer = null, asked = 0;

  function folded(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function pagesGroup(text) {
    var wanted = folded(text.trim());
    var links = document.querySelectorAll("#pn-sidebar .pn-nav-link[href]");
    var group = document.createElement("div");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", dialog.getAttribute("data-pages"));
    group.className = "pn-palette-group";
    var heading = document.createElement("div");
    heading.className = "pn-palette-heading";
    heading.setAttribute("aria-hidden", "true");
    heading.textContent = dialog.getAttribute("data-pages");
    group.appendChild(heading);
    var seen = {}, count = 0;
    for (var i = 0; i < links.length; i++) {
      var label = (links[i].querySelector(".pn-label") || links[i]).textContent.trim();
      var href = links[i].getAttribute("href");
      if (seen[href] || (wanted && folded(label).indexOf(wanted) === -1)) { continue; }
      seen[href] = true;
      var option = document.createElement("div");
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "pn-palette-option";
      option.id = "pn-palette-page-" + i;
      option.setAttribute("data-href", href);
      var icon = links[i].querySelector(".bi");
      if (icon) { option.appendChild(icon.cloneNode(true)); }
      var span = document.createElement("span");
      span.textContent = label;
      option.appendChild(span);
      group.appendChild(option);
      count++;
    }
    return count ? group : null;
  }

  function options() { return list.querySelectorAll("[role=option]"); }

  function select(index) {
    var all = options();
    if (!all.length) { input.removeAttribute("aria-activedescendant"); return; }
    index = (index + all.length) % all.length;
    for (var i = 0; i < all.length; i++) { all[i].setAttribute("aria-selected", i === index ? "true" : "false"); }
    input.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function current() {
    var all = options();
    for (var i = 0; i < all.length; i++) { if (all[i].getAttribute("aria-selected") === "true") { return i; } }
    return -1;
  }

  function show(serverHtml) {
    list.innerHTML = serverHtml || "";
    var pages = pagesGroup(input.value);
    if (pages) { list.insertBefore(pages, list.firstChild); }
    select(0);
  }

  function search() {
    var text = input.value;
    var mine = ++asked;
    show(list.getAttribute("data-last") || "");
    fetch(dialog.getAttribute("data-url") + "?q=" + encodeURIComponent(text.trim()), {
      headers: { "HX-Request": "true" }, credentials: "same-origin"
    }).then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (mine !== asked) { return; }  /* an older answer: the text has changed */
        list.setAttribute("data-last", html);
        show(html);
      });
  }

  function activate(option) {
    if (!option) { return; }
    var href = option.getAttribute("data-href");
    if (href) {
      opener = null;  /* leaving the page */
      window.location.assign(href);
      return;
    }
    option.click();  /* e.g. a theme: theme.js listens for [data-pn-theme] clicks */
    dialog.close();
  }

  function open() {
    if (dialog.open) { return; }
    opener = document.activeElement;
    input.value = "";
    list.setAttribute("data-last", "");
    dialog.showModal();
    input.focus();
    search();
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("pn-palette");
    if (!dialog) { return; }
    input = document.getElementById("pn-palette-input");
    list = document.getElementById("pn-palette-list");

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select(current() + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select(current() - 1); }
      else if (event.key === "Home" && event.ctrlKey) { event.preventDefault(); select(0); }
      else if (event.key === "Enter") {
        event.preventDefault();
        var all = options();
        activate(all[current()]);
      }
    });
    list.addEventListener("click", function (event) {
      activate(event.target.closest("[role=option]"));
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) { return; }
      var all = options();
      for (var i = 0; i < all.length; i++) { if (all[i] === option && current() !== i) { select(i); } }
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }  /* a click on the backdrop */
    });
    dialog.addEventListener("close", function () {
      if (opener && document.contains(opener) && opener.focus) { opener.focus(); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
      if (!dialog) { return; }
      event.preventDefault();
      if (dialog.open) { dialog.close(); } else { open(); }
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-pn-palette-open]") && dialog) { open(); }
  });
})();
