/* ppkg: the drawing shared by the pages' pictures (pictures.js) and the query editor's result
   views (result-views.js): a timeline with vis-timeline, a network with Cytoscape.js, a bar
   chart with Chart.js. Each takes plain data — items, nodes and edges — and a container, and
   returns the library's object. Labels are set as text, never as HTML; no eval. */
(function () {
  "use strict";

  var COLOURS = {
    person: "#2b4c7e", organization: "#2e8b57", event: "#d2691e", statement: "#8e44ad",
    decree: "#b03a48", document: "#b03a48", source: "#6b6b78", other: "#9a9aa6"
  };

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  // vis-timeline shows an item's title as HTML: escape what comes from the data.
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function dayAfter(iso) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  // Only this site's paths and web addresses are followed.
  function go(href) {
    if (href && (href.charAt(0) === "/" || /^https?:/i.test(href))) {
      window.location.assign(href);
    }
  }

  /* items: [{id, label, start, end?, lane?, title, href}] — an item with an end is drawn as a
     range (a year, a month), one without as a point. lanes: [label], or null for one row. */
  function timeline(container, items, lanes) {
    var data = items.map(function (item) {
      return {
        id: item.id, content: textNode(item.label), start: item.start,
        end: item.end ? dayAfter(item.end) : undefined, type: item.end ? "range" : "box",
        group: lanes ? item.lane : undefined, title: escapeHtml(item.title || item.label),
        className: "source-" + ((item.lane || 0) % 4)
      };
    });
    var options = {stack: true, orientation: "top", zoomKey: "ctrlKey", maxHeight: 440,
                   margin: {item: 6}, tooltip: {followMouse: true}};
    var drawn;
    if (lanes) {
      var groups = lanes.map(function (label, i) {
        return {id: i, content: textNode(label), className: "source-" + (i % 4)};
      });
      drawn = new window.vis.Timeline(container, new window.vis.DataSet(data),
                                      new window.vis.DataSet(groups), options);
    } else {
      drawn = new window.vis.Timeline(container, new window.vis.DataSet(data), options);
    }
    var hrefs = {};
    items.forEach(function (item) { hrefs[item.id] = item.href; });
    drawn.on("doubleClick", function (props) { go(hrefs[props.item]); });
    return drawn;
  }

  /* nodes: [{id, label, kind, href, focus, distance}], edges: [{source, target, label}].
     With a focus, rings: the focus in the middle, its neighbours around it, theirs outside. */
  function network(container, nodes, edges) {
    var elements = nodes.map(function (node) {
      return {data: {id: node.id, label: node.label, href: node.href || "",
                     focus: node.focus ? 1 : 0, colour: COLOURS[node.kind] || COLOURS.other,
                     ring: node.focus ? 3 : (node.distance === 1 ? 2 : 1)}};
    });
    var focused = nodes.some(function (node) { return node.focus; });
    edges.forEach(function (edge, i) {
      elements.push({data: {id: "edge-" + i, source: edge.source, target: edge.target,
                            label: edge.label || ""}});
    });
    var crowded = edges.length > 15; // then a line's name shows when its node is pointed at
    var cy = window.cytoscape({
      container: container,
      elements: elements,
      maxZoom: 1.5, // a network of three nodes is not drawn three times life size
      minZoom: 0.2,
      style: [
        {selector: "node", style: {
          "background-color": "data(colour)", "label": "data(label)", "font-size": 10,
          "color": "#2a2a33", "text-wrap": "ellipsis", "text-max-width": 140,
          "text-valign": "bottom", "text-margin-y": 3, "width": 14, "height": 14,
          "text-background-color": "#ffffff", "text-background-opacity": 0.7,
          "text-background-padding": 1
        }},
        {selector: "node[focus = 1]", style: {
          "width": 28, "height": 28, "font-size": 13, "font-weight": "bold",
          "border-width": 3, "border-color": "#f0c36d"
        }},
        {selector: "edge", style: {
          "width": 1.2, "line-color": "#b9b9c6", "curve-style": "bezier",
          "target-arrow-shape": "triangle", "target-arrow-color": "#b9b9c6", "arrow-scale": 0.7,
          "label": crowded ? "" : "data(label)", "font-size": 8, "color": "#6b6b78",
          "text-rotation": "autorotate", "text-background-color": "#ffffff",
          "text-background-opacity": 0.85
        }},
        {selector: "edge.near, edge:selected", style: {
          "line-color": "#2b4c7e", "target-arrow-color": "#2b4c7e", "label": "data(label)",
          "z-index": 10
        }}
      ],
      layout: focused ? {
        name: "concentric", animate: false, padding: 20, minNodeSpacing: 40,
        concentric: function (node) { return node.data("ring"); },
        levelWidth: function () { return 1; }
      } : {name: "cose", animate: false, nodeDimensionsIncludeLabels: true, padding: 20}
    });
    cy.on("tap", "node", function (event) { go(event.target.data("href")); });
    cy.on("mouseover", "node", function (event) { event.target.connectedEdges().addClass("near"); });
    cy.on("mouseout", "node", function (event) { event.target.connectedEdges().removeClass("near"); });
    return cy;
  }

  /* labels: [text], series: [{label, values: [number]}] */
  function barChart(canvas, labels, series) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {labels: labels, datasets: series.map(function (s) {
        return {label: s.label, data: s.values};
      })},
      options: {animation: false, responsive: true, maintainAspectRatio: false,
                indexAxis: labels.length > 12 ? "y" : "x"}
    });
  }

  window.ppkgDraw = {COLOURS: COLOURS, timeline: timeline, network: network, barChart: barChart};
}());
