// "Snel weg": leave for a neutral site so that someone looking over a young person's shoulder
// sees nothing. location.replace keeps this page out of the history, so Back does not return to
// it; Escape does the same from the keyboard. Without JavaScript the link still leaves the site.
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.style.visibility = "hidden";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { leave(event); }
  });
}());
