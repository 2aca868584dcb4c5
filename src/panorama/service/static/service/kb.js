// "Insert link in reply" on a case: puts an article's title and public address into the
// reply box at the cursor (or at the end), and focuses the box.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pn-kb-insert]");
    if (!button) return;
    var box = document.querySelector(button.getAttribute("data-pn-kb-target"));
    if (!box) return;
    var text = button.getAttribute("data-pn-kb-insert");
    var start = box.selectionStart != null ? box.selectionStart : box.value.length;
    var end = box.selectionEnd != null ? box.selectionEnd : box.value.length;
    var before = box.value.slice(0, start);
    var glue = before && !/\s$/.test(before) ? "\n" : "";
    box.value = before + glue + text + box.value.slice(end);
    var caret = (before + glue + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
