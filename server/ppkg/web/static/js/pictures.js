/* ppkg: draws a page's pictures over their plain HTML lists (draw.js does the drawing). Each
   [data-picture] element holds its data in a JSON block — the same document as the picture's
   JSON twin; without JavaScript the lists are the page. No inline script, no eval: it runs
   under a CSP of script-src 'self'. The drawn picture is kept on its element
   (element.ppkgPicture) for whoever wants to ask it things. */
(function () {
  "use strict";

  var MAX_LANES = 8; // one row per source up to this many; past it, one row for all

  function readData(el) {
    var block = el.querySelector('script[type="application/json"]');
    return block ? JSON.parse(block.textContent) : null;
  }

  // Dated claims only: an event no source dates is never put on the axis (it stays in the list).
  function timelineItems(data, laneOf) {
    var items = [];
    data.events.forEach(function (event, i) {
      event.claims.forEach(function (claim, j) {
        if (!claim.when || !claim.when.start) { return; }
        var said = claim.when.text + (claim.wording ? " (\u201c" + claim.wording + "\u201d)" : "");
        items.push({
          id: i + "-" + j, label: event.label, start: claim.when.start,
          // a year or a month is drawn as the whole year or month, never as a day in it
          end: claim.when.precision === "day" ? null : claim.when.end,
          lane: laneOf[claim.source.iri] || 0, href: event.href,
          title: event.label + " \u2014 " + said + " \u2014 according to " + claim.source.label
        });
      });
    });
    return items;
  }

  function drawTimeline(el) {
    var data = readData(el);
    var canvas = el.querySelector(".canvas");
    if (!data || !canvas || !window.vis) { return; }
    var lanes = data.lanes || [];
    var laneOf = {};
    lanes.forEach(function (source, i) { laneOf[source.iri] = i; });
    var items = timelineItems(data, laneOf);
    if (!items.length) { return; }
    var grouped = lanes.length <= MAX_LANES;
    el.ppkgPicture = window.ppkgDraw.timeline(canvas, items, grouped ? lanes.map(function (s) {
      return s.label;
    }) : null);
    el.setAttribute("data-drawn", String(items.length));
  }

  function drawNetwork(el) {
    var data = readData(el);
    var canvas = el.querySelector(".canvas");
    if (!data || !canvas || !window.cytoscape || !data.nodes.length) { return; }
    el.ppkgPicture = window.ppkgDraw.network(canvas, data.nodes, data.edges);
    el.setAttribute("data-drawn", String(el.ppkgPicture.nodes().length));
  }

  function drawAll() {
    document.querySelectorAll('[data-picture="timeline"]').forEach(drawTimeline);
    document.querySelectorAll('[data-picture="network"]').forEach(drawNetwork);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());
