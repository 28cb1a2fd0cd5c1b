// The insights page needs no script; this only carries over the theme chosen on the
// board page (board.js keeps it in localStorage) before the page paints.
(function () {
  var saved = localStorage.getItem("tack-theme");
  if (saved) document.documentElement.dataset.theme = saved;
})();
