// Search as you type on /interventies. Without JavaScript the form submits as usual; with it,
// the results region is refreshed from /interventies?partial=1 while the user types.
(function () {
  "use strict";
  // The filters are folded away on a phone so that the results come first (the HTML default);
  // on a wide screen they stand open beside the results.
  var panel = document.getElementById("filterpaneel");
  if (panel && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48.01rem)");
    var fit = function () {
      if (wide.matches) {
        panel.open = true;
      }
    };
    fit();
    if (wide.addEventListener) {
      wide.addEventListener("change", fit);
    }
  }
})();

(function () {
  "use strict";
  var input = document.getElementById("zoekterm");
  var results = document.getElementById("resultaten");
  var status = document.getElementById("zoekstatus");
  if (!input || !results || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var form = input.form;
  var timer = null;
  var controller = null;

  function query() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("page");
    return params;
  }

  function refresh() {
    var params = query();
    var address = form.getAttribute("action") + "?" + params.toString();
    params.set("partial", "1");
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action") + "?" + params.toString(), {
      headers: { "Accept": "text/html" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        results.innerHTML = html;
        results.removeAttribute("aria-busy");
        history.replaceState(null, "", address);
        var heading = document.getElementById("resultaten-kop");
        if (status && heading) {
          status.textContent = heading.textContent;
        }
      })
      .catch(function (error) {
        results.removeAttribute("aria-busy");
        if (error && error.name === "AbortError") {
          return;
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 150);
  });
})();
