/* Reflections in a lesson: saved a few seconds after the learner stops typing. Without this script the
   "Save your answer" button saves them; nothing here is needed for the page to work. */
(function () {
  "use strict";

  var DELAY = 3000;

  function enhance(form) {
    var textarea = form.querySelector("textarea");
    var status = form.querySelector(".save-status");
    var timer = null;
    var sentText = textarea ? textarea.value : "";
    if (!textarea || !window.fetch || !window.FormData) {
      return;
    }

    function setStatus(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function save() {
      timer = null;
      if (textarea.value === sentText) {
        return;
      }
      var sending = textarea.value;
      setStatus(form.getAttribute("data-msg-saving") || "");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: {"Accept": "application/json"}
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok && data.saved_label) {  // not a login page the request was sent to instead
            sentText = sending;
            setStatus(data.saved_label || "");
          } else {
            setStatus(data.error || form.getAttribute("data-msg-failed") || "");
          }
        });
      }).catch(function () {
        setStatus(form.getAttribute("data-msg-failed") || "");
      });
    }

    textarea.addEventListener("input", function () {
      if (timer) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(save, DELAY);
    });
  }

  var forms = document.querySelectorAll("form[data-autosave]");
  for (var i = 0; i < forms.length; i++) {
    enhance(forms[i]);
  }
}());
