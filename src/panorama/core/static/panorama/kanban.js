/* Panorama's kanban board (docs/ui.md, "Kanban"): the markup of
 * core/templates/core/kanban/board.html, driven three ways:
 *  - the mouse: native HTML5 drag and drop of a card onto a column;
 *  - the keyboard: focus a card, Space (or Enter) picks it up, Left/Right carry it
 *    across columns, Space/Enter drops it, Escape puts it back; Up/Down go from card to
 *    card; every step is announced in the board's aria-live region;
 *  - touch and small screens: the card's "Move…" button opens a "Move to…" dialog.
 * A move updates the two columns' count and sum at once, POSTs to data-move-url, then
 * shows the server's totals (what the server formats is what stays on screen). A
 * refusal puts the card back with the server's message, unless the board has a dialog
 * asking for the field the server names (data-pn-kanban-ask="lost_reason"): then it asks
 * and tries again with the answer. No library, no other origin. */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function Board(root) {
    this.root = root;
    this.live = root.querySelector(".pn-kanban-live");
    this.error = root.querySelector(".pn-kanban-error");
    this.locale = root.dataset.locale || document.documentElement.lang || "en";
    this.currency = root.dataset.currency || "EUR";
    this.held = null;
    this.dragging = null;
    this.bind();
    this.bindPicker();
  }

  Board.prototype.columns = function () {
    return Array.prototype.slice.call(this.root.querySelectorAll(".pn-kanban-column"));
  };
  Board.prototype.columnOf = function (card) {
    return card.closest(".pn-kanban-column");
  };
  Board.prototype.listOf = function (column) {
    return column.querySelector(".pn-kanban-cards");
  };
  Board.prototype.cardName = function (card) {
    var title = card.querySelector("[data-card-title]");
    return (title ? title.textContent : card.textContent).trim();
  };

  Board.prototype.announce = function (text) {
    var live = this.live;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 30);
  };
  Board.prototype.showError = function (text) {
    this.error.textContent = text;
    this.error.classList.toggle("d-none", !text);
  };

  // --- totals ------------------------------------------------------------------------
  Board.prototype.cents = function (value) {
    var number = parseFloat(value);
    return isNaN(number) ? 0 : Math.round(number * 100);
  };
  Board.prototype.adjust = function (column, countDelta, centsDelta) {
    var count = parseInt(column.dataset.count, 10) + countDelta;
    var cents = this.cents(column.dataset.total) + centsDelta;
    column.dataset.count = String(count);
    column.dataset.total = (cents / 100).toFixed(2);
    column.querySelector(".pn-kanban-count").textContent =
      new Intl.NumberFormat(this.locale).format(count);
    column.querySelector(".pn-kanban-total").textContent = new Intl.NumberFormat(
      this.locale, { style: "currency", currency: this.currency }).format(cents / 100);
    this.refreshPicker();
  };
  Board.prototype.applyTotals = function (totals) {
    var self = this;
    Object.keys(totals || {}).forEach(function (id) {
      var column = self.root.querySelector('.pn-kanban-column[data-column-id="' + id + '"]');
      if (!column) { return; }
      var t = totals[id];
      column.dataset.count = String(t.count);
      column.dataset.total = t.total;
      column.querySelector(".pn-kanban-count").textContent = t.count_display;
      column.querySelector(".pn-kanban-total").textContent = t.total_display;
    });
    this.refreshPicker();
  };

  // --- placing cards -----------------------------------------------------------------
  Board.prototype.placeOnTop = function (card, column) {
    var list = this.listOf(column);
    var first = list.querySelector(".pn-kanban-card");
    list.insertBefore(card, first || list.querySelector(".pn-kanban-more"));
  };
  Board.prototype.putBack = function (card, origin) {
    var list = this.listOf(origin.column);
    if (origin.next && origin.next.parentNode === list) {
      list.insertBefore(card, origin.next);
    } else {
      list.insertBefore(card, list.querySelector(".pn-kanban-more"));
    }
  };
  Board.prototype.originOf = function (card) {
    return { column: this.columnOf(card), next: card.nextElementSibling };
  };

  // --- the move ----------------------------------------------------------------------
  // ``card`` is already shown in ``to``; ``origin`` is where it came from.
  Board.prototype.commit = function (card, origin, to) {
    var from = origin.column;
    if (to === from) {
      this.putBack(card, origin);
      card.focus();
      return;
    }
    var value = this.cents(card.dataset.value);
    this.adjust(from, -1, -value);
    this.adjust(to, 1, value);
    this.showError("");
    this.send(card, origin, to, value, {});
  };

  Board.prototype.send = function (card, origin, to, value, extra) {
    var self = this;
    if (!this.root.dataset.moveUrl) {
      // A board without a server (the components page): the move stays on screen.
      this.announce(fill(this.root.dataset.msgOver, { card: this.cardName(card), column: to.dataset.title }));
      return;
    }
    var body = new FormData();
    body.append("stage_id", to.dataset.columnId);
    Object.keys(extra).forEach(function (key) { body.append(key, extra[key]); });
    card.setAttribute("aria-busy", "true");
    fetch(this.root.dataset.moveUrl.replace("__id__", card.dataset.cardId), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": this.root.dataset.csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; },
        function () { return { ok: false, data: {} }; });
    }).then(function (answer) {
      card.removeAttribute("aria-busy");
      if (answer.ok) {
        self.applyTotals(answer.data.columns);
        self.announce(answer.data.detail || "");
        card.dispatchEvent(new CustomEvent("pn-kanban:moved", { bubbles: true, detail: answer.data }));
        return;
      }
      var ask = answer.data.field && document.querySelector(
        'dialog[data-pn-kanban-ask="' + answer.data.field + '"][data-pn-kanban-board="' + self.root.id + '"]');
      if (ask) {
        self.ask(ask, answer.data.detail, function (values) {
          if (values) {
            self.send(card, origin, to, value, Object.assign({}, extra, values));
          } else {
            self.revert(card, origin, to, value, "");
          }
        });
        return;
      }
      self.revert(card, origin, to, value, answer.data.detail || self.root.dataset.msgFailed);
    }).catch(function () {
      card.removeAttribute("aria-busy");
      self.revert(card, origin, to, value, self.root.dataset.msgFailed);
    });
  };

  Board.prototype.revert = function (card, origin, to, value, reason) {
    this.putBack(card, origin);
    this.adjust(to, -1, -value);
    this.adjust(origin.column, 1, value);
    var names = { card: this.cardName(card), column: origin.column.dataset.title, reason: reason };
    if (reason) {
      this.showError(reason);
      this.announce(fill(this.root.dataset.msgRefused, names));
    } else {
      this.announce(fill(this.root.dataset.msgCancelled, names));
    }
    card.focus();
  };

  // A dialog of the app's asking for the field the server wants; ``done(values|null)``.
  Board.prototype.ask = function (dialog, message, done) {
    var form = dialog.querySelector("form");
    var text = dialog.querySelector("[data-pn-kanban-ask-message]");
    if (text) { text.textContent = message || ""; }
    form.reset();
    dialog.returnValue = "";
    var onClose = function () {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue !== "ok") { done(null); return; }
      var values = {};
      new FormData(form).forEach(function (v, k) { values[k] = v; });
      done(values);
    };
    dialog.addEventListener("close", onClose);
    dialog.showModal();
  };

  // --- keyboard ----------------------------------------------------------------------
  Board.prototype.neighbour = function (column, step) {
    var columns = this.columns();
    var index = columns.indexOf(column) + step;
    return index >= 0 && index < columns.length ? columns[index] : null;
  };
  Board.prototype.pickUp = function (card) {
    this.held = { card: card, origin: this.originOf(card) };
    card.classList.add("is-held");
    card.setAttribute("aria-grabbed", "true");
    this.announce(fill(this.root.dataset.msgPicked,
      { card: this.cardName(card), column: this.columnOf(card).dataset.title }));
  };
  Board.prototype.release = function () {
    var held = this.held;
    this.held = null;
    held.card.classList.remove("is-held");
    held.card.removeAttribute("aria-grabbed");
    return held;
  };

  Board.prototype.onKey = function (event) {
    var card = event.target.closest && event.target.closest(".pn-kanban-card");
    if (!card || event.target !== card || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    var column = this.columnOf(card);
    if (this.held && this.held.card === card) {
      if (key === "ArrowLeft" || key === "ArrowRight") {
        var target = this.neighbour(column, key === "ArrowLeft" ? -1 : 1);
        if (target) {
          this.placeOnTop(card, target);
          card.focus();
          this.announce(fill(this.root.dataset.msgOver,
            { card: this.cardName(card), column: target.dataset.title }));
        }
      } else if (key === " " || key === "Enter") {
        var held = this.release();
        this.commit(card, held.origin, this.columnOf(card));
      } else if (key === "Escape") {
        var back = this.release();
        this.putBack(card, back.origin);
        card.focus();
        this.announce(fill(this.root.dataset.msgCancelled,
          { card: this.cardName(card), column: back.origin.column.dataset.title }));
      } else if (key !== "ArrowUp" && key !== "ArrowDown" && key !== "Tab") {
        return;
      }
      event.preventDefault();
      return;
    }
    if (key === " " || key === "Enter") {
      if (this.held) { this.release(); }
      this.pickUp(card);
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      var sibling = key === "ArrowDown" ? card.nextElementSibling : card.previousElementSibling;
      if (sibling && sibling.classList.contains("pn-kanban-card")) { sibling.focus(); }
    } else if (key === "ArrowLeft" || key === "ArrowRight") {
      var step = key === "ArrowLeft" ? -1 : 1;
      var next = this.neighbour(column, step);
      while (next && !next.querySelector(".pn-kanban-card")) { next = this.neighbour(next, step); }
      if (next) { next.querySelector(".pn-kanban-card").focus(); }
    } else {
      return;
    }
    event.preventDefault();
  };

  // --- mouse -------------------------------------------------------------------------
  Board.prototype.bindDrag = function () {
    var self = this;
    var root = this.root;
    root.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest(".pn-kanban-card");
      if (!card) { return; }
      self.dragging = { card: card, origin: self.originOf(card) };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.cardId);
      card.classList.add("is-dragging");
    });
    root.addEventListener("dragend", function () {
      if (self.dragging) { self.dragging.card.classList.remove("is-dragging"); }
      self.dragging = null;
      self.columns().forEach(function (c) { c.classList.remove("is-over"); });
    });
    root.addEventListener("dragover", function (event) {
      var column = self.dragging && event.target.closest && event.target.closest(".pn-kanban-column");
      if (!column) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      self.columns().forEach(function (c) { c.classList.toggle("is-over", c === column); });
    });
    root.addEventListener("drop", function (event) {
      var column = self.dragging && event.target.closest && event.target.closest(".pn-kanban-column");
      if (!column) { return; }
      event.preventDefault();
      var dragged = self.dragging;
      self.dragging = null;
      dragged.card.classList.remove("is-dragging");
      column.classList.remove("is-over");
      self.placeOnTop(dragged.card, column);
      self.commit(dragged.card, dragged.origin, column);
    });
  };

  // --- "Move to…" and "Load more" ----------------------------------------------------
  Board.prototype.onClick = function (event) {
    var self = this;
    var more = event.target.closest("[data-more-url]");
    if (more) {
      more.disabled = true;
      fetch(more.dataset.moreUrl, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(); } return r.text(); })
        .then(function (html) {
          var item = more.closest(".pn-kanban-more");
          var previous = item.previousElementSibling;
          item.insertAdjacentHTML("beforebegin", html);
          item.remove();
          var first = previous ? previous.nextElementSibling : null;
          if (first && first.classList.contains("pn-kanban-card")) { first.focus(); }
        })
        .catch(function () { more.disabled = false; self.showError(self.root.dataset.msgFailed); });
      return;
    }
    var button = event.target.closest("[data-pn-kanban-moveto]");
    if (!button) { return; }
    var card = button.closest(".pn-kanban-card");
    var dialog = this.root.querySelector(".pn-kanban-moveto");
    dialog.returnValue = "";
    var onClose = function () {
      dialog.removeEventListener("close", onClose);
      var target = dialog.returnValue && self.root.querySelector(
        '.pn-kanban-column[data-column-id="' + dialog.returnValue + '"]');
      if (!target) { card.focus(); return; }
      var origin = self.originOf(card);
      self.placeOnTop(card, target);
      card.focus();
      self.commit(card, origin, target);
    };
    dialog.addEventListener("close", onClose);
    dialog.showModal();
  };

  // --- a phone: one column at a time (CSS scroll-snap), a picker to jump ---------------
  Board.prototype.phone = function () {
    return window.matchMedia("(max-width: 575.98px)").matches;
  };
  Board.prototype.showColumn = function (column, smooth) {
    var strip = this.root.querySelector(".pn-kanban-columns");
    var left = column.getBoundingClientRect().left - strip.getBoundingClientRect().left;
    if (Math.abs(left) > 1) {
      strip.scrollTo({ left: strip.scrollLeft + left, behavior: smooth ? "smooth" : "auto" });
    }
    if (this.picker) { this.picker.value = column.dataset.columnId; }
  };
  Board.prototype.shownColumn = function () {
    var strip = this.root.querySelector(".pn-kanban-columns");
    var edge = strip.getBoundingClientRect().left;
    var best = null;
    var distance = Infinity;
    this.columns().forEach(function (column) {
      var d = Math.abs(column.getBoundingClientRect().left - edge);
      if (d < distance) { distance = d; best = column; }
    });
    return best;
  };
  Board.prototype.refreshPicker = function () {
    if (!this.picker) { return; }
    var self = this;
    this.columns().forEach(function (column) {
      var option = self.picker.querySelector('option[value="' + column.dataset.columnId + '"]');
      if (option) {
        option.textContent = column.dataset.title + " (" +
          column.querySelector(".pn-kanban-count").textContent + ")";
      }
    });
  };
  Board.prototype.bindPicker = function () {
    var self = this;
    var strip = this.root.querySelector(".pn-kanban-columns");
    this.picker = this.root.querySelector("[data-pn-kanban-picker]");
    if (!this.picker || !strip) { return; }
    this.picker.addEventListener("change", function () {
      var column = self.root.querySelector(
        '.pn-kanban-column[data-column-id="' + self.picker.value + '"]');
      if (column) { self.showColumn(column, true); }
    });
    var timer = null;
    strip.addEventListener("scroll", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var column = self.shownColumn();
        if (column && self.picker) { self.picker.value = column.dataset.columnId; }
      }, 80);
    }, { passive: true });
    /* The keyboard still moves cards: the column of the focused card is the one shown. */
    this.root.addEventListener("focusin", function (event) {
      var card = event.target.closest && event.target.closest(".pn-kanban-card");
      if (card && self.phone()) { self.showColumn(self.columnOf(card), false); }
    });
  };

  Board.prototype.bind = function () {
    var self = this;
    this.root.addEventListener("keydown", function (e) { self.onKey(e); });
    this.root.addEventListener("click", function (e) { self.onClick(e); });
    this.bindDrag();
  };

  function start() {
    document.querySelectorAll("[data-pn-kanban]").forEach(function (root) {
      if (!root.pnKanban) { root.pnKanban = new Board(root); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:afterSettle", start);
})();
