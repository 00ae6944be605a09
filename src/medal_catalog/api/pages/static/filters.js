// The search page's filters: open beside the results on a wide screen, collapsed above them on a phone (the page
// is rendered with them open, so without JavaScript they are simply shown).
(function () {
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia("(max-width: 48rem)").matches) filters.open = false;
})();
