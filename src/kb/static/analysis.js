/*
 * The conflict-analysis form, made nicer when JavaScript runs (it works without):
 *  - a live preview of the advice, computed by the server as the form is filled in;
 *  - autosave of a draft every 20 seconds, with the ETag, so it never overwrites someone else;
 *  - a copy of unsaved input in sessionStorage, so a reload loses nothing. sessionStorage, not
 *    localStorage: case data must not stay behind on a shared computer once the tab is closed.
 */
(function () {
  "use strict";

  var form = document.getElementById("analyse-formulier");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) {
    return;
  }

  var SKIP = { _csrf_token: true, etag: true, actie: true };
  var AUTOSAVE_MS = 20000;
  var key = form.getAttribute("data-storage-key") || "kb-analyse";
  var previewUrl = form.getAttribute("data-preview-url");
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var csrfField = form.querySelector('input[name="_csrf_token"]');
  var etagField = form.querySelector('input[name="etag"]');
  var preview = document.getElementById("advies-voorbeeld");
  var previewStatus = document.getElementById("advies-status");
  var saveStatus = document.getElementById("opslaan-status");
  var restoreBox = document.getElementById("herstel");

  var changes = 0;        // edits since the page loaded
  var savedChanges = 0;   // edits the server has (after the last autosave)
  var saving = false;
  var stopped = false;    // after a conflict: only an explicit "Opslaan" may overwrite
  var previewTimer = null;
  var storeTimer = null;

  function pairs() {
    var found = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string") {
        found.push([name, value]);
      }
    });
    return found;
  }

  function encoded(extra) {
    var params = new URLSearchParams();
    if (csrfField) {
      params.append("_csrf_token", csrfField.value);
    }
    pairs().forEach(function (pair) {
      params.append(pair[0], pair[1]);
    });
    Object.keys(extra || {}).forEach(function (name) {
      params.append(name, extra[name]);
    });
    return params;
  }

  function post(url, extra, accept) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        Accept: accept
      },
      body: encoded(extra).toString()
    });
  }

  function say(element, text) {
    if (element) {
      element.textContent = text;
    }
  }

  // --- Unsaved input survives a reload --------------------------------------------------------

  function store() {
    try {
      window.sessionStorage.setItem(key, JSON.stringify({ at: Date.now(), pairs: pairs() }));
    } catch (e) {
      // Storage full or switched off: the form still works, only without this safety net.
    }
  }

  function stored() {
    try {
      var raw = window.sessionStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(key);
    } catch (e) {
      // nothing to forget
    }
  }

  function fields(name) {
    return form.querySelectorAll('[name="' + name.replace(/["\\]/g, "\\$&") + '"]');
  }

  function restore(saved) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIP[element.name] || element.tagName === "BUTTON") {
        return;
      }
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = false;
      } else {
        element.value = "";
      }
    });
    saved.pairs.forEach(function (pair) {
      Array.prototype.forEach.call(fields(pair[0]), function (element) {
        if (element.type === "checkbox" || element.type === "radio") {
          if (element.value === pair[1]) {
            element.checked = true;
          }
        } else {
          element.value = pair[1];
        }
      });
      // A restored value in a closed block: open it, so nobody misses it.
      var first = fields(pair[0])[0];
      var block = first && first.closest ? first.closest("details") : null;
      if (block && pair[1]) {
        block.open = true;
      }
    });
    changed();
  }

  function offerRestore() {
    var saved = stored();
    if (!saved || !restoreBox || JSON.stringify(saved.pairs) === JSON.stringify(pairs())) {
      return;
    }
    restoreBox.hidden = false;
    document.getElementById("herstel-terugzetten").addEventListener("click", function () {
      restore(saved);
      restoreBox.hidden = true;
      say(saveStatus, "Uw niet-opgeslagen invoer is teruggezet. Vergeet niet op te slaan.");
    });
    document.getElementById("herstel-weggooien").addEventListener("click", function () {
      forget();
      restoreBox.hidden = true;
      say(saveStatus, "De niet-opgeslagen invoer is weggegooid.");
    });
  }

  // --- Live preview of the advice --------------------------------------------------------------

  function refreshPreview() {
    if (!previewUrl || !preview) {
      return;
    }
    post(previewUrl, {}, "text/html")
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("text/html") !== 0) {
          throw new Error("geen voorbeeld");
        }
        return response.text();
      })
      .then(function (html) {
        preview.innerHTML = html;
        var root = preview.querySelector("[data-summary]");
        var summary = root ? root.getAttribute("data-summary") : "";
        say(previewStatus, summary);
        showPanel(summary);
      })
      .catch(function () {
        say(previewStatus, "Het voorlopige advies kon niet worden bijgewerkt.");
      });
  }

  // --- The sticky advice panel: the advice in view while filling in --------------------------

  var panel = document.getElementById("advies-paneel");
  var panelText = document.getElementById("advies-paneel-tekst");

  function showPanel(summary) {
    if (!panel || !panelText) {
      return;
    }
    // The live region above already announces the change; the panel is for the eye.
    panelText.textContent = summary;
    panel.hidden = false;
  }

  function startPanel() {
    var root = preview ? preview.querySelector("[data-summary]") : null;
    if (root) {
      showPanel(root.getAttribute("data-summary"));
    }
  }

  // --- Autosave ----------------------------------------------------------------------------------

  function autosave() {
    if (!autosaveUrl || !etagField || saving || stopped || changes === savedChanges) {
      return;
    }
    saving = true;
    var sending = changes;
    post(autosaveUrl, { etag: etagField.value }, "application/json")
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) {
          throw new Error("geen antwoord");
        }
        return response.json().then(function (answer) {
          return { status: response.status, answer: answer };
        });
      })
      .then(function (result) {
        var answer = result.answer;
        if (answer.saved) {
          etagField.value = answer.etag;
          savedChanges = sending;
          if (changes === sending) {
            forget();
          }
        } else if (result.status === 412) {
          stopped = true;
          if (answer.etag) {
            etagField.value = answer.etag;
          }
        }
        say(saveStatus, answer.message || "");
      })
      .catch(function () {
        say(saveStatus, "Automatisch opslaan lukte niet (bent u nog aangemeld?). Uw invoer blijft in dit tabblad bewaard.");
      })
      .then(function () {
        saving = false;
      });
  }

  // --- Wiring ------------------------------------------------------------------------------------

  function changed() {
    changes += 1;
    window.clearTimeout(storeTimer);
    storeTimer = window.setTimeout(store, 300);
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, 700);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    // The server answers with the form again if anything is wrong, input and all.
    forget();
  });
  window.setInterval(autosave, AUTOSAVE_MS);

  var summary = document.getElementById("foutenoverzicht") ||
    document.querySelector("#ontbreekt[data-focus]");
  if (summary) {
    summary.focus();
  }
  startPanel();
  offerRestore();
})();
