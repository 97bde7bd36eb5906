// kubectl-netpol report: draws the page from the JSON in #netpol-data. No network, no
// libraries; every name from the manifests is set as text, never parsed as HTML.
(function () {
  "use strict";

  var MAX_DRAWN = 200; // rows and columns drawn at most; the filters narrow the rest
  var D, M, C, GRID, ALL_PORTS;
  var U; // the units of the grouping shown: rows and columns (see units())
  var state = { fromNs: "", fromText: "", toNs: "", toText: "", hideExt: false, show: "all", groupBy: "class", pinned: null };
  var EXTERNAL = "(outside)"; // the namespace filter's value for external ranges: no namespace has parentheses
  var SEVERAL = "several namespaces"; // where a unit of members of several namespaces is drawn

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") e.textContent = v;
        else if (k === "class") e.className = v;
        else e.setAttribute(k, v === true ? "" : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function plural(n, word, words) { return n + " " + (n === 1 ? word : (words || word + "s")); }

  // ---- data -------------------------------------------------------------------------------

  function decodeGrid() {
    var g = new Int32Array(C * C), k = 0;
    for (var i = 0; i + 1 < D.grid.length; i += 2) {
      var v = D.grid[i], n = D.grid[i + 1];
      for (var j = 0; j < n && k < g.length; j++) g[k++] = v;
    }
    return g;
  }

  // The ports of a pair: a port-table entry, ALL_PORTS (loopback) or null (blank).
  function portsOf(r, c) {
    var a = M[r], b = M[c];
    if (a.ext && b.ext) return null;
    if (r === c && a.pod) return ALL_PORTS;
    return D.ports[GRID[a.cls * C + b.cls]] || D.ports[0];
  }

  // The units members are gathered into (`matrix --group-by`, see src/report/matrix/group.rs):
  // {list: [{id, short, group, n, members, nss}], of: unit of each member, order: units in
  // drawing order (by namespace, then units of several namespaces, then external ranges)}.
  // "pod" (or a document without groups) makes every member its own unit.
  function units(by) {
    var g = by !== "pod" && D.groups ? D.groups[by] : null, list = [], of = new Int32Array(M.length);
    var i;
    if (g) {
      for (i = 0; i < g.units.length; i++) list.push({ id: g.units[i].id, ns: g.units[i].ns, n: 0, members: [], nss: {} });
      for (i = 0; i < M.length; i++) { of[i] = g.of[i]; list[g.of[i]].members.push(i); }
    } else {
      for (i = 0; i < M.length; i++) { of[i] = i; list.push({ id: M[i].id, ns: M[i].ns, n: 0, members: [i], nss: {} }); }
    }
    list.forEach(function (u) {
      var first = M[u.members[0]];
      u.n = u.members.length;
      u.members.forEach(function (m) { if (!M[m].ext) u.nss[M[m].ns] = true; });
      u.group = first.ext ? EXTERNAL : u.ns ? u.ns : SEVERAL;
      u.short = u.n === 1 ? first.short : u.ns && u.id.indexOf(u.ns + "/") === 0 ? u.id.slice(u.ns.length + 1) : u.id;
    });
    var rank = function (u) { return u.group === EXTERNAL ? 2 : u.group === SEVERAL ? 1 : 0; };
    var order = list.map(function (u, k) { return k; });
    order.sort(function (a, b) {
      var x = list[a], y = list[b];
      return rank(x) - rank(y) || (x.group < y.group ? -1 : x.group > y.group ? 1 : 0) || a - b;
    });
    return { list: list, of: of, order: order };
  }

  // The two members whose cell is the cell of a pair of units: their first members, but two
  // distinct members for a unit with itself (a pod reaching itself is loopback).
  function repPair(r, c) {
    var a = U.list[r].members, b = U.list[c].members;
    return { a: a[0], b: r === c && a.length > 1 ? a[1] : b[0] };
  }

  function unitPorts(r, c) { var p = repPair(r, c); return portsOf(p.a, p.b); }

  function explanationOf(r, c) {
    var key = D.explain.mode === "class" ? M[r].cls + "," + M[c].cls : r + "," + c;
    return Object.prototype.hasOwnProperty.call(D.cells, key) ? D.cells[key] : null;
  }

  // A name can-reach accepts: the member id, or the first address of an external range.
  function cliName(m) { return m.ext ? m.cidrs[0].split("/")[0] : m.id; }

  // ---- heat map ---------------------------------------------------------------------------

  // Units in drawing order, filtered: by namespace (a unit with a member there) and by name
  // (the unit's or a member's).
  function axis(ns, text) {
    var t = text.trim().toLowerCase(), out = [];
    var named = function (id) { return id.toLowerCase().indexOf(t) >= 0; };
    U.order.forEach(function (k) {
      var u = U.list[k];
      if (u.group === EXTERNAL && state.hideExt) return;
      if (ns && !(ns === EXTERNAL ? u.group === EXTERNAL : u.nss[ns])) return;
      if (t && !named(u.id) && !u.members.some(function (m) { return named(M[m].id); })) return;
      out.push(k);
    });
    return out;
  }

  function wanted(p) {
    if (p === null) return false;
    if (state.show === "allowed") return p.level > 0;
    if (state.show === "denied") return p.level === 0;
    return true;
  }

  function visible() {
    var rows = axis(state.fromNs, state.fromText), cols = axis(state.toNs, state.toText);
    if (state.show !== "all") {
      rows = rows.filter(function (r) { return cols.some(function (c) { return wanted(unitPorts(r, c)); }); });
      cols = cols.filter(function (c) { return rows.some(function (r) { return wanted(unitPorts(r, c)); }); });
    }
    return { rows: rows, cols: cols };
  }

  function groupLabel(u) { return u.group === EXTERNAL ? "outside the cluster" : u.group; }

  // A unit's name with its member count, for titles.
  function unitTitle(u) { return u.n > 1 ? u.id + " \u2014 " + plural(u.n, "member") + " treated alike" : u.id; }

  function isPinned(r, c) { return state.pinned !== null && U.of[state.pinned.a] === r && U.of[state.pinned.b] === c; }

  function drawMatrix() {
    var v = visible();
    var rows = v.rows.slice(0, MAX_DRAWN), cols = v.cols.slice(0, MAX_DRAWN);
    var table = $("heatmap");
    table.textContent = "";
    var note = [];
    if (v.rows.length > rows.length || v.cols.length > cols.length) {
      note.push("Showing the first " + rows.length + " of " + v.rows.length + " sources and the first " +
        cols.length + " of " + v.cols.length + " destinations: narrow with the filters above.");
    }
    var grouped = U.list.filter(function (u) { return u.n > 1; }).length;
    if (grouped > 0) {
      note.push(plural(U.list.length, "row and column", "rows and columns") + " stand for " + plural(M.length, "member") +
        " (grouped by " + state.groupBy + ": members the matrix cannot tell apart share one; \u201cpod\u201d lists every member).");
    }
    if (D.explain.embedded < D.explain.wanted) {
      note.push("Explanations are embedded for " + D.explain.embedded + " of " + D.explain.wanted +
        (D.explain.mode === "class" ? " class pairs" : " pairs") +
        " (to keep the file small); for the others the panel gives the can-reach command to run.");
    }
    $("matrix-note").hidden = note.length === 0;
    $("matrix-note").textContent = note.join(" ");
    table.dataset.rows = rows.length;
    table.dataset.cols = cols.length;
    table.dataset.allRows = v.rows.length;
    table.dataset.allCols = v.cols.length;
    if (rows.length === 0 || cols.length === 0) {
      table.appendChild(el("tbody", null, [el("tr", null, [el("td", { class: "muted", text: "No pair matches the filters." })])]));
      return;
    }
    // Header: namespace groups, then member names.
    var groups = el("tr", { class: "groups" }, [el("th", { class: "corner", rowspan: 2, text: "from \u2193 \\ to \u2192" })]);
    var names = el("tr", { class: "names" });
    var start = {};
    cols.forEach(function (c, i) {
      var u = U.list[c], g = u.group;
      if (i === 0 || U.list[cols[i - 1]].group !== g) {
        var span = 1;
        while (i + span < cols.length && U.list[cols[i + span]].group === g) span++;
        // The label must not widen its columns: it wraps within them (fitNamespaceHeaders).
        groups.appendChild(el("th", { class: "ns-col", colspan: span, title: groupLabel(u) }, [el("div", { text: groupLabel(u) })]));
        start[i] = true;
      }
      names.appendChild(el("th", { class: "col" + (start[i] ? " group-start" : ""), "data-c": c, "data-n": u.n, title: unitTitle(u) }, [el("div", { text: u.short })]));
    });
    table.appendChild(el("thead", null, [groups, names]));
    var body = el("tbody");
    rows.forEach(function (r, i) {
      var u = U.list[r];
      if (i === 0 || U.list[rows[i - 1]].group !== u.group) {
        body.appendChild(el("tr", { class: "ns-head" }, [el("th", { text: groupLabel(u) }), el("td", { colspan: cols.length })]));
      }
      var tr = el("tr", { class: "hm-row", "data-r": r }, [el("th", { class: "row", "data-n": u.n, title: unitTitle(u), text: u.short })]);
      cols.forEach(function (c, j) {
        var p = unitPorts(r, c), cls = "cell";
        if (p === null) cls += " blank";
        else if (!wanted(p)) cls += " off";
        else if (p === ALL_PORTS) cls += " loop";
        else cls += " lv" + p.level;
        if (start[j]) cls += " group-start";
        if (isPinned(r, c)) cls += " pinned";
        var tip = u.id + " \u2192 " + U.list[c].id + ": " + (p === null ? "both outside the cluster" : p === ALL_PORTS ? "loopback" : p.level === 0 ? "denied" : p.text);
        tr.appendChild(el("td", { class: cls, "data-r": r, "data-c": c, title: tip }));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    fitNamespaceHeaders(table);
  }

  // A namespace label must not widen its columns, nor be cut: one that does not fit its
  // columns on one line wraps (anywhere) within them. data-cut records what the browser
  // measured, so that a test can hold the page to it.
  function fitNamespaceHeaders(table) {
    Array.prototype.forEach.call(table.querySelectorAll("th.ns-col div"), function (div) {
      if (div.scrollWidth > div.clientWidth) div.classList.add("wrap");
      div.dataset.cut = String(div.scrollWidth > div.clientWidth);
    });
  }

  function cellFrom(target) {
    var td = target && target.closest ? target.closest("td.cell") : null;
    if (!td) return null;
    return { r: +td.dataset.r, c: +td.dataset.c, td: td };
  }

  function highlight(r, c) {
    Array.prototype.forEach.call(document.querySelectorAll("#heatmap th.hl"), function (th) { th.classList.remove("hl"); });
    if (r === null) return;
    var rh = document.querySelector('#heatmap tr.hm-row[data-r="' + r + '"] th.row');
    var ch = document.querySelector('#heatmap th.col[data-c="' + c + '"]');
    if (rh) rh.classList.add("hl");
    if (ch) ch.classList.add("hl");
  }

  // Pins a pair of members (null: unpins): the cell of their units.
  function pin(pair) {
    state.pinned = pair;
    Array.prototype.forEach.call(document.querySelectorAll("#heatmap td.pinned"), function (td) { td.classList.remove("pinned"); });
    if (pair) {
      var r = U.of[pair.a], c = U.of[pair.b];
      var td = document.querySelector('#heatmap td.cell[data-r="' + r + '"][data-c="' + c + '"]');
      if (td) td.classList.add("pinned");
      showDetails(r, c);
    }
    saveHash();
  }

  // The filters and the pinned pair are kept in the address (#fromNs=shop&show=allowed&from=…),
  // so that a link or a reload opens the page as it was.
  var HASH_KEYS = ["fromNs", "fromText", "toNs", "toText", "show", "hideExt", "groupBy"];

  function saveHash() {
    var q = new URLSearchParams();
    HASH_KEYS.forEach(function (k) {
      var v = state[k];
      if (k === "show" && v === "all") return;
      if (k === "groupBy" && v === "class") return;
      if (v === true) q.set(k, "1");
      else if (v) q.set(k, v);
    });
    if (state.pinned) {
      q.set("from", M[state.pinned.a].id);
      q.set("to", M[state.pinned.b].id);
    }
    var s = q.toString();
    try { history.replaceState(null, "", s ? "#" + s : location.pathname + location.search); } catch (e) { /* some browsers refuse it on file: pages */ }
  }

  function loadHash() {
    var q = new URLSearchParams(location.hash.slice(1));
    var set = function (id, v, values) {
      if (v === null) return;
      var e = $(id);
      if (e.type === "checkbox") e.checked = v === "1";
      else if (!values || values.indexOf(v) >= 0) e.value = v;
    };
    var options = function (id) { return Array.prototype.map.call($(id).options, function (o) { return o.value; }); };
    set("from-ns", q.get("fromNs"), options("from-ns"));
    set("to-ns", q.get("toNs"), options("to-ns"));
    set("from-text", q.get("fromText"));
    set("to-text", q.get("toText"));
    set("show", q.get("show"), options("show"));
    set("hide-ext", q.get("hideExt"));
    set("group-by", q.get("groupBy"), options("group-by"));
    return { from: q.get("from"), to: q.get("to") };
  }

  // ---- details ----------------------------------------------------------------------------

  function locSpan(loc) { return loc ? el("span", { class: "loc", text: " (" + loc + ")" }) : null; }

  function policyRef(i) {
    var p = D.policies[i];
    return el("span", null, [el("code", { text: p.id }), locSpan(p.loc)]);
  }

  function joinNodes(nodes, sep) {
    var out = [];
    nodes.forEach(function (n, i) { if (i > 0) out.push(sep); out.push(n); });
    return out;
  }

  function sideBlock(s, who) {
    var dir = s.dir;
    var box = el("div", { class: "side side-" + dir });
    var verdict = s.ext ? "allowed" : !s.ok ? "denied on every port" : s.ports === "all" ? "allowed (all ports)" : "allowed on " + s.ports;
    box.appendChild(el("h4", null, [dir + " at ", el("code", { text: who }), ": ", el("span", { class: "verdict " + (s.ok ? "ok" : "no"), text: verdict })]));
    var ul = el("ul");
    if (s.ext) {
      ul.appendChild(el("li", { text: "an address outside the cluster: no policy applies there" }));
      box.appendChild(ul);
      return box;
    }
    (s.items || []).forEach(function (it) { ul.appendChild(sideItem(it)); });
    box.appendChild(ul);
    return box;
  }

  // One line of a side: what can-reach prints, as data (see side_json in src/report/html/mod.rs).
  function sideItem(it) {
    var tier = it.tier ? it.tier + " tier: " : "";
    if (it.t === "note") return el("li", { text: it.text });
    if (it.t === "iso") return el("li", { class: "isolation" }, [it.text].concat(joinNodes(it.by.map(policyRef), ", ")));
    if (it.t === "empty") return el("li", null, [tier, el("code", { text: D.policies[it.p].id }), it.text]);
    if (it.t === "more") return el("li", { class: "muted", text: "\u2026 and " + plural(it.n, "more rule") + " (see can-reach)" });
    var mark = it.mark === "ok" ? el("span", { class: "ok", text: "\u2713 " }) : it.mark === "no" ? el("span", { class: "no", text: "\u2717 " }) : "\u2192 ";
    var li = el("li", { class: "rule " + (it.mark === "ok" ? "allows" : it.misses ? "misses" : "ports") },
      [mark, tier, el("code", { text: D.policies[it.p].id + " " + it.rule }), locSpan(it.loc), ": " + it.text]);
    if (it.misses) li.appendChild(el("ul", null, it.misses.map(function (m) { return el("li", { text: m }); })));
    return li;
  }

  function isolationBlock(m, dir) {
    var box = el("div", { class: "side side-" + dir });
    box.appendChild(el("h4", null, [dir + " at ", el("code", { text: m.id })]));
    var iso = m.iso && m.iso[dir], text;
    if (m.ext) text = ["an address outside the cluster: no policy applies there"];
    else if (!iso) text = ["not isolated for " + (dir === "egress" ? "Egress" : "Ingress") + (D.summary.clusterPolicies ? " (cluster-wide policies may still decide)" : "")];
    else {
      text = ["isolated for " + (dir === "egress" ? "Egress" : "Ingress") + " by "].concat(joinNodes(iso.by.map(policyRef), ", "));
    }
    box.appendChild(el("ul", null, [el("li", null, text)]));
    return box;
  }



  // The cell of units r -> c, explained on the pinned members when they are in it, else on
  // the units' representative pair.
  function showDetails(r, c) {
    var pair = isPinned(r, c) ? state.pinned : repPair(r, c);
    var ur = U.list[r], uc = U.list[c];
    var a = M[pair.a], b = M[pair.b], p = portsOf(pair.a, pair.b);
    var box = $("details");
    box.textContent = "";
    box.dataset.from = ur.id;
    box.dataset.to = uc.id;
    box.appendChild(el("div", { class: "pin-state", text: state.pinned ? "pinned \u2014 click the cell again to unpin" : "click the cell to pin it" }));
    box.appendChild(el("h3", null, [el("code", { text: ur.id }), " \u2192 ", el("code", { text: uc.id })]));
    if (ur.n > 1 || uc.n > 1) {
      box.appendChild(el("p", { class: "muted unit-note" }, ["This cell stands for " + plural(ur.n, "source") + " \u00d7 " + plural(uc.n, "destination") +
        " that every policy treats alike; shown for ", el("code", { text: a.id }), " \u2192 ", el("code", { text: b.id }), "."]));
    }
    if (p === null) {
      box.appendChild(el("p", { class: "verdict muted", text: "Both are outside the cluster: no policy applies between them." }));
      return;
    }
    if (p === ALL_PORTS) {
      box.appendChild(el("p", { class: "verdict ok", text: "allowed on every port" }));
      box.appendChild(el("p", { text: "A pod reaching its own IP never leaves the pod: policies do not apply (loopback)." }));
      return;
    }
    box.appendChild(el("p", { class: "verdict " + (p.level ? "ok" : "no"), text: p.level === 0 ? "DENIED on every port" : p.level === 2 ? "allowed on every port" : "allowed on " + p.text }));
    var e = explanationOf(pair.a, pair.b);
    if (e && e.via && (e.via[0] !== pair.a || e.via[1] !== pair.b)) {
      box.appendChild(el("p", { class: "muted" }, ["Explained on ", el("code", { text: M[e.via[0]].id }), " \u2192 ", el("code", { text: M[e.via[1]].id }),
        ": every policy treats that pair exactly like this one (same classes), so names in the reasons are theirs."]));
    }
    if (e) {
      var src = e.via ? M[e.via[0]] : a, dst = e.via ? M[e.via[1]] : b;
      box.appendChild(sideBlock(D.sides[e.e], src.id));
      box.appendChild(sideBlock(D.sides[e.i], dst.id));
    } else {
      // Not embedded: what each side's isolation is, which does not depend on the other party.
      box.appendChild(isolationBlock(a, "egress"));
      box.appendChild(isolationBlock(b, "ingress"));
      box.appendChild(el("p", { class: "muted", text: "The rules' verdicts for this pair are not embedded in the report (it holds " +
        D.explain.embedded + " of " + D.explain.wanted + " explanations, allowed cells first); the command below gives them." }));
    }
    box.appendChild(el("code", { class: "cmd", title: "the same explanation in a terminal", text: "kubectl netpol can-reach " + cliName(a) + " " + cliName(b) + " " + D.inputs.join(" ") }));
  }

  // ---- findings ---------------------------------------------------------------------------

  function drawFindings() {
    var tbody = $("finding-table").tBodies[0];
    tbody.textContent = "";
    var note = $("findings-note");
    if (D.findings === null) {
      note.hidden = false;
      note.textContent = "Findings were not computed (--no-findings).";
      $("finding-table").hidden = true;
      $("finding-filters").hidden = true;
      return;
    }
    var sev = {};
    Array.prototype.forEach.call(document.querySelectorAll("#finding-filters input.sev"), function (i) { sev[i.value] = i.checked; });
    ["error", "warning", "info"].forEach(function (level) {
      $("count-" + level).textContent = "(" + D.findings.filter(function (f) { return f.severity === level; }).length + ")";
    });
    var t = $("finding-text").value.trim().toLowerCase();
    var shown = 0;
    D.findings.forEach(function (f) {
      if (!sev[f.severity]) return;
      var hay = (f.code + " " + f.rule + " " + f.message + " " + f.loc).toLowerCase();
      if (t && hay.indexOf(t) < 0) return;
      shown++;
      var msg = el("td", { class: "message" }, [el("div", { text: f.message })]);
      if (f.help) msg.appendChild(el("div", { class: "help", text: "help: " + f.help }));
      tbody.appendChild(el("tr", { class: "finding sev-row-" + f.severity, "data-severity": f.severity }, [
        el("td", null, [el("span", { class: "sev-" + f.severity, text: f.severity })]),
        el("td", null, [el("code", { text: f.code })]),
        el("td", null, [el("code", { text: f.rule })]),
        msg,
        el("td", { class: "where mono", text: f.loc })
      ]));
    });
    $("finding-table").dataset.shown = shown;
    note.hidden = shown > 0;
    note.textContent = D.findings.length === 0 ? "No findings: check has nothing to report." : "No finding matches the filters.";
  }

  // ---- setup ------------------------------------------------------------------------------

  function fillNamespaces(select) {
    select.appendChild(el("option", { value: "", text: "all namespaces" }));
    D.namespaces.forEach(function (ns) { select.appendChild(el("option", { value: ns, text: ns })); });
    if (M.some(function (m) { return m.ext; })) select.appendChild(el("option", { value: EXTERNAL, text: "outside the cluster" }));
  }

  // Allowed and meaningful pairs of members, counted class by class (every pair of two
  // classes has the class grid's cell; two external ranges are blank; a pod with itself is
  // loopback, allowed).
  function summary() {
    var allowed = 0, total = 0, k = [];
    for (var i = 0; i < C; i++) k.push({ all: 0, ext: 0, pod: 0 });
    M.forEach(function (m) { var x = k[m.cls]; x.all++; if (m.ext) x.ext++; if (m.pod) x.pod++; });
    for (var a = 0; a < C; a++) {
      for (var b = 0; b < C; b++) {
        var pairs = k[a].all * k[b].all - k[a].ext * k[b].ext;
        if (pairs === 0) continue;
        total += pairs;
        var lv = (D.ports[GRID[a * C + b]] || D.ports[0]).level;
        if (lv > 0) allowed += pairs;
        else if (a === b) allowed += k[a].pod;
      }
    }
    var s = D.summary, parts = [
      "inputs: " + (D.inputs.length ? D.inputs.join(" ") : "(none)"),
      plural(s.files, "file"),
      plural(s.namespaces, "namespace"),
      plural(s.endpoints, "pod or workload", "pods and workloads"),
      plural(s.externals, "external range"),
      plural(s.policies, "NetworkPolicy", "NetworkPolicies")
    ];
    if (s.clusterPolicies) parts.push(plural(s.clusterPolicies, "cluster-wide policy", "cluster-wide policies"));
    parts.push(allowed + " of " + plural(total, "pair") + " allowed");
    if (D.findings !== null) parts.push(plural(D.findings.length, "finding"));
    if (s.errors) parts.push(plural(s.errors, "input error") + " (see the command's output)");
    $("summary").textContent = parts.join(" \u00b7 ");
    $("footer").textContent = "Generated by " + D.generator + " from the manifests alone (no cluster was contacted). " +
      "This file is self-contained: it makes no network request.";
  }

  // Pins the pair named in the address: member ids (their units' cell), or else unit names
  // of the grouping shown (their representative pair).
  function pinByName(from, to) {
    var find = function (id) {
      for (var i = 0; i < M.length; i++) if (M[i].id === id) return { m: i };
      for (var u = 0; u < U.list.length; u++) if (U.list[u].id === id) return { u: u };
      return null;
    };
    var f = find(from), t = find(to);
    if (!f || !t) return;
    if (f.u !== undefined && t.u !== undefined) pin(repPair(f.u, t.u));
    else pin({ a: f.u !== undefined ? U.list[f.u].members[0] : f.m, b: t.u !== undefined ? U.list[t.u].members[0] : t.m });
  }

  function init() {
    D = JSON.parse($("netpol-data").textContent);
    M = D.members;
    C = D.summary.classes;
    GRID = decodeGrid();
    ALL_PORTS = { text: "all", short: "all", level: 2, loopback: true };
    fillNamespaces($("from-ns"));
    fillNamespaces($("to-ns"));
    summary();
    var wantedPin = loadHash();
    var read = function () {
      state.fromNs = $("from-ns").value;
      state.toNs = $("to-ns").value;
      state.fromText = $("from-text").value;
      state.toText = $("to-text").value;
      state.hideExt = $("hide-ext").checked;
      state.show = $("show").value;
      if (state.groupBy !== $("group-by").value || !U) {
        state.groupBy = $("group-by").value;
        U = units(state.groupBy);
      }
    };
    var redraw = function () {
      read();
      drawMatrix();
      if (state.pinned) showDetails(U.of[state.pinned.a], U.of[state.pinned.b]);
      saveHash();
    };
    read();
    $("filters").addEventListener("input", redraw);
    $("filters").addEventListener("change", redraw);
    $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
    $("finding-filters").addEventListener("input", drawFindings);
    $("finding-filters").addEventListener("change", drawFindings);
    $("finding-filters").addEventListener("submit", function (e) { e.preventDefault(); });
    var table = $("heatmap");
    table.addEventListener("mouseover", function (e) {
      var x = cellFrom(e.target);
      if (!x) return;
      highlight(x.r, x.c);
      if (!state.pinned) showDetails(x.r, x.c);
    });
    table.addEventListener("click", function (e) {
      var x = cellFrom(e.target);
      if (!x) return;
      if (isPinned(x.r, x.c)) {
        pin(null);
        showDetails(x.r, x.c);
      } else {
        pin(repPair(x.r, x.c));
      }
    });
    drawMatrix();
    drawFindings();
    pinByName(wantedPin.from, wantedPin.to);
    document.documentElement.dataset.rendered = "ok";
  }

  try {
    init();
  } catch (err) {
    document.documentElement.dataset.rendered = "error";
    var f = document.getElementById("failure");
    if (f) {
      f.hidden = false;
      f.textContent = "The report could not be drawn: " + err;
    }
  }
})();
