// The page of `huashu report`: charts, tables and the transcript view, drawn from the data
// embedded above. No network: everything it needs is in this file.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("huashu-data").textContent);
  var SEVERITY_ORDER = { fatal: 0, major: 1, minor: 2, info: 3 };
  var SEVERITY_COLOR = { fatal: "#a61b1b", major: "#d64545", minor: "#e6a23c", info: "#7b8794" };
  var ROLE = { agent: "客服", customer: "客户", system: "系统", bot: "机器人" };
  var PAGE_SIZE = 50;
  var rules = {};
  D.rules.forEach(function (r) { rules[r.name] = r; });
  // Charts draw at once (no animation) under automation, so that a test or a screenshot
  // sees them whole.
  var animate = !navigator.webdriver;
  var charts = [];
  // A cell's value is either an element built for it or text.
  function isNode(v) { return v !== null && typeof v === "object" && typeof v.nodeType === "number"; }

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c == null) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function fmt(n) { return n == null ? "–" : Number(n).toLocaleString("en-US"); }
  function pct(part, whole) { return whole ? (100 * part / whole).toFixed(1) + "%" : "–"; }
  function mean(g) { return g.scored ? g.score_sum / g.scored : null; }
  function fixed(x, d) { return x == null ? "–" : x.toFixed(d == null ? 1 : d); }
  function sevChip(s) { return el("span", { class: "sev " + s, text: s }); }
  function resultOf(t) { return t.passed === true ? "pass" : t.passed === false ? "fail" : "none"; }
  function resultChip(t) {
    var r = resultOf(t);
    return el("span", { class: "result " + r, text: r === "pass" ? "合格" : r === "fail" ? "不合格" : "未评分" });
  }

  // ---- Header and totals ----
  var T = D.totals;
  var sub = [fmt(T.transcripts) + " 个会话 transcripts"];
  var dated = D.transcripts.rows.filter(function (t) { return t.started; }).map(function (t) { return t.started; }).sort();
  if (D.trend.by !== "file" && D.trend.periods.length) {
    sub.push(D.trend.periods[0].name + " – " + D.trend.periods[D.trend.periods.length - 1].name);
  } else if (dated.length) {
    sub.push(dated[0].slice(0, 10) + " – " + dated[dated.length - 1].slice(0, 10));
  }
  if (D.generated) sub.push("生成于 generated " + D.generated);
  $("subtitle").textContent = sub.join(" · ");

  var kpis = [
    ["会话 transcripts", fmt(T.transcripts), ""],
    ["通过率 pass rate", pct(T.passed, T.scored), T.scored && T.passed / T.scored >= 0.8 ? "good" : "bad"],
    ["平均分 mean score", fixed(mean(T)) + (D.full_marks !== 100 ? " / " + D.full_marks : ""), ""],
    ["不合格 failed", fmt(T.scored - T.passed), T.scored - T.passed ? "bad" : ""],
    ["问题 findings", fmt(T.findings), ""],
    ["扣分 points deducted", fmt(T.deducted), ""],
    ["未评分 not scored", fmt(D.not_scored), ""],
    ["无法读取 unreadable", fmt(D.problems.total), D.problems.total ? "bad" : ""],
  ];
  kpis.forEach(function (k) {
    $("kpis").appendChild(el("div", { class: "kpi " + k[2] }, [el("div", { class: "v", text: k[1] }), el("div", { class: "k", text: k[0] })]));
  });

  // ---- The filter: what the transcripts table lists ----
  var F = { text: "", result: "", agent: "", rule: "", from: null, to: null, period: "", dimension: "" };
  var sort = { key: "n", dir: 1 };
  var page = 0;

  function periodOf(t) {
    if (D.trend.by === "file") return t.results;
    if (!t.started) return "";
    return D.trend.by === "month" ? t.started.slice(0, 7) : t.started.slice(0, 10);
  }
  function matches(t) {
    if (F.result && resultOf(t) !== F.result) return false;
    if (F.agent && t.agent !== F.agent) return false;
    if (F.rule && !t.findings.some(function (f) { return f.rule === F.rule; })) return false;
    if (F.from != null && (t.score == null || t.score < F.from || t.score > F.to)) return false;
    if (F.period && periodOf(t) !== F.period) return false;
    if (F.dimension) {
      var d = D.dimensions.filter(function (x) { return x.name === F.dimension; })[0];
      var mine = t.dimensions.filter(function (x) { return x[0] === F.dimension; })[0];
      if (!d || !mine || mine[1] >= d.max) return false;
    }
    if (F.text) {
      var q = F.text.toLowerCase();
      var hay = [t.id, t.agent || "", t.channel || "", t.file].join(" ").toLowerCase();
      if (hay.indexOf(q) < 0 && !(t.turns || []).some(function (u) { return u.text.toLowerCase().indexOf(q) >= 0; })
        && !t.findings.some(function (f) { return (f.text || "").toLowerCase().indexOf(q) >= 0; })) return false;
    }
    return true;
  }
  function setFilter(change) {
    Object.keys(change).forEach(function (k) { F[k] = change[k]; });
    $("filter-text").value = F.text;
    $("filter-result").value = F.result;
    $("filter-agent").value = F.agent;
    $("filter-rule").value = F.rule;
    page = 0;
    drawTable();
  }
  function show(change) {
    setFilter(change);
    $("transcripts").scrollIntoView({ behavior: animate ? "smooth" : "auto" });
  }

  // ---- Charts ----
  function chart(id, option, onClick) {
    var node = $(id);
    var c = echarts.init(node, null, { renderer: "svg" });
    option.animation = animate;
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    c.setOption(option);
    if (onClick) c.on("click", onClick);
    charts.push(c);
    node.setAttribute("data-drawn", "true");
    return c;
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Scores in bands of 5 (of full marks / 20), full marks on its own.
  (function () {
    var full = D.full_marks, width = Math.max(1, Math.ceil(full / 20));
    var bands = [];
    for (var from = 0; from < full; from += width) bands.push({ from: from, to: Math.min(full, from + width) - 1, n: 0 });
    bands.push({ from: full, to: full, n: 0 });
    D.scores.forEach(function (s) {
      var at = s[0] >= full ? bands.length - 1 : Math.floor(s[0] / width);
      bands[at].n += s[1];
    });
    chart("chart-scores", {
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      tooltip: { trigger: "axis", formatter: function (p) { var b = bands[p[0].dataIndex]; return (b.from === b.to ? b.from : b.from + "–" + b.to) + " 分: " + fmt(b.n) + " 个会话"; } },
      xAxis: { type: "category", data: bands.map(function (b) { return b.from === b.to ? String(b.from) : b.from + "–" + b.to; }), axisLabel: { rotate: 45 } },
      yAxis: { type: "value", name: "会话", minInterval: 1 },
      series: [{
        type: "bar", barCategoryGap: "10%",
        data: bands.map(function (b) {
          var hue = Math.round(120 * Math.min(1, b.from / Math.max(1, full)));
          return { value: b.n, itemStyle: { color: "hsl(" + hue + ",55%,50%)" } };
        }),
      }],
    }, function (p) { var b = bands[p.dataIndex]; show({ from: b.from, to: b.to }); });
  })();

  // The trend: transcripts per period, their mean score and pass rate.
  (function () {
    var P = D.trend.periods;
    var label = { day: "per day 按日", month: "per month 按月", file: "per input file 按文件" }[D.trend.by];
    $("trend-by").textContent = label + (D.trend.undated ? " · " + fmt(D.trend.undated) + " transcripts without a start time left out" : "");
    if (P.length < 2) {
      $("chart-trend").replaceWith(el("div", { class: "empty", id: "chart-trend", "data-chart": "trend", "data-drawn": "true",
        text: P.length ? "只有一个时段：趋势需要带时间戳的会话（started_at）或多个输入文件。 One period only: a trend needs transcripts with timestamps, or several input files." : "没有数据 No data" }));
      return;
    }
    chart("chart-trend", {
      grid: { left: 48, right: 56, top: 36, bottom: 56 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: P.map(function (p) { return p.name; }), axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value", name: "会话", minInterval: 1 }, { type: "value", name: "分 / %", min: 0, max: 100 }],
      dataZoom: P.length > 31 ? [{ type: "slider", bottom: 0, height: 16 }] : [],
      series: [
        { name: "会话 transcripts", type: "bar", data: P.map(function (p) { return p.transcripts; }), itemStyle: { color: "#c3d4f5" } },
        { name: "平均分 mean", type: "line", yAxisIndex: 1, data: P.map(function (p) { var m = mean(p); return m == null ? null : +m.toFixed(1); }), itemStyle: { color: "#2f6fde" } },
        { name: "通过率 pass %", type: "line", yAxisIndex: 1, data: P.map(function (p) { return p.scored ? +(100 * p.passed / p.scored).toFixed(1) : null; }), itemStyle: { color: "#2d9d78" } },
      ],
    }, function (p) { show({ period: P[p.dataIndex].name }); });
  })();

  // Rules with the most findings.
  (function () {
    var top = D.rules.slice(0, 15).reverse();
    if (!top.length) {
      $("chart-rules").replaceWith(el("div", { class: "empty", id: "chart-rules", "data-chart": "rules", "data-drawn": "true", text: "没有问题 No findings" }));
      return;
    }
    chart("chart-rules", {
      grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { var r = top[p.dataIndex]; return escapeHtml(r.name) + "<br>" + escapeHtml(r.message) + "<br>" + fmt(r.findings) + " findings · " + fmt(r.transcripts) + " transcripts · −" + fmt(r.deducted); } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: top.map(function (r) { return r.name; }), axisLabel: { width: 190, overflow: "truncate" } },
      series: [{ type: "bar", label: { show: true, position: "right" },
        data: top.map(function (r) { return { value: r.findings, itemStyle: { color: SEVERITY_COLOR[r.severity] || "#7b8794" } }; }) }],
    }, function (p) { show({ rule: top[p.dataIndex].name }); });
  })();

  // Agents, worst pass rate first (the 30 with the most transcripts, then scroll).
  (function () {
    var A = D.agents.filter(function (a) { return a.scored; });
    if (!A.length) {
      $("chart-agents").replaceWith(el("div", { class: "empty", id: "chart-agents", "data-chart": "agents", "data-drawn": "true", text: "记录中没有坐席 No agents in the records" }));
      return;
    }
    A = A.slice().sort(function (a, b) { return b.passed / b.scored - a.passed / a.scored || a.name.localeCompare(b.name); });
    chart("chart-agents", {
      grid: { left: 8, right: 40, top: 28, bottom: 24, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) { var a = A[ps[0].dataIndex]; return escapeHtml(a.name) + "<br>" + fmt(a.transcripts) + " transcripts · pass " + pct(a.passed, a.scored) + " · mean " + fixed(mean(a)); } },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: A.map(function (a) { return a.name; }), axisLabel: { width: 120, overflow: "truncate" } },
      dataZoom: A.length > 20 ? [{ type: "slider", yAxisIndex: 0, right: 0, width: 14, startValue: A.length - 20, endValue: A.length - 1 }] : [],
      series: [
        { name: "通过率 pass %", type: "bar", data: A.map(function (a) { return +(100 * a.passed / a.scored).toFixed(1); }), itemStyle: { color: "#2d9d78" } },
        { name: "平均分 mean", type: "bar", data: A.map(function (a) { return +(100 * mean(a) / D.full_marks).toFixed(1); }), itemStyle: { color: "#2f6fde" } },
      ],
    }, function (p) { show({ agent: A[p.dataIndex].name }); });
  })();

  // Dimensions: the mean subtotal as a share of its points, and who lost points on it.
  (function () {
    var M = D.dimensions;
    if (!M.length) {
      $("chart-dimensions").replaceWith(el("div", { class: "empty", id: "chart-dimensions", "data-chart": "dimensions", "data-drawn": "true", text: "规则包没有考核维度 The pack has no scorecard" }));
      return;
    }
    chart("chart-dimensions", {
      grid: { left: 48, right: 56, top: 36, bottom: 30 },
      legend: { top: 0 },
      tooltip: { trigger: "axis", formatter: function (ps) { var d = M[ps[0].dataIndex]; return escapeHtml(d.name) + "<br>mean " + fixed(d.subtotal_sum / d.scored) + " / " + d.max + "<br>" + fmt(d.losing) + " transcripts lost points (" + pct(d.losing, d.scored) + ")"; } },
      xAxis: { type: "category", data: M.map(function (d) { return d.name; }) },
      yAxis: [{ type: "value", name: "%", min: 0, max: 100 }],
      series: [
        { name: "平均得分率 mean %", type: "bar", data: M.map(function (d) { return +(100 * d.subtotal_sum / d.scored / d.max).toFixed(1); }), itemStyle: { color: "#2f6fde" } },
        { name: "扣分会话 % losing points", type: "bar", data: M.map(function (d) { return +(100 * d.losing / d.scored).toFixed(1); }), itemStyle: { color: "#d64545" } },
      ],
    }, function (p) { show({ dimension: M[p.dataIndex].name }); });
  })();

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }

  // ---- Sortable tables of groups ----
  function groupTable(table, columns, rows, onRow) {
    var state = { key: null, dir: -1 };
    function draw() {
      var sorted = rows.slice();
      if (state.key != null) {
        var col = columns[state.key];
        sorted.sort(function (a, b) {
          var x = col.value(a), y = col.value(b);
          if (x == null) return 1; if (y == null) return -1;
          return (x < y ? -1 : x > y ? 1 : 0) * state.dir;
        });
      }
      table.textContent = "";
      table.appendChild(el("thead", null, [el("tr", null, columns.map(function (c, i) {
        var th = el("th", { class: "sort" + (c.num ? " num" : ""), text: c.title, onclick: function () {
          state.dir = state.key === i ? -state.dir : c.num ? -1 : 1; state.key = i; draw();
        } });
        if (state.key === i) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        return th;
      }))]));
      table.appendChild(el("tbody", null, sorted.map(function (r) {
        return el("tr", { class: onRow ? "click" : "", onclick: onRow ? function () { onRow(r); } : null },
          columns.map(function (c) {
            var v = c.cell ? c.cell(r) : c.value(r);
            var td = el("td", { class: c.num ? "num" : "" });
            if (isNode(v)) td.appendChild(v); else td.textContent = v == null ? "–" : c.format ? c.format(v) : v;
            return td;
          }));
      })));
    }
    draw();
  }
  var groupColumns = [
    { title: "会话 transcripts", num: true, value: function (g) { return g.transcripts; }, format: fmt },
    { title: "通过率 pass rate", num: true, value: function (g) { return g.scored ? g.passed / g.scored : null; }, format: function (v) { return (100 * v).toFixed(1) + "%"; } },
    { title: "平均分 mean", num: true, value: mean, format: function (v) { return v.toFixed(1); } },
    { title: "问题 findings", num: true, value: function (g) { return g.findings; }, format: fmt },
    { title: "扣分 points", num: true, value: function (g) { return g.deducted; }, format: fmt },
  ];
  groupTable($("channels"), [{ title: "渠道 channel", value: function (g) { return g.name || "(unknown)"; } }].concat(groupColumns), D.channels);
  groupTable($("agents"), [{ title: "坐席 agent", value: function (g) { return g.name; } }].concat(groupColumns), D.agents,
    function (g) { show({ agent: g.name }); });

  // The rules, with the change between the last two periods of the trend.
  (function () {
    var P = D.trend.periods, last = P[P.length - 1], before = P[P.length - 2];
    function rate(p, rule) { return p && p.transcripts ? 100 * (p.rules[rule] || 0) / p.transcripts : null; }
    var columns = [
      { title: "规则 rule", value: function (r) { return r.name; }, cell: function (r) { return el("code", { text: r.name }); } },
      { title: "严重度 severity", value: function (r) { return SEVERITY_ORDER[r.severity]; }, cell: function (r) { return sevChip(r.severity); } },
      { title: "维度 dimension", value: function (r) { return r.dimension; } },
      { title: "问题 findings", num: true, value: function (r) { return r.findings; }, format: fmt },
      { title: "会话 transcripts", num: true, value: function (r) { return r.transcripts; }, format: fmt },
      { title: "扣分 points", num: true, value: function (r) { return r.deducted; }, format: fmt },
    ];
    if (last && before) {
      columns.push({
        title: "每百会话 " + before.name + " → " + last.name, num: true,
        value: function (r) { var a = rate(before, r.name), b = rate(last, r.name); return a == null || b == null ? null : b - a; },
        cell: function (r) {
          var a = rate(before, r.name), b = rate(last, r.name);
          if (a == null || b == null) return "–";
          var d = b - a;
          return el("span", { class: d > 0.05 ? "up" : d < -0.05 ? "down" : "", title: "findings per 100 transcripts",
            text: a.toFixed(1) + " → " + b.toFixed(1) + (Math.abs(d) > 0.05 ? (d > 0 ? " ▲" : " ▼") : "") });
        },
      });
    }
    columns.push({ title: "说明 message", value: function (r) { return r.message; } });
    columns.push({ title: "依据 source", value: function (r) { return r.source; } });
    groupTable($("rules"), columns, D.rules, function (r) { show({ rule: r.name }); });
  })();

  // ---- The transcripts table ----
  var rows = D.transcripts.rows;
  (function () {
    var listed = fmt(rows.length) + " of " + fmt(D.transcripts.total) + " transcripts listed";
    if (rows.length < D.transcripts.total) listed += " — the " + fmt(rows.length) + " of most interest (failures, then the lowest scores); the charts count all";
    $("listed").textContent = listed;
    D.agents.forEach(function (a) { $("filter-agent").appendChild(el("option", { value: a.name, text: a.name })); });
    D.rules.forEach(function (r) { $("filter-rule").appendChild(el("option", { value: r.name, text: r.name })); });
    $("filter-text").addEventListener("input", function (e) { setFilter({ text: e.target.value.trim() }); });
    $("filter-result").addEventListener("change", function (e) { setFilter({ result: e.target.value }); });
    $("filter-agent").addEventListener("change", function (e) { setFilter({ agent: e.target.value }); });
    $("filter-rule").addEventListener("change", function (e) { setFilter({ rule: e.target.value }); });
    $("clear").addEventListener("click", function () { setFilter({ text: "", result: "", agent: "", rule: "", from: null, to: null, period: "", dimension: "" }); });
    $("prev").addEventListener("click", function () { if (page > 0) { page--; drawTable(); } });
    $("next").addEventListener("click", function () { page++; drawTable(); });
  })();

  var columns = [
    { key: "id", title: "会话ID id", value: function (t) { return t.id; } },
    { key: "started", title: "开始 started", value: function (t) { return t.started; } },
    { key: "agent", title: "坐席 agent", value: function (t) { return t.agent; } },
    { key: "channel", title: "渠道 channel", value: function (t) { return t.channel; } },
    { key: "score", title: "得分 score", num: true, value: function (t) { return t.score; } },
    { key: "result", title: "结果 result", value: function (t) { return resultOf(t); }, cell: resultChip },
    { key: "findings", title: "问题 findings", num: true, value: function (t) { return t.findings.length; } },
    { key: "deducted", title: "扣分 points", num: true, value: function (t) { return t.findings.reduce(function (s, f) { return s + f.deduct; }, 0); } },
    { key: "rules", title: "规则 rules", value: function (t) { return t.findings.length ? t.findings[0].rule : null; }, cell: function (t) {
      var seen = {}, span = el("span");
      t.findings.forEach(function (f) { if (!seen[f.rule]) { seen[f.rule] = 1; span.appendChild(el("span", { class: "chip" + (f.rule === F.rule ? " active" : ""), text: f.rule })); } });
      return span;
    } },
  ];

  function drawChips() {
    var chips = $("chips");
    chips.textContent = "";
    function chip(text, clear) {
      chips.appendChild(el("span", { class: "chip active" }, [text, el("button", { type: "button", "aria-label": "remove", text: "×", onclick: function () { setFilter(clear); } })]));
    }
    if (F.from != null) chip("得分 " + (F.from === F.to ? F.from : F.from + "–" + F.to), { from: null, to: null });
    if (F.period) chip("时段 " + F.period, { period: "" });
    if (F.dimension) chip("维度 " + F.dimension + " 扣分", { dimension: "" });
  }

  function drawTable() {
    drawChips();
    var shown = rows.filter(matches);
    var col = columns.filter(function (c) { return c.key === sort.key; })[0];
    if (col) shown.sort(function (a, b) {
      var x = col.value(a), y = col.value(b);
      if (x == null && y == null) return a.n - b.n; if (x == null) return 1; if (y == null) return -1;
      return (x < y ? -1 : x > y ? 1 : a.n - b.n) * sort.dir;
    });
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    $("count").textContent = fmt(shown.length) + " 个会话 match";
    $("page").textContent = (page + 1) + " / " + pages;
    $("prev").disabled = page === 0;
    $("next").disabled = page >= pages - 1;
    var table = $("table");
    table.textContent = "";
    table.appendChild(el("thead", null, [el("tr", null, columns.map(function (c) {
      var th = el("th", { class: "sort" + (c.num ? " num" : ""), "data-key": c.key, text: c.title, onclick: function () {
        sort.dir = sort.key === c.key ? -sort.dir : 1; sort.key = c.key; drawTable();
      } });
      if (sort.key === c.key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      return th;
    }))]));
    var body = el("tbody", { id: "rows" });
    shown.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).forEach(function (t) {
      body.appendChild(el("tr", { class: "click", "data-n": t.n, onclick: function () { open(t); } }, columns.map(function (c) {
        var td = el("td", { class: c.num ? "num" : "" });
        var v = c.cell ? c.cell(t) : c.value(t);
        if (isNode(v)) td.appendChild(v); else td.textContent = v == null ? "–" : v;
        return td;
      })));
    });
    if (!shown.length) body.appendChild(el("tr", null, [el("td", { colspan: columns.length, class: "empty", text: "没有符合筛选的会话 No transcript matches the filter" })]));
    table.appendChild(body);
  }

  // ---- The transcript view ----
  function markedText(text, marks) {
    var chars = Array.from(text);
    var cuts = [0, chars.length];
    marks.forEach(function (m) { cuts.push(Math.max(0, Math.min(chars.length, m.f.start)), Math.max(0, Math.min(chars.length, m.f.end))); });
    cuts = cuts.filter(function (c, i, all) { return all.indexOf(c) === i; }).sort(function (a, b) { return a - b; });
    var out = el("div", { class: "bubble" });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var from = cuts[i], to = cuts[i + 1], piece = chars.slice(from, to).join("");
      var over = marks.filter(function (m) { return m.f.start <= from && m.f.end >= to && m.f.end > m.f.start; });
      if (!over.length) { out.appendChild(document.createTextNode(piece)); continue; }
      var worst = over.map(function (m) { return rules[m.f.rule] ? rules[m.f.rule].severity : "major"; })
        .sort(function (a, b) { return SEVERITY_ORDER[a] - SEVERITY_ORDER[b]; })[0];
      var mark = el("mark", { class: worst, "data-finding": over.map(function (m) { return m.i; }).join(" "),
        title: over.map(function (m) { return m.f.rule + " −" + m.f.deduct; }).join("\n"), text: piece });
      mark.addEventListener("click", function (e) { flash("finding-" + e.currentTarget.getAttribute("data-finding").split(" ")[0]); });
      out.appendChild(mark);
    }
    return out;
  }
  function flash(id) {
    var node = $(id);
    if (!node) return;
    node.scrollIntoView({ block: "center", behavior: animate ? "smooth" : "auto" });
    node.classList.add("flash");
    setTimeout(function () { node.classList.remove("flash"); }, 1200);
  }
  function open(t) {
    $("detail-id").textContent = t.id;
    var meta = [t.agent && "坐席 " + t.agent, t.channel, t.started, t.file + ":" + t.line].filter(Boolean);
    $("detail-meta").textContent = meta.join(" · ");
    var dims = $("detail-dims");
    dims.textContent = "";
    t.dimensions.forEach(function (d) {
      var max = (D.dimensions.filter(function (x) { return x.name === d[0]; })[0] || {}).max;
      dims.appendChild(el("span", { class: "chip", text: d[0] + " " + d[1] + (max ? "/" + max : "") }));
    });
    var score = $("detail-score");
    score.textContent = "";
    score.appendChild(el("div", { class: "v", text: t.score == null ? "–" : String(t.score) }));
    score.appendChild(resultChip(t));
    if (t.not_scored) score.appendChild(el("div", { class: "hint", text: t.not_scored }));

    var list = $("detail-findings");
    list.textContent = "";
    var byTurn = {};
    var ordered = t.findings.map(function (f, i) { return { f: f, i: i }; });
    ordered.sort(function (a, b) { return (a.f.turn == null ? -1 : a.f.turn) - (b.f.turn == null ? -1 : b.f.turn) || a.i - b.i; });
    list.appendChild(el("h2", { text: "问题 " + t.findings.length + " findings" }));
    if (!t.findings.length) list.appendChild(el("div", { class: "empty", text: "没有问题 No findings" }));
    ordered.forEach(function (m) {
      var f = m.f, r = rules[f.rule] || {};
      if (f.turn != null) (byTurn[f.turn] = byTurn[f.turn] || []).push(m);
      var where = f.turn == null ? "整通会话 whole transcript" : "第 " + (f.turn + 1) + " 句 turn " + (f.turn + 1) + (f.text ? " · “" + f.text + "”" : "");
      list.appendChild(el("div", { class: "finding", id: "finding-" + m.i, onclick: function () { if (f.turn != null) flash("turn-" + f.turn); } }, [
        el("div", { class: "top" }, [sevChip(r.severity || "major"), el("span", { class: "rule", text: f.rule }), el("span", { class: "deduct", text: "−" + f.deduct })]),
        el("div", { class: "msg", text: r.message || "" }),
        el("div", { class: "more", text: where }),
        f.detail ? el("div", { class: "more", text: f.detail }) : null,
        r.suggest ? el("div", { class: "more" }, [el("b", { text: "建议 say instead: " }), r.suggest]) : null,
        r.source ? el("div", { class: "more" }, [el("b", { text: "依据 source: " }), r.source]) : null,
      ]));
    });

    var turns = $("detail-turns");
    turns.textContent = "";
    if (!t.turns) {
      turns.appendChild(el("div", { class: "note" }, ["这些记录不含会话内容。The records carry no turns: run ", el("code", { text: "huashu check --format json --turns" }), " to see each finding in its sentence."]));
      ordered.filter(function (m) { return m.f.text; }).forEach(function (m) {
        turns.appendChild(el("div", { class: "turn hit", id: "turn-" + m.f.turn }, [el("div", { class: "who", text: "#" + (m.f.turn + 1) }),
          markedText(m.f.text, [{ f: { rule: m.f.rule, deduct: m.f.deduct, start: 0, end: Array.from(m.f.text).length }, i: m.i }])]));
      });
    } else {
      t.turns.forEach(function (u, n) {
        var marks = (byTurn[n] || []).filter(function (m) { return m.f.start != null && m.f.end != null; });
        var who = el("div", { class: "who" }, [ROLE[u.role] || u.role, u.time != null ? el("span", { class: "t", text: clock(u.time) }) : null]);
        turns.appendChild(el("div", { class: "turn " + u.role + (byTurn[n] ? " hit" : ""), id: "turn-" + n }, [who, markedText(u.text, marks)]));
      });
    }
    $("detail").classList.add("open");
    $("detail").setAttribute("data-n", t.n);
    if (location.hash !== "#t" + t.n) history.replaceState(null, "", "#t" + t.n);
    $("detail-close").focus();
  }
  function clock(s) {
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    return (h ? h + ":" : "") + (h && m < 10 ? "0" : "") + m + ":" + (x < 10 ? "0" : "") + x;
  }
  function close() {
    $("detail").classList.remove("open");
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  }
  $("detail-close").addEventListener("click", close);
  $("detail").addEventListener("click", function (e) { if (e.target === $("detail")) close(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });

  // ---- Unreadable records ----
  if (D.problems.total) {
    $("problems").hidden = false;
    var pt = $("problem-table");
    pt.appendChild(el("thead", null, [el("tr", null, [el("th", { text: "位置 where" }), el("th", { text: "错误 error" })])]));
    pt.appendChild(el("tbody", null, D.problems.rows.map(function (p) {
      return el("tr", null, [el("td", { text: p.file + (p.line ? ":" + p.line : "") + (p.column ? ":" + p.column : "") }), el("td", { text: p.error })]);
    })));
    if (D.problems.total > D.problems.rows.length) pt.appendChild(el("caption", { text: "… and " + fmt(D.problems.total - D.problems.rows.length) + " more" }));
  }

  drawTable();
  // A link to one transcript (#t17) opens it.
  var linked = /^#t(\d+)$/.exec(location.hash);
  if (linked) {
    var t = rows.filter(function (r) { return r.n === +linked[1]; })[0];
    if (t) open(t);
  }
  document.body.setAttribute("data-ready", "true");
})();
