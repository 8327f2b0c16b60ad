/* ppkg: result views for YASR (the query editor's results) beyond the table — a timeline for
   rows with dates, a network for rows with two or more IRIs, a bar chart for rows with numbers.
   Registered by sparql.js before the editor starts: window.ppkgResultViews.register(Yasr, options).
   Drawing is draw.js's; this file turns SPARQL JSON rows into items, nodes and edges. */
(function () {
  "use strict";

  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var DATES = {date: "day", dateTime: "day", gYearMonth: "month", gYear: "year"};
  var NUMBERS = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
                 "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong"];
  var KINDS = [["/id/person/", "person"], ["/id/organization/", "organization"],
               ["/id/event/", "event"], ["/id/statement/", "statement"],
               ["/id/reported-speech/", "statement"], ["/id/characterisation/", "statement"],
               ["/id/document/", "decree"], ["/id/source/", "source"]];
  var MAX_NODES = 300;
  var MAX_BARS = 200;
  var options = {prefixes: {}, dataBase: "", root: ""};

  function rows(yasr) {
    return (yasr.results && yasr.results.getBindings && yasr.results.getBindings()) || [];
  }

  function variables(yasr) {
    return (yasr.results && yasr.results.getVariables && yasr.results.getVariables()) || [];
  }

  // "2019-03-16" / "2019-03" / "2019" (typed, or plain text that is one) → {start, end} days.
  function when(term) {
    if (!term || term.type !== "literal" && term.type !== "typed-literal") { return null; }
    var type = term.datatype && term.datatype.indexOf(XSD) === 0 ? term.datatype.slice(XSD.length) : "";
    if (term.datatype && !DATES[type]) { return null; }
    var m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T.*)?$/.exec(term.value.trim());
    if (!m) { return null; }
    if (m[3]) { return {start: m[1] + "-" + m[2] + "-" + m[3], end: null}; }
    if (m[2]) {
      var last = new Date(Date.UTC(+m[1], +m[2], 0)).getUTCDate();
      return {start: m[1] + "-" + m[2] + "-01", end: m[1] + "-" + m[2] + "-" + last};
    }
    return {start: m[1] + "-01-01", end: m[1] + "-12-31"};
  }

  function number(term) {
    if (!term || !term.datatype || term.datatype.indexOf(XSD) !== 0) { return null; }
    if (NUMBERS.indexOf(term.datatype.slice(XSD.length)) < 0) { return null; }
    var n = Number(term.value);
    return isFinite(n) ? n : null;
  }

  function compact(iri) {
    for (var name in options.prefixes) {
      var ns = options.prefixes[name];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length) { return name + ":" + iri.slice(ns.length); }
    }
    return iri;
  }

  // The catalog's convention: ?x beside ?xLabel. Otherwise the IRI, compacted.
  function label(row, variable) {
    var term = row[variable];
    if (!term) { return ""; }
    var named = row[variable + "Label"];
    if (named) { return named.value; }
    return term.type === "uri" ? compact(term.value) : term.value;
  }

  // This server's pages for the graph's own IRIs; other web addresses as they are.
  function href(iri) {
    if (options.dataBase && iri.indexOf(options.dataBase) === 0) {
      return options.root + "/" + iri.slice(options.dataBase.length);
    }
    return /^https?:/i.test(iri) ? iri : "";
  }

  function kindOf(iri) {
    for (var i = 0; i < KINDS.length; i++) {
      if (iri.indexOf(KINDS[i][0]) >= 0) { return KINDS[i][1]; }
    }
    return "other";
  }

  function view(yasr, kind) {
    var box = document.createElement("div");
    box.className = "yasr-view " + kind;
    var canvas = document.createElement("div");
    canvas.className = "canvas";
    box.appendChild(canvas);
    yasr.resultsEl.appendChild(box);
    return {box: box, canvas: canvas};
  }

  function note(box, text) {
    var p = document.createElement("p");
    p.className = "note";
    p.textContent = text;
    box.appendChild(p);
  }

  // A small drawing for the view's button (YASR shows it beside the label).
  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    var shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    shape.setAttribute("fill", "none");
    shape.setAttribute("stroke", "currentColor");
    shape.setAttribute("stroke-width", "1.6");
    svg.appendChild(shape);
    return svg;
  }

  // --- timeline ----------------------------------------------------------------------------------

  function dateVariable(yasr) {
    var all = rows(yasr);
    return variables(yasr).find(function (v) {
      return all.some(function (row) { return when(row[v]); });
    });
  }

  function TimelineView(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Timeline"; }
  TimelineView.prototype.canHandleResults = function () { return !!dateVariable(this.yasr); };
  TimelineView.prototype.getIcon = function () { return icon("M1 8h14M4 5v6M9 3v4M12 9v4"); };
  TimelineView.prototype.draw = function () {
    var yasr = this.yasr;
    var dateVar = dateVariable(yasr);
    var vars = variables(yasr);
    // What an item is called: the first label column, else the first other column.
    var nameVar = vars.find(function (v) { return /Label$/.test(v) && v.indexOf("source") !== 0; }) ||
      vars.find(function (v) { return v !== dateVar; });
    var laneVar = vars.indexOf("source") >= 0 ? "source" : null;
    var lanes = [];
    var laneIndex = {};
    var items = [];
    rows(yasr).forEach(function (row, i) {
      var w = when(row[dateVar]);
      if (!w) { return; }
      var lane = 0;
      if (laneVar && row[laneVar]) {
        var key = row[laneVar].value;
        if (!(key in laneIndex)) { laneIndex[key] = lanes.length; lanes.push(label(row, laneVar)); }
        lane = laneIndex[key];
      }
      var subject = nameVar && nameVar.slice(-5) === "Label" ? nameVar.slice(0, -5) : nameVar;
      items.push({
        id: i, label: label(row, nameVar) || row[dateVar].value, start: w.start, end: w.end,
        lane: lane, href: row[subject] && row[subject].type === "uri" ? href(row[subject].value) : "",
        title: vars.filter(function (v) { return row[v]; }).map(function (v) {
          return v + ": " + label(row, v);
        }).join("\n")
      });
    });
    var made = view(yasr, "timeline");
    made.box.ppkgPicture = window.ppkgDraw.timeline(made.canvas, items,
                                                    lanes.length > 1 && lanes.length <= 8 ? lanes : null);
    made.box.setAttribute("data-drawn", String(items.length));
    note(made.box, items.length + " rows dated by ?" + dateVar + (laneVar ? ", one row of the picture per ?source" : "") +
         ". A year or a month is drawn as the whole year or month. Double-click an item to open it.");
  };

  // --- network -----------------------------------------------------------------------------------

  function iriVariables(yasr) {
    var all = rows(yasr);
    return variables(yasr).filter(function (v) {
      return all.some(function (row) { return row[v] && row[v].type === "uri"; });
    });
  }

  function NetworkView(yasr) { this.yasr = yasr; this.priority = 4; this.label = "Network"; }
  NetworkView.prototype.canHandleResults = function () { return iriVariables(this.yasr).length >= 2; };
  NetworkView.prototype.getIcon = function () {
    return icon("M3 3l10 4M3 3l3 10M13 7l-7 6M3 3m-1.5 0a1.5 1.5 0 1 0 3 0a1.5 1.5 0 1 0-3 0");
  };
  NetworkView.prototype.draw = function () {
    var yasr = this.yasr;
    var vars = iriVariables(yasr);
    var nodes = {};
    var edges = {};
    var cut = false;
    function node(row, v) {
      var iri = row[v].value;
      if (!nodes[iri]) {
        if (Object.keys(nodes).length >= MAX_NODES) { cut = true; return null; }
        nodes[iri] = {id: iri, label: label(row, v), kind: kindOf(iri), href: href(iri)};
      }
      return iri;
    }
    // Each row links its first IRI to each other IRI in it, named by that column.
    rows(yasr).forEach(function (row) {
      var present = vars.filter(function (v) { return row[v] && row[v].type === "uri"; });
      if (present.length < 2) { return; }
      var from = node(row, present[0]);
      present.slice(1).forEach(function (v) {
        var to = node(row, v);
        if (from && to && from !== to) {
          edges[from + "\u0000" + v + "\u0000" + to] = {source: from, target: to, label: v};
        }
      });
    });
    var made = view(yasr, "network");
    var list = Object.keys(nodes).map(function (k) { return nodes[k]; });
    var links = Object.keys(edges).map(function (k) { return edges[k]; });
    made.box.ppkgPicture = window.ppkgDraw.network(made.canvas, list, links);
    made.box.setAttribute("data-drawn", String(list.length));
    note(made.box, list.length + " nodes, " + links.length + " links: each row links its ?" + vars[0] +
         " to its other IRIs, named by their column" + (cut ? "; cut at " + MAX_NODES + " nodes" : "") +
         ". Click a node to open it.");
  };

  // --- chart -------------------------------------------------------------------------------------

  function numberVariables(yasr) {
    var all = rows(yasr);
    return variables(yasr).filter(function (v) {
      return all.length && all.every(function (row) { return !row[v] || number(row[v]) !== null; }) &&
        all.some(function (row) { return row[v]; });
    });
  }

  function ChartView(yasr) { this.yasr = yasr; this.priority = 3; this.label = "Chart"; }
  ChartView.prototype.canHandleResults = function () {
    var numbers = numberVariables(this.yasr);
    return numbers.length >= 1 && variables(this.yasr).length > numbers.length;
  };
  ChartView.prototype.getIcon = function () { return icon("M2 14h12M4 13V8M8 13V3M12 13V6"); };
  ChartView.prototype.draw = function () {
    var yasr = this.yasr;
    var numbers = numberVariables(yasr);
    var vars = variables(yasr);
    var names = vars.filter(function (v) { return numbers.indexOf(v) < 0; });
    var nameVar = names.find(function (v) { return /Label$/.test(v); }) || names[0];
    var shown = rows(yasr).slice(0, MAX_BARS);
    var made = view(yasr, "chart");
    if (shown.length > 12) { // drawn across: a bar per row needs room (CSSOM, not a style attribute)
      made.canvas.style.height = Math.max(384, shown.length * 18 + 60) + "px";
    }
    var canvas = document.createElement("canvas");
    made.canvas.appendChild(canvas);
    made.box.ppkgPicture = window.ppkgDraw.barChart(canvas, shown.map(function (row) {
      return label(row, nameVar);
    }), numbers.map(function (v) {
      return {label: v, values: shown.map(function (row) { return number(row[v]); })};
    }));
    made.box.setAttribute("data-drawn", String(shown.length));
    if (rows(yasr).length > MAX_BARS) { note(made.box, "The first " + MAX_BARS + " rows."); }
  };

  function register(Yasr, settings) {
    options = settings;
    Yasr.registerPlugin("timeline", TimelineView);
    Yasr.registerPlugin("network", NetworkView);
    Yasr.registerPlugin("chart", ChartView);
  }

  window.ppkgResultViews = {register: register};
}());
