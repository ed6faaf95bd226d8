(function () {
  "use strict";
  function all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }
  function byId(id) { return document.getElementById(id); }

  var cards = all("#cards .card");
  var profileSel = byId("f-profile");
  var citeSel = byId("f-cite");
  var search = byId("f-text");
  var shown = byId("shown");
  var state = { outcome: "", profile: "", cite: "", text: "" };

  var data = all("#results details.result").map(function (row) {
    return {
      row: row,
      key: row.getAttribute("data-key"),
      outcome: row.getAttribute("data-outcome"),
      // Spec sections and profiles are indices into the table and the
      // profile list, kept as strings to compare with select values.
      profiles: JSON.parse(row.getAttribute("data-profiles") || "[]").map(String),
      anyProfile: row.getAttribute("data-any-profile") === "true",
      cites: JSON.parse(row.getAttribute("data-sections") || "[]").map(String),
      text: row.textContent.toLowerCase()
    };
  });

  function matches(d) {
    if (state.outcome && d.outcome !== state.outcome) { return false; }
    if (state.profile && !d.anyProfile && d.profiles.indexOf(state.profile) < 0) { return false; }
    if (state.cite && d.cites.indexOf(state.cite) < 0) { return false; }
    if (state.text && d.text.indexOf(state.text) < 0) { return false; }
    return true;
  }

  function apply() {
    var n = 0;
    data.forEach(function (d) {
      var ok = matches(d);
      d.row.hidden = !ok;
      if (ok) { n++; }
    });
    cards.forEach(function (card) {
      card.setAttribute("aria-pressed", String(card.getAttribute("data-outcome") === state.outcome));
    });
    profileSel.value = state.profile;
    citeSel.value = state.cite;
    shown.textContent = n + " of " + data.length + " shown";
  }

  function reset() {
    state.outcome = ""; state.profile = ""; state.cite = ""; state.text = "";
    search.value = "";
    apply();
  }

  cards.forEach(function (card) {
    card.addEventListener("click", function () {
      var o = card.getAttribute("data-outcome");
      state.outcome = (o === state.outcome) ? "" : o;
      apply();
    });
  });
  profileSel.addEventListener("change", function () { state.profile = profileSel.value; apply(); });
  citeSel.addEventListener("change", function () { state.cite = citeSel.value; apply(); });
  search.addEventListener("input", function () { state.text = search.value.trim().toLowerCase(); apply(); });
  byId("f-reset").addEventListener("click", reset);
  byId("expand").addEventListener("click", function () {
    data.forEach(function (d) { if (!d.row.hidden) { d.row.open = true; } });
  });
  byId("collapse").addEventListener("click", function () {
    data.forEach(function (d) { d.row.open = false; });
  });
  all("#matrix .cite-link").forEach(function (link) {
    link.addEventListener("click", function () {
      state.cite = link.getAttribute("data-section");
      apply();
      byId("filters").scrollIntoView();
    });
  });

  // selftest drives the controls like a user and checks what is rendered
  // against the counts in the summary cards and the spec-section table.
  function selftest() {
    var problems = [];
    function expect(ok, msg) { if (!ok) { problems.push(msg); } }
    function visible() { return data.filter(function (d) { return d.row.offsetParent !== null; }); }
    function cardFor(o) {
      return cards.filter(function (c) { return c.getAttribute("data-outcome") === o; })[0];
    }
    var total = Number(cardFor("").getAttribute("data-count"));
    reset();
    expect(data.length === total, data.length + " result rows, summary says " + total);
    expect(visible().length === total, visible().length + " rows visible before filtering, want " + total);

    cards.forEach(function (card) {
      var o = card.getAttribute("data-outcome");
      if (!o) { return; }
      reset();
      card.click();
      var vis = visible();
      var want = Number(card.getAttribute("data-count"));
      expect(vis.length === want, "outcome " + o + ": " + vis.length + " rows shown, card says " + want);
      expect(vis.every(function (d) { return d.outcome === o; }), "outcome " + o + ": other outcomes shown");
      expect(card.getAttribute("aria-pressed") === "true", "outcome " + o + ": card not marked pressed");
      card.click();
      expect(visible().length === total, "outcome " + o + ": second click did not clear the filter");
    });

    all("#matrix tbody tr").forEach(function (tr) {
      var cite = tr.getAttribute("data-section");
      reset();
      tr.querySelector(".cite-link").click();
      expect(citeSel.value === cite, "spec section " + cite + ": select shows " + citeSel.value);
      var want = Number(tr.getAttribute("data-total"));
      expect(visible().length === want, "spec " + cite + ": " + visible().length + " rows shown, table says " + want);
      all("td[data-outcome]", tr).forEach(function (td) {
        var o = td.getAttribute("data-outcome");
        state.outcome = "";
        cardFor(o).click();
        var cell = Number(td.getAttribute("data-count"));
        expect(visible().length === cell, "spec " + cite + " x " + o + ": " + visible().length + " rows shown, table says " + cell);
      });
    });

    all("option", profileSel).forEach(function (opt) {
      if (!opt.value) { return; }
      reset();
      profileSel.value = opt.value;
      profileSel.dispatchEvent(new Event("change"));
      data.forEach(function (d) {
        var applies = d.anyProfile || d.profiles.indexOf(opt.value) >= 0;
        var isShown = d.row.offsetParent !== null;
        expect(isShown === applies, "profile " + opt.value + ": row " + d.key + " shown=" + isShown);
      });
    });

    if (data.length) {
      // A search field drops line breaks, so search for the ID's first word.
      reset();
      search.value = data[0].key.split(/\s/)[0];
      search.dispatchEvent(new Event("input"));
      expect(visible().indexOf(data[0]) >= 0, "search for " + search.value + " hides its row");
    }

    reset();
    byId("expand").click();
    expect(data.every(function (d) { return d.row.open; }), "expand left rows closed");
    byId("collapse").click();
    expect(data.every(function (d) { return !d.row.open; }), "collapse left rows open");

    reset();
    document.body.setAttribute("data-selftest", problems.length ? problems.join("; ") : "ok");
  }

  apply();
  if (location.hash === "#selftest") {
    try {
      selftest();
    } catch (e) {
      document.body.setAttribute("data-selftest", "selftest threw: " + e);
      throw e;
    }
  }
})();
