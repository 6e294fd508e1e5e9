/* The sidecar's web view: plain JavaScript over the query API (no build step). */
const Lrp = (() => {
  const text = (value) => document.createTextNode(value === null || value === undefined ? '' : String(value));
  const cell = (row, value, className) => {
    const td = document.createElement('td');
    if (className) td.className = className;
    if (value instanceof Node) td.appendChild(value); else td.appendChild(text(value));
    row.appendChild(td);
    return td;
  };
  const number = (value) => typeof value === 'number' ? value.toExponential(3) : String(value);
  const flags = (list) => {
    const span = document.createElement('span');
    (list || []).forEach((flag) => {
      const badge = document.createElement('span');
      badge.className = 'flag';
      badge.appendChild(text(flag));
      span.appendChild(badge);
    });
    return span;
  };

  async function refreshList() {
    const params = new URLSearchParams({ limit: '50' });
    const model = document.getElementById('model').value.trim();
    const flag = document.getElementById('flag').value;
    if (model) params.set('model', model);
    if (flag) params.set('flag', flag);
    const status = document.getElementById('status');
    try {
      const response = await fetch('/explanations?' + params);
      const body = await response.json();
      if (!response.ok) { status.textContent = body.message; return; }
      const tbody = document.querySelector('#explanations tbody');
      tbody.replaceChildren();
      body.forEach((summary) => {
        const row = document.createElement('tr');
        const link = document.createElement('a');
        link.href = '/event.html?id=' + encodeURIComponent(summary.eventId)
          + '&composite=' + encodeURIComponent(summary.compositeHash);
        link.className = 'event-link';
        link.appendChild(text(summary.eventId));
        cell(row, link);
        cell(row, summary.modelName + ':' + summary.modelVersion);
        cell(row, summary.composite);
        cell(row, summary.targetClass + ' (' + summary.targetSource.toLowerCase() + ')', 'number');
        cell(row, summary.predictedClass, 'number');
        cell(row, flags(summary.flags));
        cell(row, number(summary.conservationError), 'number');
        cell(row, summary.storedAt);
        tbody.appendChild(row);
      });
      status.textContent = body.length + ' explanations';
    } catch (error) {
      status.textContent = 'the service did not answer: ' + error;
    }
  }

  function listPage() {
    document.getElementById('filters').addEventListener('change', refreshList);
    document.getElementById('model').addEventListener('input', refreshList);
    refreshList();
    setInterval(refreshList, 2000);
  }

  function drawLedger(svg, ledger) {
    const width = 900, rowHeight = 22, labelWidth = 220, barWidth = width - labelWidth - 20;
    const magnitude = Math.max(1e-300, ...ledger.flatMap((layer) =>
      [Math.abs(layer.relevanceIn), Math.abs(layer.relevanceOut)]));
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (rowHeight * ledger.length * 2 + 10));
    const ns = 'http://www.w3.org/2000/svg';
    ledger.forEach((layer, index) => {
      const y = 5 + index * rowHeight * 2;
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', '0'); label.setAttribute('y', String(y + rowHeight));
      label.setAttribute('font-size', '12');
      label.appendChild(text(layer.name + ' (' + layer.opType + ')'));
      svg.appendChild(label);
      const amplified = layer.absorbed < -1e-4 * Math.abs(layer.relevanceIn);
      [['relevanceIn', '#999'], ['relevanceOut', amplified ? '#d44' : '#4a7']].forEach(([key, color], k) => {
        const bar = document.createElementNS(ns, 'rect');
        const length = barWidth * Math.abs(layer[key]) / magnitude;
        bar.setAttribute('x', String(labelWidth)); bar.setAttribute('y', String(y + k * rowHeight + 3));
        bar.setAttribute('width', String(Math.max(1, length))); bar.setAttribute('height', String(rowHeight - 6));
        bar.setAttribute('fill', color);
        const title = document.createElementNS(ns, 'title');
        title.appendChild(text(key + ' ' + number(layer[key])));
        bar.appendChild(title);
        svg.appendChild(bar);
      });
    });
  }

  /** A token model's relevance: one chip per token in the heatmap's colours (computed by the service), and the bar. */
  function drawTokens(heatmap) {
    document.querySelector('section.pictures').hidden = true;
    document.getElementById('token-heatmap').hidden = false;
    const chips = document.getElementById('tokens');
    chips.replaceChildren();
    heatmap.tokens.forEach((token) => {
      const chip = document.createElement('span');
      chip.className = token.padding ? 'token padding' : 'token';
      if (token.colour) {
        chip.style.backgroundColor = token.colour;
        // dark blue or red chips get white text (relative luminance of the #rrggbb colour below one half)
        const [r, g, b] = [1, 3, 5].map((at) => parseInt(token.colour.substr(at, 2), 16) / 255);
        if (0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5) chip.style.color = '#fff';
      }
      chip.dataset.position = String(token.position);
      chip.dataset.relevance = String(token.relevance);
      chip.title = 'position ' + token.position + ', id ' + token.id + (token.padding ? ' (padding)' : '')
        + ', relevance ' + number(token.relevance);
      chip.appendChild(text(token.text));
      chips.appendChild(chip);
    });
    const steps = document.getElementById('colour-bar-steps');
    steps.replaceChildren();
    heatmap.colourBar.forEach((colour) => {
      const step = document.createElement('span');
      step.className = 'colour-bar-step';
      step.style.backgroundColor = colour;
      steps.appendChild(step);
    });
    document.getElementById('colour-bar-low').textContent = number(-heatmap.scale);
    document.getElementById('colour-bar-high').textContent = number(heatmap.scale);
  }

  async function eventPage() {
    const params = new URLSearchParams(location.search);
    const id = params.get('id');
    const composite = params.get('composite');
    const origin = params.get('origin');
    const selection = (composite ? '&composite=' + encodeURIComponent(composite) : '')
      + (origin ? '&origin=' + encodeURIComponent(origin) : '');
    const query = selection ? '?' + selection.slice(1) : '';
    const response = await fetch('/explanations/' + encodeURIComponent(id) + query);
    const explanation = await response.json();
    document.getElementById('title').textContent = 'event ' + id;
    if (!response.ok) { document.getElementById('summary').textContent = explanation.message; return; }
    const summary = document.getElementById('summary');
    summary.replaceChildren(text('model ' + explanation.modelName + ':' + explanation.modelVersion
      + ', composite ' + explanation.composite + ', target ' + explanation.targetClass + ' ('
      + explanation.targetSource.toLowerCase() + '), predicted ' + explanation.predictedClass
      + ', Σ relevance ' + number(explanation.relevanceSum) + ', conservation error '
      + number(explanation.conservationError) + ' '), flags(explanation.flags));
    if (explanation.tokenHeatmap) drawTokens(explanation.tokenHeatmap);
    const image = document.getElementById('heatmap');
    const overlay = document.getElementById('overlay');
    const shape = explanation.relevance.shape;
    const side = shape.length >= 2 ? shape[shape.length - 1] : 0;
    const scale = side > 1 ? Math.max(1, Math.min(32, Math.floor(320 / side))) : 1;
    const drawHeatmap = () => {
      image.src = '/explanations/' + encodeURIComponent(id) + '/heatmap.png?scale=' + scale
        + (overlay.checked ? '&overlay=true' : '') + selection;
    };
    overlay.disabled = side <= 1;
    overlay.addEventListener('change', drawHeatmap);
    drawHeatmap();
    drawLedger(document.getElementById('ledger'), explanation.ledger);
    const ledgerRows = document.querySelector('#ledger-table tbody');
    explanation.ledger.forEach((layer) => {
      const row = document.createElement('tr');
      [layer.name, layer.opType, layer.rule].forEach((value) => cell(row, value));
      [layer.relevanceIn, layer.relevanceOut, layer.absorbed, layer.relativeError]
        .forEach((value) => cell(row, number(value), 'number'));
      ledgerRows.appendChild(row);
    });
    const featureRows = document.querySelector('#features tbody');
    explanation.topFeatures.forEach((feature) => {
      const row = document.createElement('tr');
      cell(row, feature.index, 'number'); cell(row, feature.name); cell(row, number(feature.relevance), 'number');
      featureRows.appendChild(row);
    });
    const source = explanation.source;
    LrpReplays.attach(document.getElementById('replay'), () => ({ topic: source.topic, partition: source.partition,
      fromOffset: source.offset, toOffset: source.offset, composite: document.getElementById('composite').value }),
    () => document.getElementById('api-key').value, document.getElementById('replay-status'));
  }

  return { listPage, eventPage };
})();
