// The duplicate-pilot warning while typing: after a pause in the title or summary, fetch the
// similar entries (/pilots/vergelijkbaar) into the live region. Without JavaScript the form's
// "Vergelijkbare items zoeken" button shows the same list.
(function () {
  "use strict";
  var region = document.getElementById("vergelijkbaar");
  var title = document.getElementById("voorstel-title");
  var summary = document.getElementById("voorstel-summary");
  if (!region || !title || !summary || !window.fetch) {
    return;
  }
  var timer = null;
  var asked = "";
  function refresh() {
    var text = title.value.trim() + "\n" + summary.value.trim();
    if (text.trim().length < 4 || text === asked) {
      return;
    }
    asked = text;
    var url = region.getAttribute("data-similar-url") + "?" + new URLSearchParams({
      title: title.value, summary: summary.value
    }).toString();
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && text === asked) {
          region.innerHTML = html;
        }
      })
      .catch(function () { /* the button still works */ });
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }
  title.addEventListener("input", later);
  summary.addEventListener("input", later);
})();
