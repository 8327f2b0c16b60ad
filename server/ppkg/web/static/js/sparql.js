/* ppkg: the query editor at /sparql — YASGUI (vendored, @zazuko/yasgui) set up with this
   endpoint, ppkg's prefixes, the catalog's queries as examples, and result views for timelines,
   networks and charts (result-views.js). Its settings are the page's JSON block. Nothing is
   asked of another host: YASQE's class and property completers (they query
   lov.linkeddata.es) are switched off, and the endpoint list offers this endpoint only.
   Without JavaScript the page keeps its plain form. */
(function () {
  "use strict";

  var root = document.getElementById("editor");
  var Yasgui = window.Yasgui;
  if (!root || !Yasgui) { return; }
  var settings = JSON.parse(document.getElementById("editor-settings").textContent);
  var endpoint = new URL(settings.endpoint, window.location.href).href;

  Yasgui.defaults.yasqe.autocompleters = Yasgui.defaults.yasqe.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  // ppkg's prefixes among those the editor completes after PREFIX and declares by itself when one
  // is used undeclared (the others come from the list inside the bundle).
  var builtin = Yasgui.Yasqe.Autocompleters.prefixes;
  var ours = Object.keys(settings.prefixes).map(function (name) {
    return name + ": <" + settings.prefixes[name] + ">";
  });
  Yasgui.Yasqe.registerAutocompleter(Object.assign({}, builtin, {
    bulk: false, // asked each time: no list kept in the browser's storage goes stale
    persistenceId: null,
    get: function (yasqe, token) {
      var typed = token ? (token.autocompletionString || token.string || "").trim() : "";
      return builtin.get(yasqe).then(function (bundled) {
        return ours.concat(bundled.filter(function (line) {
          return !(line.split(":")[0] in settings.prefixes);
        })).filter(function (line) { return line.indexOf(typed) === 0; });
      });
    }
  }));
  window.ppkgResultViews.register(Yasgui.Yasr, {
    prefixes: settings.prefixes, dataBase: settings.dataBase,
    root: window.location.pathname.replace(/\/sparql$/, "")
  });

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: endpoint, method: "POST"},
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }},
    persistenceId: "ppkg-query-editor",
    yasqe: {value: settings.query},
    yasr: {pluginOrder: ["table", "timeline", "network", "chart", "response"],
           prefixes: settings.prefixes}
  });
  document.getElementById("plain-form").hidden = true;

  // --- row limit: say so in the results when the server cut them ---------------------------------

  // The endpoint says it in a header (X-PPKG-Truncated), and may say it in the SPARQL JSON head
  // as a link; either is enough.
  function truncated(response) {
    if (!response || !response.headers) { return false; }
    if ((response.headers.get("X-PPKG-Truncated") || "").toLowerCase() === "true") { return true; }
    try {
      var head = JSON.parse(response.content).head || {};
      return (head.link || []).some(function (link) { return /truncat/i.test(String(link)); });
    } catch (e) {
      return false;
    }
  }

  function showNotice(tab) {
    var yasr = tab.getYasr();
    var old = yasr.rootEl.querySelector(".ppkg-truncated");
    if (old) { old.remove(); }
    if (!tab.ppkgTruncated) { return; }
    var notice = document.createElement("p");
    notice.className = "ppkg-truncated";
    notice.setAttribute("role", "status");
    notice.textContent = "Cut at the server's row limit (" + settings.rowLimit + " rows): more rows " +
      "match this query than are shown. Narrow it, or page through it with ORDER BY, LIMIT and OFFSET.";
    yasr.rootEl.insertBefore(notice, yasr.resultsEl);
  }

  function watch(tab) {
    if (tab.ppkgWatched) { return; }
    tab.ppkgWatched = true;
    tab.getYasqe().on("queryResponse", function (yasqe, response) {
      tab.ppkgTruncated = truncated(response);
    });
    tab.getYasr().on("drawn", function () { showNotice(tab); });
  }

  yasgui.on("query", function (instance, tab) { watch(tab); });
  watch(yasgui.getTab());

  // --- examples: the catalog's queries, each opened in a tab of its own and run -------------------

  var examples = document.getElementById("examples");
  if (examples) {
    examples.hidden = false;
    examples.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-example]");
      if (!button) { return; }
      var example = settings.examples[Number(button.getAttribute("data-example"))];
      var tab = yasgui.addTab(true, {name: example.title});
      tab.setQuery(example.query);
      watch(tab);
      tab.getYasqe().query();
    });
  }
  root.setAttribute("data-ready", "true");
  window.ppkgEditor = yasgui;
}());
