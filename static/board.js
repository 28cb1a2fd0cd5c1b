// Tack board: drag-and-drop, live updates, dialogs and keys. No build step; htmx
// and SortableJS are vendored beside this file.
(function () {
  "use strict";

  var POLL_MS = 1500;
  var dragging = false;
  // A live update that arrived mid-drag, applied after the drop: {html, after}.
  var heldUpdate = null;
  var polling = false;

  function byId(id) { return document.getElementById(id); }
  function seq() { var state = byId("board-state"); return state ? state.dataset.seq : "0"; }
  // The search, the filters, and how many cards each column shows ("show more").
  function viewParams() {
    var params = new URLSearchParams(new FormData(byId("filters")));
    params.set("board", document.body.dataset.board);
    document.querySelectorAll(".cards").forEach(function (list) {
      params.set("shown_" + list.dataset.column, list.querySelectorAll(".card").length);
    });
    return params;
  }

  // Every htmx request carries the CSRF token and the current view, so the board
  // the server sends back is the one this person is looking at.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] =
      document.querySelector('meta[name="csrf-token"]').content;
    viewParams().forEach(function (value, name) {
      if (!event.detail.parameters.has(name)) event.detail.parameters.set(name, value);
    });
  });

  // ---- live updates: poll the event cursor ------------------------------------
  // A live update answers "what changed after `after`". When the board moved on
  // while it was on its way (a drop's or a form's answer redrew it), it may be
  // older than what is shown, and drawing it would put a dropped card back where
  // it was: it is dropped, and the next poll asks again from the newer cursor.
  function applyUpdate(update) {
    if (update.after !== seq()) return;
    htmx.swap("#poll-sink", update.html, { swapStyle: "innerHTML" });
  }

  function poll() {
    if (polling || document.hidden) return;
    polling = true;
    var params = viewParams();
    var after = seq();
    params.set("after", after);
    fetch("/web/changes?" + params.toString(), { headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (response.status !== 200) return null;
        return response.text();
      })
      .then(function (html) {
        if (!html) return;
        var update = { html: html, after: after };
        if (dragging) heldUpdate = update; else applyUpdate(update);
      })
      .catch(function () { /* offline for a moment: the next poll catches up */ })
      .finally(function () { polling = false; });
  }
  setInterval(poll, POLL_MS);

  // ---- drag and drop ----------------------------------------------------------
  function allSortables() {
    return Array.prototype.map.call(document.querySelectorAll(".cards"), function (list) {
      return Sortable.get(list);
    }).filter(Boolean);
  }

  function dropped(event) {
    var item = event.item;
    var moved = event.from !== event.to || event.oldIndex !== event.newIndex;
    if (!moved) { finishDrag(); return; }
    // Below the last card shown, the card goes above the column's first hidden one.
    var next = item.nextElementSibling;
    var more = event.to.closest(".column").querySelector(".more");
    var beforeId = next ? next.dataset.cardId : (more && more.dataset.beforeId) || "";
    // No more drags until the server has answered: fast drags cannot race.
    allSortables().forEach(function (sortable) { sortable.option("disabled", true); });
    htmx.ajax("POST", "/web/cards/" + item.dataset.cardId + "/move", {
      values: { column_name: event.to.dataset.column, before_id: beforeId },
      swap: "none",
      source: item,
    }).finally(finishDrag);
  }

  function finishDrag() {
    dragging = false;
    document.body.classList.remove("dragging");
    allSortables().forEach(function (sortable) { sortable.option("disabled", false); });
    if (heldUpdate) { var update = heldUpdate; heldUpdate = null; applyUpdate(update); }
  }

  htmx.onLoad(function (root) {
    var lists = root.matches && root.matches(".cards") ? [root] : root.querySelectorAll(".cards");
    Array.prototype.forEach.call(lists, function (list) {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: "cards",
        animation: 120,
        filter: "input, textarea, button, select",
        preventOnFilter: false,
        onStart: function () {
          dragging = true;
          document.body.classList.add("dragging");
        },
        onEnd: dropped,
      });
    });
  });

  // ---- dialogs ----------------------------------------------------------------
  function openCard(cardId) {
    var dialog = byId("card-dialog");
    htmx.ajax("GET", "/web/cards/" + cardId, { target: "#dialog-body", swap: "innerHTML" })
      .then(function () { if (!dialog.open) dialog.showModal(); });
  }

  function openNewCard() {
    var dialog = byId("new-card-dialog");
    if (!dialog.open) dialog.showModal();
    byId("new-card-title").focus();
  }

  function closeDialogs() {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  }

  document.addEventListener("dblclick", function (event) {
    var card = event.target.closest(".card");
    if (card && !event.target.closest("form")) openCard(card.dataset.cardId);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest(".close-dialog")) closeDialogs();
    if (event.target.closest("#new-card-button")) openNewCard();
    if (event.target.closest("#theme-toggle")) toggleTheme();
  });

  // The header's board switcher: each option's value is that board's page.
  document.addEventListener("change", function (event) {
    if (event.target.id === "board-switcher") window.location.assign(event.target.value);
  });

  document.body.addEventListener("tack:card-created", function () {
    var form = document.querySelector("#new-card-dialog form");
    form.reset();
    byId("new-card-dialog").close();
  });
  document.body.addEventListener("tack:close-dialog", closeDialogs);

  // ---- keys: n new card, / search, Esc clear search or close, Enter open card --
  document.addEventListener("keydown", function (event) {
    var typing = event.target.matches("input, textarea, select");
    if (event.key === "Escape") {
      var search = byId("search");
      if (document.querySelector("dialog[open]")) return; // the dialog closes itself
      if (search.value) {
        search.value = "";
        htmx.trigger(byId("filters"), "change");
        search.blur();
      }
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "n") { event.preventDefault(); openNewCard(); }
    else if (event.key === "/") { event.preventDefault(); byId("search").focus(); }
    else if (event.key === "Enter" && event.target.matches(".card")) {
      openCard(event.target.dataset.cardId);
    }
  });

  // ---- claims count down between updates (the server's text, kept current) ----
  function timeLeft(seconds) {
    if (seconds < 60) return Math.max(seconds, 0) + "s";
    if (seconds < 3600) return Math.floor(seconds / 60) + "m";
    if (seconds < 86400) {
      return Math.floor(seconds / 3600) + "h " + Math.floor((seconds % 3600) / 60) + "m";
    }
    return Math.floor(seconds / 86400) + "d";
  }
  setInterval(function () {
    document.querySelectorAll("time.time-left").forEach(function (element) {
      var seconds = Math.floor((Date.parse(element.dateTime) - Date.now()) / 1000);
      element.textContent = timeLeft(seconds);
    });
  }, 5000);

  // ---- theme ------------------------------------------------------------------
  function toggleTheme() {
    var root = document.documentElement;
    var dark = root.dataset.theme
      ? root.dataset.theme === "dark"
      : window.matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
    localStorage.setItem("tack-theme", root.dataset.theme);
  }
  var savedTheme = localStorage.getItem("tack-theme");
  if (savedTheme) document.documentElement.dataset.theme = savedTheme;
})();
