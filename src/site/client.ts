/** The page's own script (plain ES2017 in a string, so that its bytes do not depend on how the
 * TypeScript around it is compiled). It embeds the charts with vega-embed, fills the curve picker
 * and opens a run's detail on demand; window.__site tells a test what rendered. */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('site-data').textContent);
  var site = (window.__site = { views: {}, errors: [] });
  var opts = { renderer: 'svg', actions: false, mode: 'vega' };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }
  function embed(el, spec) {
    return vegaEmbed(el, spec, opts).then(function (r) {
      el.setAttribute('data-rendered', '1');
      if (el.id) site.views[el.id] = r.view;
      return r.view;
    }).catch(function (e) {
      site.errors.push(String(e));
      el.textContent = 'chart failed: ' + e;
      throw e;
    });
  }
  /** a copy of a compiled spec with its named data set holding rows (no empty first render) */
  function withData(spec, name, rows) {
    var copy = JSON.parse(JSON.stringify(spec));
    copy.data.forEach(function (d) { if (d.name === name) d.values = rows; });
    return copy;
  }
  function replace(view, name, rows) {
    return view.change(name, vega.changeset().remove(function () { return true; }).insert(rows)).runAsync();
  }
  var pending = [];
  Object.keys(data.charts).forEach(function (id) {
    if (id === 'chart-run' || id === 'chart-curves') return;
    var el = document.getElementById(id);
    if (!el) return;
    pending.push(embed(el, data.charts[id]).then(function (view) {
      if (id.indexOf('chart-heatmap-') === 0)
        view.addEventListener('click', function (ev, item) {
          if (item && item.datum && item.datum.run) location.hash = 'run-' + item.datum.run;
        });
    }));
  });

  var curvesEl = document.getElementById('chart-curves');
  if (curvesEl && data.charts['chart-curves']) {
    var boxes = Array.prototype.slice.call(document.querySelectorAll('#curve-picker input[type=checkbox]'));
    var picked = function () {
      var titles = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      return data.curves.filter(function (p) { return titles.indexOf(p.experiment) >= 0; });
    };
    pending.push(embed(curvesEl, withData(data.charts['chart-curves'], 'curves', picked())).then(function (view) {
      function update() { return replace(view, 'curves', picked()); }
      boxes.forEach(function (b) { b.addEventListener('change', update); });
      var all = document.getElementById('curve-all');
      var none = document.getElementById('curve-none');
      if (all) all.addEventListener('click', function () { boxes.forEach(function (b) { b.checked = true; }); update(); });
      if (none) none.addEventListener('click', function () { boxes.forEach(function (b) { b.checked = false; }); update(); });
    }));
  }

  function table(pairs) {
    return '<table class="facts">' + pairs.map(function (p) { return '<tr><th>' + esc(p[0]) + '</th><td>' + p[1] + '</td></tr>'; }).join('') + '</table>';
  }
  function num(x, d) { return typeof x === 'number' ? x.toFixed(d) : esc(x); }
  function detailHtml(run) {
    var h = '';
    if (run.problems.length) h += '<ul class="problems">' + run.problems.map(function (p) { return '<li>' + esc(p) + '</li>'; }).join('') + '</ul>';
    if (run.verify) {
      h += '<h4>verify</h4>';
      if (run.verify.status === 'pass') h += '<p class="pass">pass: the local result matches ' + esc(run.golden.file) + '</p>';
      else if (run.verify.status === 'no golden') h += '<p>no golden to compare with (' + esc(run.golden.file) + ')</p>';
      else h += '<p class="fail">FAIL against ' + esc(run.golden.file) + '</p><div class="scroll"><table class="diffs"><tr><th>metric</th><th>ours</th><th>golden</th><th>tolerance</th><th>why</th></tr>' +
        run.verify.differences.map(function (d) {
          return '<tr><td><code>' + esc(d.pointer) + '</code></td><td>' + esc(JSON.stringify(d.actual)) + '</td><td>' + esc(JSON.stringify(d.expected)) + '</td><td>' + (d.allowed === undefined ? 'equal' : '± ' + esc(d.allowed)) + '</td><td>' + esc(d.reason) + '</td></tr>';
        }).join('') + '</table></div>';
    }
    run.figureDiffs.forEach(function (f) { h += '<figure><img class="diff" alt="pixel diff ' + esc(f.file) + '" src="' + f.src + '"><figcaption>' + esc(f.file) + ' (red: differing pixels, from the last verify)</figcaption></figure>'; });
    if (run.curves.testAcc.length) h += '<h4>curves</h4><div class="chart run-chart"></div>';
    if (run.best) h += table([['best train acc', num(run.best.bestTrainAcc, 2)], ['best test acc', num(run.best.bestTestAcc, 2)], ['best test loss', num(run.best.bestTestLoss, 4)], ['shown from', esc(run.source)]]);
    if (run.misclassified) {
      var m = run.misclassified;
      h += '<h4>misclassified digits</h4><p>' + m.count + ' test images misclassified at epoch ' + m.epoch + '; the first ' + m.samples.length + ':</p><div class="digits">';
      h += m.samples.map(function (t) {
        var s = { index: t[0], actual: t[1], predicted: t[2] };
        var at = data.digits.at ? data.digits.at[String(s.index)] : undefined;
        var img = at === undefined ? '<span class="digit missing"></span>' :
          '<span class="digit" style="background-position:-' + (at % data.digits.columns) * 56 + 'px -' + Math.floor(at / data.digits.columns) * 56 + 'px"></span>';
        return '<figure class="tile">' + img + '<figcaption>#' + s.index + ': ' + s.actual + ' → <b>' + s.predicted + '</b></figcaption></figure>';
      }).join('') + '</div>';
      if (data.digits.why) h += '<p>digits not shown: ' + esc(data.digits.why) + '</p>';
    }
    h += '<h4>facts</h4>';
    if (run.facts) {
      var f = run.facts;
      h += table([['backend', esc(f.backend) + ' (' + f.threads + ' thread(s))'], ['CPU', esc(f.cpu)], ['node', esc(f.node) + ' on ' + esc(f.platform)], ['time', num(f.wallSeconds, 1) + ' s (' + Math.round(f.imagesPerSec) + ' images/s)'], ['commit', esc(f.gitCommit || '–')],
        ['versions', Object.keys(f.versions).sort().map(function (k) { return esc(k) + ' ' + esc(f.versions[k]); }).join(', ')]]);
    } else h += '<p>no local facts (timings and host facts are kept beside a local result in results/, never in goldens)</p>';
    h += '<h4>golden</h4>' + table([['file', '<code>' + esc(run.golden.file) + '</code>'], ['state', esc(run.golden.state)]].concat(run.golden.specFingerprint ? [['spec fingerprint', '<code>' + esc(run.golden.specFingerprint) + '</code>'], ['weights sha256', '<code>' + esc(run.golden.weightsSha256) + '</code>'], ['dataset sha256', '<code>' + esc(run.golden.datasetSha256) + '</code>']] : []));
    return h;
  }
  function fill(details) {
    if (details.getAttribute('data-filled')) return;
    details.setAttribute('data-filled', '1');
    var run = data.runs[details.getAttribute('data-run')];
    var box = details.querySelector('.detail');
    box.innerHTML = detailHtml(run);
    var chart = box.querySelector('.run-chart');
    if (chart) {
      var rows = [];
      Object.keys(run.curves).forEach(function (k) { run.curves[k].forEach(function (v, i) { rows.push({ metric: k, epoch: i + 1, value: v }); }); });
      embed(chart, withData(data.charts['chart-run'], 'epochs', rows));
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll('details.run'), function (d) {
    d.addEventListener('toggle', function () { if (d.open) fill(d); });
  });
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf('run-') !== 0) return;
    var d = document.getElementById(id);
    if (!d) return;
    d.open = true;
    fill(d);
    d.scrollIntoView();
  }
  window.addEventListener('hashchange', openHash);
  openHash();
  Promise.all(pending).then(function () { document.body.setAttribute('data-charts', 'ready'); }, function () { document.body.setAttribute('data-charts', 'failed'); });
})();
`;
