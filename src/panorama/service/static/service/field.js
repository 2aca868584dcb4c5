/* The customer's signature on the technician's phone: a <canvas> drawn with a finger
 * (pointer events, so mouse and pen too), sent as a PNG to the form's action with
 * fetch; the server's refusal is shown in the form's alert. Without JavaScript the
 * form still uploads a photo from its file input. */
(function () {
  "use strict";

  function setup(form) {
    var canvas = form.querySelector("[data-pn-signature-pad]");
    var error = form.querySelector("[data-pn-signature-error]");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function blank() {
      ctx.fillStyle = "white";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 3;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "black";
      drawn = false;
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    }

    function show(message) {
      error.textContent = message;
      error.classList.toggle("d-none", !message);
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });

    form.querySelector("[data-pn-signature-clear]").addEventListener("click", function () {
      blank();
      show("");
    });

    form.querySelector("[data-pn-signature-save]").addEventListener("click", function () {
      if (!drawn) { show(form.dataset.msgEmpty); return; }
      canvas.toBlob(function (blob) {
        var body = new FormData();
        body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
        body.append("signed_by", form.querySelector("[name=signed_by]").value);
        body.append("signature", blob, "signature.png");
        fetch(form.action, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        }).then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (answer) {
          if (answer.ok) { window.location.reload(); } else { show(answer.data.detail); }
        }).catch(function () { show(form.dataset.msgFailed); });
      }, "image/png");
    });

    blank();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pn-signature]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
