/* The attribution drift page: a model's baseline and current profiles side by side, with both drift scores. */
const LrpDrift = (() => {
  const ns = 'http://www.w3.org/2000/svg';
  const add = (svg, name, attributes) => {
    const element = document.createElementNS(ns, name);
    Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, String(value)));
    svg.appendChild(element);
    return element;
  };
  const title = (element, value) => {
    add(element, 'title', {}).appendChild(document.createTextNode(value));
  };

  /** Horizontal bars, one per cell with any importance in either profile, scaled to the larger maximum. */
  function bars(svg, labels, importance, shown, maximum) {
    const rowHeight = 16, labelWidth = 220, barWidth = 260;
    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 ' + (labelWidth + barWidth + 60) + ' ' + (rowHeight * shown.length + 4));
    svg.setAttribute('width', labelWidth + barWidth + 60);
    shown.forEach((cell, row) => {
      const y = row * rowHeight;
      add(svg, 'text', { x: 0, y: y + 12, 'font-size': 11 }).appendChild(document.createTextNode(labels[cell]));
      const bar = add(svg, 'rect', { x: labelWidth, y: y + 2, height: 12, fill: '#6a8fd0', class: 'profile-bar',
        width: Math.max(0.5, barWidth * importance[cell] / maximum) });
      title(bar, labels[cell] + ': ' + importance[cell].toFixed(4));
      add(svg, 'text', { x: labelWidth + barWidth + 4, y: y + 12, 'font-size': 10, fill: '#555' })
        .appendChild(document.createTextNode(importance[cell].toFixed(3)));
    });
  }

  /** A heatmap of the grid's cells, darker for more importance (same scale for both profiles). */
  function heatmap(svg, profile, importance, maximum) {
    const size = 48;
    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 ' + profile.columns * size + ' ' + profile.rows * size);
    svg.setAttribute('width', profile.columns * size);
    importance.forEach((value, cell) => {
      const shade = Math.round(255 - 200 * value / maximum);
      const rect = add(svg, 'rect', { x: (cell % profile.columns) * size, y: Math.floor(cell / profile.columns) * size,
        width: size, height: size, fill: 'rgb(' + shade + ',' + shade + ',255)', stroke: '#ccc',
        class: 'profile-cell' });
      title(rect, profile.labels[cell] + ': ' + value.toFixed(4));
    });
  }

  function draw(profile) {
    const maximum = Math.max(1e-12, ...profile.baseline.importance, ...profile.current.importance);
    const shown = profile.labels.map((label, cell) => cell)
      .filter((cell) => profile.baseline.importance[cell] > 0 || profile.current.importance[cell] > 0)
      .sort((a, b) => profile.baseline.importance[b] - profile.baseline.importance[a]);
    [['baseline-profile', profile.baseline], ['current-profile', profile.current]].forEach(([id, side]) => {
      const svg = document.getElementById(id);
      svg.dataset.events = side.events;
      if (profile.kind === 'grid') heatmap(svg, profile, side.importance, maximum);
      else bars(svg, profile.labels, side.importance, shown, maximum);
    });
  }

  function scores(profile) {
    const tbody = document.querySelector('#drift-scores tbody');
    tbody.replaceChildren();
    [['1 − nDCG', 'ndcgDrift'], ['Jensen–Shannon divergence', 'jsd']].forEach(([name, key]) => {
      const row = document.createElement('tr');
      const value = profile.scores[key];
      row.dataset.measure = key;
      if (value !== null && value > profile.thresholds[key]) row.className = 'above-threshold';
      [name, value === null ? 'no fixed baseline yet' : value.toFixed(4), profile.thresholds[key].toFixed(2)]
        .forEach((text, index) => {
          const td = document.createElement('td');
          if (index > 0) td.className = 'number';
          td.textContent = text;
          row.appendChild(td);
        });
      tbody.appendChild(row);
    });
    const source = profile.baseline.source === 'pinned' ? 'pinned' + (profile.baseline.pinnedAt
      ? ' at ' + profile.baseline.pinnedAt : '') : profile.baseline.source;
    document.getElementById('drift-counts').textContent = 'baseline: ' + profile.baseline.events + ' events ('
      + source + (profile.baseline.complete ? '' : ', still filling') + '); current window: '
      + profile.current.events + ' events; ' + profile.shares.length + ' partitions'
      + (profile.unanswered.length ? '; not answering: ' + profile.unanswered.join(', ') : '');
  }

  async function refresh(model) {
    const status = document.getElementById('status');
    try {
      const response = await fetch('/models/' + encodeURIComponent(model) + '/attribution-profile');
      const body = await response.json();
      if (!response.ok) { status.textContent = body.message; return; }
      scores(body);
      draw(body);
      status.textContent = body.kind + ' profile of ' + body.labels.length + ' cells';
    } catch (error) {
      status.textContent = 'the service did not answer: ' + error;
    }
  }

  function page() {
    const model = new URLSearchParams(location.search).get('model') || '';
    document.getElementById('title').textContent = 'attribution drift of ' + model;
    refresh(model);
    setInterval(() => refresh(model), 5000);
  }

  return { page };
})();
