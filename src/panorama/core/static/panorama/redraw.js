// A form whose region the server redraws (data-redraw="#region": the segment builder)
// keeps what the user does while a redraw is in flight (docs/ui.md, "Redrawn regions").
// The fields stay usable during the request; the form has hx-sync="this:replace", so a
// newer redraw (a field or operator chosen meanwhile) replaces the one in flight and
// carries its action ("add a condition") along; any other edit (a value typed, a NOT
// ticked) marks the request stale: its answer is not swapped in, and the same request is
// sent again with what is on the screen now. The form's own requests (the live count)
// wait for the redraw, which brings the count with it.
(() => {
  const pending = new WeakMap(); // form -> {elt, path, action, event, stale}
  let carried = null; // the action of a redraw a newer one replaced

  const formOf = (elt) => (elt && elt.closest ? elt.closest("form[data-redraw]") : null);
  const redraws = (form, target) => !!target && target.matches(form.dataset.redraw);

  document.addEventListener("htmx:confirm", (event) => {
    const form = formOf(event.detail.elt);
    const state = form && pending.get(form);
    if (!state) return;
    if (redraws(form, event.detail.target)) {
      carried = state.action; // hx-sync replaces the one in flight: keep its action
    } else {
      event.preventDefault(); // the redraw in flight (or sent again) brings the count
    }
  });

  document.addEventListener("htmx:configRequest", (event) => {
    const form = formOf(event.detail.elt);
    if (!form || !redraws(form, event.detail.target)) return;
    const params = event.detail.parameters;
    if (carried && !params.action) params.action = carried;
    carried = null;
    pending.set(form, {
      elt: event.detail.elt,
      path: event.detail.path,
      action: params.action || "",
      event: event.detail.triggeringEvent,
      stale: false,
    });
  });

  const edited = (event) => {
    const form = formOf(event.target);
    const state = form && pending.get(form);
    if (!state || event === state.event) return;
    if (event.target.closest(form.dataset.redraw)) state.stale = true;
  };
  document.addEventListener("input", edited);
  document.addEventListener("change", edited);

  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = formOf(event.detail.requestConfig && event.detail.requestConfig.elt);
    const state = form && pending.get(form);
    if (!state || state.elt !== event.detail.requestConfig.elt) return;
    pending.delete(form);
    if (!state.stale || event.detail.isError || !document.body.contains(state.elt)) return;
    event.detail.shouldSwap = false; // drawn from values the screen no longer shows
    setTimeout(() => {
      htmx.ajax("POST", state.path, {
        source: state.elt,
        target: form.dataset.redraw,
        swap: "outerHTML",
        values: state.action ? { action: state.action } : {},
      });
    }, 0);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = formOf(event.detail.elt);
    const state = form && pending.get(form);
    // An answer that failed or was aborted ends the wait too (a replaced one is already
    // superseded by its successor's configRequest).
    if (state && state.elt === event.detail.elt && !event.detail.successful) pending.delete(form);
  });
})();
