/*
 * Chimera dashboard: shared code of index.html (runs list) and run.html (one run, live).
 * Plain ES2017 (no optional chaining, no object spread), no build step, no modules; ECharts 5 is the only library.
 *
 * Run page data flow: the event stream (the run's journal, replayed then live) feeds plain arrays; a timer at
 * most 4 times a second turns what changed into setOption calls on charts created once. The status, fetched
 * every 2 s, gives what the journal does not have (state, workers, estimator error, best genes).
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------------------

  var $ = function (id) { return document.getElementById(id); };
  var DONE = { STOPPED: 1, FINISHED: 1, FAILED: 1 };
  var TOKEN_KEY = 'chimera-token';
  var FLUSH_MS = 250;          // at most 4 redraws a second, however fast events come (see schedule)
  var BIN_MS = 10000;          // utilisation and items/s window
  // Relative to the page (served at /ui/...), so the dashboard also works behind a path prefix.
  var ROOT = new URL('../', location.href).href;

  function api(path) { return ROOT + path; }
  function enc(s) { return encodeURIComponent(s); }

  /** Numbers as the server writes them: Jackson quotes NaN/Infinity ("NaN"), null when unknown. */
  function num(v) {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '') return Number(v);
    return NaN;
  }
  function finite(v) { return typeof v === 'number' && isFinite(v); }

  /** JSON.parse, tolerating bare NaN/Infinity (what a Java serializer may write; not JSON) as null. */
  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      // strings are matched first so that their text stays as it is
      return JSON.parse(text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, function (m) {
        return m.charAt(0) === '"' ? m : 'null';
      }));
    }
  }

  /** The control token the user gave (shared by both pages), or ''. */
  function storedToken() {
    try { return (localStorage.getItem(TOKEN_KEY) || '').trim(); } catch (e) { return ''; }
  }

  /** Keeps an input and the stored token in step (the token is also what opens the views away from loopback). */
  function bindToken(input) {
    input.value = storedToken();
    input.addEventListener('input', function () {
      try { localStorage.setItem(TOKEN_KEY, input.value); } catch (e) { /* storage off */ }
    });
  }

  /** GET as JSON; a non-2xx answer throws an Error carrying the server's "error" text and the status. */
  function getJson(url) {
    var headers = { Accept: 'application/json' };
    var token = storedToken();
    // the node serves the read-only views without a token on loopback only; elsewhere they need it too
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(url, { cache: 'no-store', headers: headers }).then(function (r) {
      return r.text().then(function (text) {
        var body = null;
        try { body = text ? parseJson(text) : null; } catch (e) { body = { error: text.slice(0, 300) }; }
        if (!r.ok) {
          var err = new Error((body && body.error) || (r.status + ' ' + r.statusText));
          err.status = r.status;
          throw err;
        }
        return body;
      });
    });
  }

  function fmtNum(v, digits) {
    v = num(v);
    if (!finite(v)) return '—';
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
    return String(Number(v.toFixed(digits === undefined ? 4 : digits)));
  }

  function fmtDuration(seconds) {
    if (!finite(seconds) || seconds < 0) return '—';
    var s = Math.round(seconds);
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + pad2(s % 60) + 's';
    var h = Math.floor(m / 60);
    if (h < 48) return h + 'h ' + pad2(m % 60) + 'm';
    return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
  }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /** Best objective values as text: one value, or "name value" pairs with 2+ objectives. */
  function fmtBest(best, objectives) {
    if (!best || !best.length) return '—';
    if (best.length === 1) return fmtNum(best[0]);
    return best.map(function (v, i) {
      var o = objectives && objectives[i];
      return (o ? o.name + ' ' : '') + fmtNum(v);
    }).join(' · ');
  }

  function budgetOf(info) { return (info && info.budget) || {}; }

  /** Progress [done, total, text]: evaluations against the evaluation budget, else generations against theirs. */
  function progressOf(status, info) {
    var b = budgetOf(info);
    var be = num(b.evaluations), bg = num(b.generations);
    var ev = num(status.evaluations);
    if (finite(be) && be > 0) return [ev, be, ev + ' / ' + be];
    if (finite(bg) && bg > 0) return [num(status.generation), bg, ev + ' (gen ' + status.generation + ' / ' + bg + ')'];
    return [ev, NaN, String(finite(ev) ? ev : '—')];
  }

  /** Remaining evaluations / evaluations per minute; from generations when only those are budgeted. */
  function etaOf(status, info) {
    if (!status) return '—';
    if (DONE[status.state]) return 'done';
    if (status.state === 'PAUSED') return 'paused';
    var epm = num(status.evaluationsPerMinute);
    var b = budgetOf(info);
    var ev = num(status.evaluations), be = num(b.evaluations), bg = num(b.generations);
    var remaining = NaN;
    if (finite(be) && be > 0) remaining = be - ev;
    else if (finite(bg) && bg > 0 && num(status.generation) > 0) {
      remaining = (bg - num(status.generation)) * ev / num(status.generation);
    }
    if (!finite(remaining)) return '—';
    if (remaining <= 0) return '0s';
    if (!(epm > 0)) return '—';
    return fmtDuration(remaining / epm * 60);
  }

  function setText(id, text) {
    var el = typeof id === 'string' ? $(id) : id;
    if (el && el.textContent !== text) el.textContent = text;
  }

  function stateBadge(el, state) {
    setText(el, state || '—');
    el.className = 'state state-' + String(state || 'unknown').toLowerCase();
  }

  // Long tasks (main-thread blocks > 50 ms), for the perf hook; Chromium only, harmless elsewhere.
  var longTasks = [];
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) {
        longTasks.push({ start: Math.round(e.startTime), duration: Math.round(e.duration) });
      });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* not supported */ }

  // The browser tests' hook; each page fills in what it knows.
  var hook = {
    eventsReceived: function () { return 0; },
    fitnessPoints: function () { return 0; },
    paretoPoints: function () { return 0; },
    paretoFront: function () { return 0; },
    generations: function () { return 0; },
    lastActionStatus: function () { return null; },
    ready: function () { return false; },
    runsShown: function () { return 0; },
    perf: function () { return { longTasks: longTasks.slice() }; }
  };
  window.chimeraDashboard = hook;

  function echartsMissing() {
    if (typeof window.echarts !== 'undefined') return false;
    showBanner('The chart library (vendor/echarts.min.js) did not load: charts are off.');
    return true;
  }

  /** A failed request as banner text; a 401 on a view means the node wants the token (not on its machine). */
  function failure(what, e) {
    if (e.status === 401) {
      return what + ': the node wants its control token (you are not on its machine): enter it in the token field.';
    }
    return what + ': ' + e.message;
  }

  function showBanner(text) {
    var el = $('banner');
    if (!el) return;
    setText(el, text || '');
    el.hidden = !text;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Runs list (index.html)
  // ---------------------------------------------------------------------------------------------------------

  function initIndex() {
    var infos = {};       // runId -> info; the budget does not change during a run, so fetched once
    var shown = 0, loaded = false;
    hook.runsShown = function () { return shown; };
    hook.ready = function () { return loaded; };

    function fetchInfo(id) {
      if (infos[id]) return Promise.resolve(infos[id]);
      return getJson(api('api/runs/' + enc(id) + '/info'))
        .then(function (i) { infos[id] = i; return i; })
        .catch(function () { return null; });  // shown without budget; asked again next time
    }

    function cell(tr, text, cls) {
      var td = document.createElement('td');
      if (cls) td.className = cls;
      if (text instanceof Node) td.appendChild(text); else td.textContent = text;
      tr.appendChild(td);
      return td;
    }

    function render(runs) {
      var body = $('runs-body');
      var frag = document.createDocumentFragment();
      runs.forEach(function (s) {
        var info = infos[s.runId];
        var tr = document.createElement('tr');
        var a = document.createElement('a');
        a.href = 'run.html?run=' + enc(s.runId);
        a.textContent = s.runId;
        cell(tr, a);
        var st = document.createElement('span');
        stateBadge(st, s.state);
        cell(tr, st);
        var p = progressOf(s, info);
        var wrap = document.createElement('div');
        wrap.className = 'progress';
        if (finite(p[1])) {
          var bar = document.createElement('progress');
          bar.max = p[1];
          bar.value = Math.min(p[0], p[1]);
          bar.setAttribute('aria-label', 'progress of ' + s.runId);
          wrap.appendChild(bar);
        }
        var pt = document.createElement('span');
        pt.textContent = p[2];
        wrap.appendChild(pt);
        cell(tr, wrap);
        cell(tr, fmtBest(s.best, info && info.objectives), 'num');
        cell(tr, fmtNum(s.evaluationsPerMinute, 1), 'num');
        cell(tr, etaOf(s, info), 'num');
        cell(tr, String((s.workers || []).length), 'num');
        frag.appendChild(tr);
      });
      if (!runs.length) {
        var tr = document.createElement('tr');
        var td = cell(tr, 'No run on this node yet.', 'empty');
        td.colSpan = 7;
        frag.appendChild(tr);
      }
      body.textContent = '';
      body.appendChild(frag);
      shown = runs.length;
    }

    function refresh() {
      getJson(api('api/runs'))
        .then(function (runs) {
          runs = Array.isArray(runs) ? runs : [];
          return Promise.all(runs.map(function (s) { return fetchInfo(s.runId); })).then(function () {
            render(runs);
            loaded = true;
            showBanner('');
            setText('runs-updated', 'updated ' + new Date().toLocaleTimeString());
          });
        })
        .catch(function (e) { showBanner(failure('Cannot load the runs', e)); })
        .then(function () { setTimeout(refresh, 3000); });  // after completion: slow servers get no pile-up
    }
    bindToken($('token'));
    $('token-form').addEventListener('submit', function (e) { e.preventDefault(); });
    refresh();
  }

  // ---------------------------------------------------------------------------------------------------------
  // One run (run.html)
  // ---------------------------------------------------------------------------------------------------------

  var GENE_RE = /^([^\[\]]+)\[([^\]]+)\]\.(.+)$/;   // <param>[<model alias>].<layer group>

  /** Heatmap cells of a recipe: rows = layer groups (gene order), columns = "param · model", "other" last. */
  function recipeMatrix(names, values) {
    var rows = [], cols = [], rowIx = {}, colIx = {}, cells = [], others = [];
    function ix(map, list, key) {
      if (!(key in map)) { map[key] = list.length; list.push(key); }
      return map[key];
    }
    names.forEach(function (name, i) {
      var m = GENE_RE.exec(name);
      if (!m) { others.push(i); return; }
      cells.push([ix(colIx, cols, m[1] + ' · ' + m[2]), ix(rowIx, rows, m[3]), num(values[i]), name]);
    });
    if (others.length) {
      var c = ix(colIx, cols, 'other');
      others.forEach(function (i) { cells.push([c, ix(rowIx, rows, names[i]), num(values[i]), names[i]]); });
    }
    return { rows: rows, cols: cols, cells: cells };
  }

  /** Indices of the non-dominated points (2 objectives, each maximised or minimised), sorted by objective 0. */
  function paretoFront(xs, ys, maxX, maxY) {
    var sx = maxX ? 1 : -1, sy = maxY ? 1 : -1, idx = [], i;
    for (i = 0; i < xs.length; i++) if (finite(xs[i]) && finite(ys[i])) idx.push(i);
    // best x first, ties by best y: a point is non-dominated iff its y beats every y seen before it
    idx.sort(function (a, b) { return sx * (xs[b] - xs[a]) || sy * (ys[b] - ys[a]); });
    var front = [], bestY = -Infinity;
    for (i = 0; i < idx.length; i++) {
      var y = sy * ys[idx[i]];
      if (y > bestY) { front.push(idx[i]); bestY = y; }
    }
    return front.sort(function (a, b) { return xs[a] - xs[b]; });
  }

  /** Items answered: a number, or (journal form) per objective a map of item -> result. */
  function itemsOf(e) {
    var v = e.items;
    if (typeof v === 'number') return v;
    if (v && typeof v === 'object') {
      var k = Object.keys(v)[0];
      var inner = k !== undefined ? v[k] : null;
      return inner && typeof inner === 'object' ? Object.keys(inner).length : 0;
    }
    return 0;
  }

  function initRun() {
    var asked = new URLSearchParams(location.search).get('run') || 'current';
    var runId = asked === 'current' ? null : asked;
    var info = null, status = null, firstStatus = null;
    var es = null, reopenTimer = 0, quietTimer = 0;
    var replayDone = false, readyFlag = false, chartsReady = false;
    var lastAction = null;
    var charts = {};
    var S;            // everything built from the journal; reset when a different journal shows up
    var plotted = { fitness: 0, pareto: 0, front: 0, generations: 0 };
    var perf = { firstEvent: null, lastEvent: null, flushes: 0, flushMax: 0, flushTotal: 0, fitnessAt: null, parts: {},
      setup: null };
    var recipeShown = '', yamlFor = null, yamlBusy = false;
    var estimator = [];   // [elapsed s, error], one per status fetch that has a number

    function freshState() {
      return {
        lastSeq: -1, firstTime: null, received: 0,
        // candidates in order of their "evaluated" event (evaluation number = index + 1)
        index: {}, ids: [], v0: [], v1: [], genes: [],
        fitCand: [], fitStart: [],   // ECharts rows [evaluation, objective 0, id], the row shared with rowOf
        rowOf: [],
        pending: {},                 // "scored" that arrived before its "evaluated"
        gens: [], genIndex: {},
        workers: {}, workerOrder: [],
        itemT: [], itemN: [], itemHead: 0, itemSum: 0, itemsData: [],
        controls: [], finished: null, bestId: null, best0: NaN,
        dirty: { cands: true, gens: true, workers: true, items: true }
      };
    }
    S = freshState();

    hook.eventsReceived = function () { return S.received; };
    hook.fitnessPoints = function () { return plotted.fitness; };
    hook.paretoPoints = function () { return plotted.pareto; };
    hook.paretoFront = function () { return plotted.front; };
    hook.generations = function () { return plotted.generations; };
    hook.lastActionStatus = function () { return lastAction; };
    hook.ready = function () { return readyFlag; };
    hook.perf = function () {
      return {
        firstEventMs: perf.firstEvent, lastEventMs: perf.lastEvent, flushes: perf.flushes,
        flushMaxMs: Math.round(perf.flushMax), flushTotalMs: Math.round(perf.flushTotal),
        fitnessPlottedMs: perf.fitnessAt, now: performance.now(), longTasks: longTasks.slice(),
        slowestStepMs: perf.parts, chartsSetupMs: perf.setup, events: S.received
      };
    };

    function maximize(i) {
      var o = info && info.objectives && info.objectives[i];
      return !o || o.maximize !== false;
    }
    function objName(i) {
      var o = info && info.objectives && info.objectives[i];
      return o ? o.name + (o.maximize === false ? ' ↓' : ' ↑') : 'objective ' + i;
    }

    // ---- journal events -------------------------------------------------------------------------------
    function onEvent(e) {
      if (!e || typeof e !== 'object') return;
      if (typeof e.seq === 'number') {
        if (e.seq === 0 && S.lastSeq >= 0 && e.time !== S.firstTime) resetJournal();  // another journal
        if (e.seq <= S.lastSeq) return;   // a reconnect replays everything: keep what we have
        if (e.seq === 0) S.firstTime = e.time;
        S.lastSeq = e.seq;
      }
      S.received++;
      switch (e.type) {
        case 'evaluated': onEvaluated(e); busy(e); items(e); break;
        case 'refined': busy(e); items(e); break;
        case 'model': busy(e); items(e); break;
        case 'scored': onScored(e.id, e.objectives); break;
        case 'generation': onGeneration(e); break;
        case 'control': S.controls.push({ action: e.action, at: S.ids.length }); S.dirty.cands = true; break;
        case 'finished': onFinished(e); break;
        case 'replayed': markReplayDone(); break;   // optional server marker: the replay is over
        default: break;
      }
      schedule();
    }

    function onEvaluated(e) {
      var id = e.id, o = e.objectives || [];
      var k = S.index[id];
      if (k === undefined) {
        k = S.ids.length;
        S.index[id] = k;
        S.ids.push(id);
        S.v0.push(NaN); S.v1.push(NaN);
        S.genes.push(e.genes || null);
        var row = [k + 1, null, id];
        S.rowOf.push(row);
        (id < 0 ? S.fitStart : S.fitCand).push(row);
      } else if (e.genes) {
        S.genes[k] = e.genes;
      }
      setValues(k, o);
      if (id in S.pending) { setValues(k, S.pending[id]); delete S.pending[id]; }
    }

    function onScored(id, o) {
      var k = S.index[id];
      if (k === undefined) { S.pending[id] = o || []; return; }
      setValues(k, o || []);
    }

    function setValues(k, o) {
      var a = num(o[0]), b = num(o[1]);
      S.v0[k] = a; S.v1[k] = b;
      S.rowOf[k][1] = finite(a) ? a : null;
      S.dirty.cands = true;
    }

    function onGeneration(e) {
      var g = { generation: num(e.generation), evaluations: num(e.evaluations), best: e.best || [] };
      if (g.generation in S.genIndex) S.gens[S.genIndex[g.generation]] = g;  // a resumed run tells it again
      else { S.genIndex[g.generation] = S.gens.length; S.gens.push(g); }
      S.dirty.gens = true;
    }

    function onFinished(e) {
      S.finished = e;
      S.finishedAt = performance.now();
      markReplayDone();
      // nothing follows: closing avoids the browser's reconnect replaying the whole journal every few seconds
      closeStream();
      setStream('finished (' + (e.reason || '') + (e.failed ? ', failed' : '') + ')', 'done');
    }

    /** Busy time of a worker in the window ending at this event: overlap of its work intervals with the bin. */
    function busy(e) {
      var name = e.worker;
      if (!name) return;
      var w = S.workers[name];
      if (!w) {
        w = S.workers[name] = { end: [], busy: [], data: [] };
        S.workerOrder.push(name);
        S.workerOrder.sort();   // a stable legend, whatever worker answered first
      }
      var t = num(e.time), b = (num(e.mergeMillis) || 0) + (num(e.evalMillis) || 0);
      if (!finite(t)) return;
      w.end.push(t); w.busy.push(b);
      var from = t - BIN_MS, sum = 0, late = 0;
      for (var i = w.end.length - 1; i >= 0; i--) {
        var end = w.end[i];
        if (end <= from) { if (++late > 3) break; continue; }   // tolerates a few events out of time order
        sum += Math.max(0, Math.min(end, t) - Math.max(end - w.busy[i], from));
      }
      w.data.push([t, Math.min(1, sum / BIN_MS)]);
      S.dirty.workers = true;
    }

    /** Items answered per second over the last BIN_MS, all workers (a sliding window over arrival order). */
    function items(e) {
      var n = itemsOf(e), t = num(e.time);
      if (!finite(t)) return;
      S.itemT.push(t); S.itemN.push(n); S.itemSum += n;
      while (S.itemHead < S.itemT.length && S.itemT[S.itemHead] <= t - BIN_MS) {
        S.itemSum -= S.itemN[S.itemHead++];
      }
      S.itemsData.push([t, S.itemSum / (BIN_MS / 1000)]);
      S.dirty.items = true;
    }

    function resetJournal() {
      S = freshState();
      recipeShown = '';
      yamlFor = null;
      Object.keys(charts).forEach(function (k) { if (charts[k]) charts[k].clear(); });
      setupCharts(true);
    }

    // ---- event stream -------------------------------------------------------------------------------------
    function setStream(text, cls) {
      var el = $('stream-state');
      setText(el, text);
      el.className = 'pill ' + (cls || '');
    }

    function openStream() {
      closeStream();
      setStream('connecting…', 'wait');
      // an EventSource cannot send headers: the token (needed away from loopback) goes as the node's access_token
      var token = storedToken();
      es = new EventSource(api('api/runs/' + enc(runId) + '/events') + (token ? '?access_token=' + enc(token) : ''));
      es.onopen = function () {
        setStream('live', 'ok');
        quiet();
        // a last resort for a journal whose count never matches the status and that never goes quiet
        setTimeout(markReplayDone, 15000);
      };
      es.onmessage = function (m) {
        var now = performance.now();
        if (perf.firstEvent === null) perf.firstEvent = now;
        perf.lastEvent = now;
        var e;
        try { e = parseJson(m.data); } catch (x) { return; }
        onEvent(e);
        if (!replayDone) {
          if (firstStatus && S.ids.length >= num(firstStatus.evaluations)) markReplayDone();
          else quiet();
        }
      };
      es.onerror = function () {
        if (!es) return;
        if (es.readyState === EventSource.CLOSED) {
          // the browser gave up (an HTTP error or a wrong content type): try again ourselves
          setStream('disconnected, retrying', 'bad');
          closeStream();
          reopenTimer = setTimeout(openStream, 3000);
        } else {
          setStream('reconnecting…', 'wait');   // the browser reconnects; duplicates are dropped by seq
        }
      };
    }

    function closeStream() {
      if (es) { es.close(); es = null; }
      clearTimeout(reopenTimer);
    }

    // The journal has no end-of-replay marker: the replay is taken as over once the first status's evaluations are
    // in, or the stream is quiet for a moment.
    function quiet() {
      clearTimeout(quietTimer);
      if (!replayDone) quietTimer = setTimeout(markReplayDone, 400);
    }

    function markReplayDone() {
      if (replayDone) return;
      replayDone = true;
      clearTimeout(quietTimer);
      schedule(true);
    }

    // ---- status -------------------------------------------------------------------------------------------
    function pollStatus() {
      var url = api('api/runs/' + (runId ? enc(runId) : 'current'));
      return getJson(url).then(function (s) {
        if (asked === 'current' && runId && s.runId && s.runId !== runId) {
          location.reload();   // a new run took over this node: start over with it
          return;
        }
        status = s;
        if (!firstStatus) firstStatus = s;
        if (!runId) runId = s.runId;
        showBanner(s.error ? 'Server: ' + s.error : '');
        var err = num(s.estimatorError), el = num(s.elapsedSeconds);
        if (finite(err) && finite(el)) {
          var last = estimator[estimator.length - 1];
          if (!last || last[0] !== el) { estimator.push([el, err]); updateEstimator(); }
        }
        updateHeader();
        updateWorkersTable();
        updateRecipe();
        // a run resumed after it finished: listen again (already-seen events are skipped by seq)
        if (S.finished && !es && info && (s.state === 'RUNNING' || s.state === 'PAUSED') &&
            performance.now() - S.finishedAt > 5000) {
          S.finished = null;
          openStream();
        }
      }, function (e) {
        showBanner(e.status === 404 ? 'Unknown run: ' + e.message : failure('Cannot get the status', e));
      });
    }

    function statusLoop() {
      pollStatus().then(function () { setTimeout(statusLoop, 2000); });
    }

    function loadInfo() {
      return getJson(api('api/runs/' + enc(runId) + '/info')).catch(function (e) {
        showBanner(failure('Cannot load the run description', e) + ' (retrying)');
        return new Promise(function (res) { setTimeout(res, 2000); }).then(loadInfo);
      });
    }

    // ---- header -------------------------------------------------------------------------------------------
    function updateHeader() {
      setText('run-id', runId || '…');
      var s = status;
      if (s) {
        stateBadge($('state'), s.state);
        document.title = 'Chimera · ' + (runId || '') + ' · ' + s.state;
        setText('evaluations', progressOf(s, info)[2]);
        setText('generation', String(s.generation));
        var best = s.best && s.best.length ? s.best : (finite(S.best0) ? [S.best0] : null);
        setText('best', fmtBest(best, info && info.objectives));
        setText('eta', etaOf(s, info));
        setText('epm', fmtNum(s.evaluationsPerMinute, 1));
        setText('elapsed', fmtDuration(num(s.elapsedSeconds)));
        setText('items', finite(num(s.items)) ? num(s.items).toLocaleString() : '—');
        var reason = s.finishReason ? 'finished: ' + s.finishReason : '';
        setText('finish-reason', reason);
      }
      setText('journal-count', S.received.toLocaleString());
    }

    function updateMeta() {
      var parts = [];
      if (info.algorithm) parts.push(info.algorithm);
      parts.push((info.objectives || []).map(function (o, i) { return objName(i); }).join(', '));
      var models = info.models || {};
      var m = Object.keys(models).map(function (k) { return k + ' = ' + models[k]; });
      if (m.length) parts.push(m.join(', '));
      if (info.runDir) parts.push(info.runDir);
      setText('run-meta', parts.filter(Boolean).join(' — '));
    }

    function updateWorkersTable() {
      var body = $('workers-body');
      if (!body || !status) return;
      var frag = document.createDocumentFragment();
      (status.workers || []).forEach(function (w) {
        var tr = document.createElement('tr');
        [w.id, String(w.evaluated), fmtNum(num(w.utilisation) * 100, 1) + ' %', w.refused || ''].forEach(function (t, i) {
          var td = document.createElement('td');
          td.textContent = t;
          if (i === 1 || i === 2) td.className = 'num';
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      });
      body.textContent = '';
      body.appendChild(frag);
    }

    // ---- actions ------------------------------------------------------------------------------------------
    function action(word) {
      var out = $('action-result');
      var token = $('token').value.trim();
      var buttons = ['pause', 'resume', 'stop'].map($);
      buttons.forEach(function (b) { b.disabled = true; });
      out.className = 'result wait';
      setText(out, word + '…');
      var headers = {};
      if (token) headers.Authorization = 'Bearer ' + token;
      fetch(api('runs/' + enc(runId || 'current') + '/' + word), { method: 'POST', headers: headers, body: '' })
        .then(function (r) {
          lastAction = r.status;
          return r.text().then(function (text) {
            var body = null;
            try { body = text ? parseJson(text) : null; } catch (e) { body = null; }
            if (r.ok) {
              out.className = 'result ok';
              setText(out, word + ': ' + r.status + ' — run is ' + (body && body.state ? body.state : 'updated'));
              if (body && body.runId) { status = body; updateHeader(); }
            } else {
              out.className = 'result bad';
              setText(out, word + ': ' + r.status + ' — ' + ((body && body.error) || text || r.statusText));
            }
          });
        }, function (e) {
          lastAction = 0;
          out.className = 'result bad';
          setText(out, word + ': request failed — ' + e.message);
        })
        .then(function () {
          buttons.forEach(function (b) { b.disabled = false; });
          pollStatus();
        });
    }

    function setupControls() {
      bindToken($('token'));
      ['pause', 'resume', 'stop'].forEach(function (w) {
        $(w).addEventListener('click', function () { action(w); });
      });
      $('controls').addEventListener('submit', function (e) { e.preventDefault(); });   // Enter in the token field
      $('copy-yaml').addEventListener('click', copyYaml);
    }

    // ---- recipe -------------------------------------------------------------------------------------------
    function copyYaml() {
      var pre = $('recipe-yaml'), note = $('copy-note'), text = pre.textContent;
      function fallback() {
        // no async clipboard (plain http to a remote host is not a secure context): select for Ctrl+C
        var range = document.createRange();
        range.selectNodeContents(pre);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        setText(note, ok ? 'copied' : 'selected: press Ctrl+C');
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { setText(note, 'copied'); }, fallback);
      } else {
        fallback();
      }
    }

    function fetchYaml() {
      var id = S.bestId;
      if (yamlBusy || id === null || id === yamlFor || !runId) return;
      yamlBusy = true;
      yamlFor = id;
      setText('recipe-id', 'candidate ' + id);
      getJson(api('api/runs/' + enc(runId) + '/recipe/' + enc(String(id))))
        .then(function (r) {
          var pre = $('recipe-yaml');
          pre.className = '';
          setText(pre, (r && r.yaml) || '');
        }, function (e) {
          var pre = $('recipe-yaml');
          pre.className = 'error';
          setText(pre, 'No recipe for candidate ' + id + ': ' + e.message);
        })
        .then(function () {
          yamlBusy = false;
          if (S.bestId !== yamlFor) fetchYaml();   // the best changed while we were asking
        });
    }

    /**
     * The best recipe as a heatmap: the genes of the candidate whose YAML is shown (the best by the plotted values),
     * so picture and YAML always agree; the status's best genes only before any candidate arrived.
     */
    function updateRecipe() {
      if (!charts.recipe) return;
      var names, values;
      var bg = status && status.bestGenes;
      if (S.bestId !== null && S.genes[S.index[S.bestId]]) {
        values = S.genes[S.index[S.bestId]];
        var known = (info && info.genes) || [];
        names = values.map(function (v, i) { return known[i] || 'gene ' + i; });
        $('recipe-h').textContent = 'Best recipe — candidate ' + S.bestId;
      } else if (bg && typeof bg === 'object' && Object.keys(bg).length) {
        names = Object.keys(bg);
        var order = {};
        ((info && info.genes) || []).forEach(function (g, i) { order[g] = i; });
        // gene order whatever order the server's map has; unknown names last, as they came
        names = names.map(function (n, i) { return [n in order ? order[n] : 1e9 + i, n]; })
          .sort(function (a, b) { return a[0] - b[0]; })
          .map(function (p) { return p[1]; });
        values = names.map(function (k) { return bg[k]; });
      } else {
        return;
      }
      var sig = JSON.stringify([names, values]);
      if (sig === recipeShown) return;
      recipeShown = sig;
      var m = recipeMatrix(names, values);
      var vals = m.cells.map(function (c) { return c[2]; }).filter(finite);
      var lo = vals.length ? Math.min.apply(null, vals) : 0, hi = vals.length ? Math.max.apply(null, vals) : 1;
      if (lo === hi) { lo -= 0.5; hi += 0.5; }
      var el = $('chart-recipe');
      var h = Math.max(220, m.rows.length * 28 + 80 + textWidth(m.cols) / 2) + 'px';
      if (el.style.height !== h) { el.style.height = h; charts.recipe.resize(); }
      var showLabels = m.cells.length <= 400;
      // margins from the longest labels (rows on the left, columns rotated 30° below)
      var rowW = textWidth(m.rows), colW = textWidth(m.cols);
      charts.recipe.setOption({
        grid: { left: Math.min(360, rowW + 24), bottom: Math.round(colW / 2 + 60) },
        xAxis: { data: m.cols },
        yAxis: { data: m.rows },
        visualMap: { min: lo, max: hi, text: [fmtNum(hi, 3), fmtNum(lo, 3)] },
        series: [{
          id: 'genes',
          data: m.cells.map(function (c) { return { value: [c[0], c[1], finite(c[2]) ? c[2] : '-'], name: c[3] }; }),
          label: { show: showLabels }
        }]
      });
    }

    // ---- charts -------------------------------------------------------------------------------------------
    var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    var measure = null;
    /** Widest of these labels in pixels, in the charts' 12px font. */
    function textWidth(labels) {
      if (!measure) { measure = document.createElement('canvas').getContext('2d'); measure.font = '12px ' + FONT; }
      return labels.reduce(function (w, t) { return Math.max(w, measure.measureText(t).width); }, 0);
    }

    var AXIS_NAME = { nameLocation: 'middle', nameGap: 32, nameTextStyle: { color: '#555' } };
    function base(extra) {
      return Object.assign({
        animation: false,   // redraws come several times a second: animations would only lag behind
        textStyle: { fontFamily: FONT },   // a canvas has no "inherit"
        grid: { left: 64, right: 24, top: 40, bottom: 56 },
        tooltip: { trigger: 'item', confine: true },
        legend: { top: 4, type: 'scroll' }
      }, extra);
    }

    function chart(id) {
      var el = $(id);
      var c = echarts.init(el, null, { renderer: 'canvas' });
      if (window.ResizeObserver) new ResizeObserver(function () { c.resize(); }).observe(el);
      return c;
    }

    function setupCharts(again) {
      if (echartsMissing()) return Promise.resolve();
      var steps = [];
      var o0 = objName(0), o1 = objName(1);
      var two = info && info.objectives && info.objectives.length >= 2;
      var fmtCand = function (p) {
        return (p.seriesId === 'start' ? 'start point ' : 'candidate ') + p.value[2] +
          '<br>evaluation ' + p.value[0] + '<br>' + o0 + ': ' + fmtNum(p.value[1]);
      };

      steps.push(function () {
        if (!charts.fitness) charts.fitness = chart('chart-fitness');
        charts.fitness.setOption(base({
          xAxis: Object.assign({ type: 'value', name: 'evaluation', min: 0, minInterval: 1 }, AXIS_NAME),
          yAxis: Object.assign({ type: 'value', name: o0, scale: true, nameGap: 48 }, AXIS_NAME),
          dataZoom: [{ type: 'inside', filterMode: 'none' },
            { type: 'slider', height: 16, bottom: 6, filterMode: 'none', showDataShadow: false }],
          grid: { left: 64, right: 24, top: 40, bottom: 72 },
          series: [
            { id: 'cand', name: 'candidates', type: 'scatter', large: true, largeThreshold: 2000, progressive: 0,
              symbolSize: 5, itemStyle: { color: '#5470c6', opacity: 0.6 }, data: [], tooltip: { formatter: fmtCand } },
            { id: 'start', name: 'start points', type: 'scatter', symbol: 'diamond', symbolSize: 11,
              itemStyle: { color: '#ee6666', borderColor: '#fff' }, data: [], z: 4, tooltip: { formatter: fmtCand } },
            { id: 'best', name: 'best so far', type: 'line', step: 'end', showSymbol: false, sampling: 'lttb',
              lineStyle: { width: 2, color: '#3ba272' }, itemStyle: { color: '#3ba272' }, data: [], z: 3,
              tooltip: { show: false },
              markLine: { symbol: 'none', silent: true, lineStyle: { color: '#999', type: 'dashed' }, data: [] } }
          ]
        }));
      });

      steps.push(function () {
        if (!charts.generations) charts.generations = chart('chart-generations');
        charts.generations.setOption(base({
          tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return fmtNum(v); } },
          xAxis: Object.assign({ type: 'value', name: 'generation', minInterval: 1, scale: true }, AXIS_NAME),
          yAxis: Object.assign({ type: 'value', name: o0, scale: true, nameGap: 48 }, AXIS_NAME),
          series: [
            { id: 'max', name: 'max', type: 'line', sampling: 'lttb', showSymbol: false, lineStyle: { width: 1 }, data: [] },
            { id: 'mean', name: 'mean', type: 'line', sampling: 'lttb', showSymbol: false, lineStyle: { width: 2 }, data: [] },
            { id: 'min', name: 'min', type: 'line', sampling: 'lttb', showSymbol: false, lineStyle: { width: 1 }, data: [] },
            { id: 'gbest', name: 'best (reported)', type: 'line', sampling: 'lttb', symbol: 'circle', symbolSize: 5,
              lineStyle: { type: 'dashed', width: 2 }, data: [] }
          ]
        }));
      });

      steps.push(function () {
        $('pareto-card').hidden = !two;
        if (two) {
          if (!charts.pareto) charts.pareto = chart('chart-pareto');
          var fmtP = function (p) {
            var v = p.value;
            var who = p.seriesId === 'parents' ? 'parent ' + v[2] : (p.seriesId === 'start' ? 'start point ' : 'candidate ') + v[2];
            return who + '<br>' + o0 + ': ' + fmtNum(v[0]) + '<br>' + o1 + ': ' + fmtNum(v[1]);
          };
          charts.pareto.setOption(base({
            xAxis: Object.assign({ type: 'value', name: o0, scale: true }, AXIS_NAME),
            yAxis: Object.assign({ type: 'value', name: o1, scale: true, nameGap: 48 }, AXIS_NAME),
            tooltip: { trigger: 'item', confine: true, formatter: fmtP },
            series: [
              { id: 'all', name: 'candidates', type: 'scatter', large: true, largeThreshold: 2000, progressive: 0,
                symbolSize: 4, itemStyle: { color: '#91a7d8', opacity: 0.6 }, data: [] },
              { id: 'front', name: 'non-dominated', type: 'line', symbol: 'circle', symbolSize: 7, showSymbol: true,
                lineStyle: { color: '#ee6666', width: 2 }, itemStyle: { color: '#ee6666' }, data: [], z: 3 },
              { id: 'start', name: 'start points', type: 'scatter', symbol: 'diamond', symbolSize: 12,
                itemStyle: { color: '#fac858', borderColor: '#555' }, z: 4, data: [],
                label: { show: true, position: 'right', fontSize: 11, formatter: function (p) { return 'start ' + p.value[2]; } } },
              { id: 'parents', name: 'parents', type: 'scatter', symbol: 'triangle', symbolSize: 13,
                itemStyle: { color: '#73c0de', borderColor: '#333' }, z: 5, data: [],
                label: { show: true, position: 'top', fontSize: 11, formatter: function (p) { return p.value[2]; } } }
            ]
          }));
        }
      });

      steps.push(function () {
        if (!charts.workers) charts.workers = chart('chart-workers');
        charts.workers.setOption(base({
          tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return fmtNum(v * 100, 1) + ' %'; } },
          xAxis: { type: 'time' },
          yAxis: Object.assign({ type: 'value', name: 'utilisation', min: 0, max: 1, nameGap: 44,
            axisLabel: { formatter: function (v) { return Math.round(v * 100) + '%'; } } }, AXIS_NAME),
          series: []
        }));
      });

      steps.push(function () {
        if (!charts.items) charts.items = chart('chart-items');
        charts.items.setOption(base({
          tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return fmtNum(v, 1) + ' /s'; } },
          xAxis: { type: 'time' },
          yAxis: Object.assign({ type: 'value', name: 'items / s', nameGap: 48 }, AXIS_NAME),
          series: [{ id: 'items', name: 'items answered / s (all workers)', type: 'line', sampling: 'lttb',
            showSymbol: false, areaStyle: { opacity: 0.15 }, data: [] }]
        }));
      });

      steps.push(function () {
        if (!charts.estimator) charts.estimator = chart('chart-estimator');
        charts.estimator.setOption(base({
          tooltip: { trigger: 'axis', confine: true, valueFormatter: function (v) { return fmtNum(v); } },
          xAxis: Object.assign({ type: 'value', name: 'elapsed (s)', scale: true }, AXIS_NAME),
          yAxis: Object.assign({ type: 'value', name: 'mean abs. error', nameGap: 48 }, AXIS_NAME),
          series: [{ id: 'err', name: 'estimator error', type: 'line', sampling: 'lttb', showSymbol: true,
            symbolSize: 4, data: [] }]
        }));
      });

      steps.push(function () {
        if (!charts.recipe) charts.recipe = chart('chart-recipe');
        charts.recipe.setOption(base({
          tooltip: { trigger: 'item', confine: true, formatter: function (p) { return p.name + '<br>' + fmtNum(p.value[2]); } },
          grid: { left: 150, right: 24, top: 24, bottom: 90 },
          legend: { show: false },
          xAxis: { type: 'category', data: [], splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } },
          yAxis: { type: 'category', data: [], inverse: true, splitArea: { show: true }, axisLabel: { interval: 0 } },
          visualMap: { type: 'continuous', min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center',
            bottom: 0, itemHeight: 200, itemWidth: 10, precision: 2,
            inRange: { color: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] } },
          series: [{ id: 'genes', type: 'heatmap', data: [], label: { show: true, fontSize: 10,
            formatter: function (p) { return fmtNum(p.value[2], 2); } },
            emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }]
        }));
      });

      steps.push(function () {
        S.dirty = { cands: true, gens: true, workers: true, items: true };
        updateEstimator();
      });
      if (again) {
        steps.forEach(function (f) { f(); });
        return Promise.resolve();
      }
      // one chart per task: creating seven charts in one go would block the page for over 100 ms
      return steps.reduce(function (p, f) {
        return p.then(function () { return new Promise(function (res) { setTimeout(function () { f(); res(); }, 0); }); });
      }, Promise.resolve());
    }

    function updateEstimator() {
      if (!charts.estimator) return;
      charts.estimator.setOption({ series: [{ id: 'err', data: estimator }] });
      $('estimator-note').hidden = estimator.length > 0;
    }

    // ---- redraw (coalesced) -------------------------------------------------------------------------------
    var flushTimer = 0, flushing = false, flushNow = false, lastFlush = -Infinity, lastFlushCost = 0;
    function schedule(now) {
      if (flushing) { flushNow = flushNow || !!now; return; }   // the running redraw schedules the next one
      if (flushTimer) {
        if (!now) return;
        clearTimeout(flushTimer);
      }
      // at most 4 Hz, and slower when a redraw is costly (10k points): redraws take at most ~20% of the time;
      // right away when the replay is over, the moment the whole picture is wanted
      var gap = now ? 0 : Math.min(2000, Math.max(FLUSH_MS, 4 * lastFlushCost));
      flushTimer = setTimeout(flush, Math.max(0, gap - (performance.now() - lastFlush)));
    }

    function anyDirty() {
      var d = S.dirty;
      return d.cands || d.gens || d.workers || d.items;
    }

    /** Redraws what changed, one chart per task so that no single task blocks input for long. */
    function flush() {
      flushTimer = 0;
      if (!chartsReady) { updateHeader(); return; }   // events before the charts exist wait in the arrays
      var d = S.dirty, work = [];
      S.dirty = { cands: false, gens: false, workers: false, items: false };
      if (d.cands) {
        work.push(['fitness', drawFitness]);
        if (charts.pareto && !$('pareto-card').hidden) work.push(['pareto', drawPareto]);
      }
      if (d.cands || d.gens) work.push(['generations', drawGenerations]);
      if (d.workers) work.push(['workers', drawWorkers]);
      if (d.items) work.push(['items', function () { charts.items.setOption({ series: [{ id: 'items', data: S.itemsData }] }); }]);
      if (d.cands) work.push(['recipe', function () { fetchYaml(); updateRecipe(); }]);
      work.push(['header', updateHeader]);
      flushing = true;
      lastFlush = performance.now();
      var cost = 0, i = 0;
      (function step() {
        var t = performance.now();
        timed(work[i][0], work[i][1]);
        cost += performance.now() - t;
        if (++i < work.length) { setTimeout(step, 0); return; }
        flushing = false;
        lastFlushCost = cost;
        perf.flushes++;
        perf.flushTotal += cost;
        perf.flushMax = Math.max(perf.flushMax, cost);
        if (plotted.fitness === S.ids.length && S.ids.length) perf.fitnessAt = performance.now();
        if (replayDone && info && status && !readyFlag) {
          readyFlag = true;
          document.body.setAttribute('data-ready', 'true');
        }
        var now = flushNow;
        flushNow = false;
        if (anyDirty() || (replayDone && !readyFlag)) schedule(now);
      })();
    }

    /** Runs a redraw step and keeps its slowest time, for the perf hook. */
    function timed(name, fn) {
      var t = performance.now();
      fn();
      perf.parts[name] = Math.max(perf.parts[name] || 0, Math.round(performance.now() - t));
    }

    /** Fitness scatter and best-so-far line; also finds the best candidate (for the recipe). */
    function drawFitness() {
      var n = S.ids.length, i, best = NaN, bestId = null, max0 = maximize(0), line = [];
      var finite0 = 0;
      // best-so-far as a step line: only the points where it improves (and the last), few even for 10k candidates
      for (i = 0; i < n; i++) {
        var v = S.v0[i];
        if (!finite(v)) continue;
        finite0++;
        if (bestId === null || (max0 ? v > best : v < best)) {
          best = v; bestId = S.ids[i];
          line.push([i + 1, v]);
        }
      }
      if (n && line.length) line.push([n, best]);
      S.best0 = best;
      S.bestId = bestId;
      charts.fitness.setOption({
        series: [
          { id: 'cand', data: S.fitCand },
          { id: 'start', data: S.fitStart },
          { id: 'best', data: line, markLine: { data: controlLines().concat(parentLines()) } }
        ]
      });
      plotted.fitness = finite0;
    }

    function drawPareto() {
      var n = S.ids.length, i, all = [], start = [];
      for (i = 0; i < n; i++) {
        if (!finite(S.v0[i]) || !finite(S.v1[i])) continue;
        var p = [S.v0[i], S.v1[i], S.ids[i]];
        (S.ids[i] < 0 ? start : all).push(p);
      }
      var front = paretoFront(S.v0, S.v1, maximize(0), maximize(1)).map(function (k) { return [S.v0[k], S.v1[k], S.ids[k]]; });
      var parents = info.parents || {};
      var par = Object.keys(parents).map(function (k) {
        var v = parents[k] || [];
        return [num(v[0]), num(v[1]), k];
      }).filter(function (p) { return finite(p[0]) && finite(p[1]); });
      charts.pareto.setOption({ series: [
        { id: 'all', data: all }, { id: 'front', data: front }, { id: 'start', data: start }, { id: 'parents', data: par }
      ] });
      plotted.pareto = all.length + start.length;
      plotted.front = front.length;
    }

    /** Pause / resume / stop as vertical lines at the evaluation count they came at; one line per position. */
    function controlLines() {
      var at = {}, order = [];
      S.controls.forEach(function (c) {
        if (!(c.at in at)) { at[c.at] = []; order.push(c.at); }
        at[c.at].push(c.action);
      });
      return order.map(function (x) {
        return { xAxis: x, label: { formatter: at[x].join(' → '), color: '#666' } };
      });
    }

    /** The parents' objective 0, as horizontal reference lines on the fitness chart. */
    function parentLines() {
      var parents = (info && info.parents) || {};
      return Object.keys(parents).map(function (k) {
        var v = num((parents[k] || [])[0]);
        return finite(v) ? { yAxis: v, label: { formatter: k, position: 'insideEndTop', color: '#666' } } : null;
      }).filter(Boolean);
    }

    /** Per generation: min / mean / max of objective 0 over the evaluations it covers (from the cumulative counts). */
    function drawGenerations() {
      var gens = S.gens.slice().sort(function (a, b) { return a.evaluations - b.evaluations; });
      var mins = [], means = [], maxs = [], bests = [], prev = 0, n = S.ids.length;
      gens.forEach(function (g) {
        var end = Math.min(finite(g.evaluations) ? g.evaluations : prev, n);
        var lo = Infinity, hi = -Infinity, sum = 0, c = 0;
        for (var i = prev; i < end; i++) {
          var v = S.v0[i];
          if (!finite(v)) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          sum += v; c++;
        }
        prev = Math.max(prev, end);
        var x = g.generation;
        if (c) { mins.push([x, lo]); maxs.push([x, hi]); means.push([x, sum / c]); }
        var b = num(g.best[0]);
        if (finite(b)) bests.push([x, b]);
      });
      charts.generations.setOption({ series: [
        { id: 'max', data: maxs }, { id: 'mean', data: means }, { id: 'min', data: mins }, { id: 'gbest', data: bests }
      ] });
      plotted.generations = gens.length;
    }

    function drawWorkers() {
      charts.workers.setOption({
        series: S.workerOrder.map(function (name) {
          return { id: 'w:' + name, name: name, type: 'line', sampling: 'lttb', showSymbol: false,
            lineStyle: { width: 1.5 }, data: S.workers[name].data };
        })
      });
    }

    // ---- start --------------------------------------------------------------------------------------------
    setupControls();
    updateHeader();
    // status first: with ?run=current it names the run
    pollStatus().then(function () {
      if (!runId) {
        // no status (server down or unknown run): keep asking until there is one
        return new Promise(function (res) {
          (function again() { pollStatus().then(function () { if (runId) res(); else setTimeout(again, 2000); }); })();
        });
      }
    }).then(function () {
      setTimeout(statusLoop, 2000);
      return loadInfo();
    }).then(function (i) {
      info = i;
      showBanner(status && status.error ? 'Server: ' + status.error : '');
      updateMeta();
      openStream();   // the replay travels while the charts are being built
      var t = performance.now();
      return setupCharts(false).then(function () {
        chartsReady = !!charts.fitness;
        perf.setup = [Math.round(t), Math.round(performance.now() - t)];
        updateHeader();
        updateRecipe();
        schedule();
      });
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Page dispatch
  // ---------------------------------------------------------------------------------------------------------

  function start() {
    var page = document.body.getAttribute('data-page');
    if (page === 'runs') initIndex();
    else if (page === 'run') initRun();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
