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
        const model = document.createElement('a');
        model.href = '/drift.html?model=' + encodeURIComponent(summary.modelName);
        model.className = 'model-link';
        model.title = 'attribution drift of ' + summary.modelName;
        model.appendChild(text(summary.modelName + ':' + summary.modelVersion));
        cell(row, model);
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

  /** Decades of the ledger chart's log axis: values below 10^LOG_FLOOR (zero included) are drawn at the floor. */
  const LOG_FLOOR = -9, LOG_CEILING = 1;

  /**
   * The ledger of an explanation in the order relevance flows (the output layer first, the input layer last; the
   * service lists it in graph order, input first), each layer with its share of the starting relevance absorbed.
   */
  function ledgerRows(explanation) {
    const ledger = explanation.ledger.slice().reverse();
    const start = ledger.length > 0 && ledger[0].relevanceIn !== 0 ? ledger[0].relevanceIn : explanation.targetLogit;
    return ledger.map((layer) => ({ ...layer,
      share: start ? Math.abs(layer.absorbed) / Math.abs(start) : NaN,
      amplified: Math.abs(layer.relevanceOut) > Math.abs(layer.relevanceIn) }));
  }

  /** Per layer (output first) the relative error and the absorbed share as bars on a log scale; red above threshold. */
  function drawLedger(svg, rows, threshold) {
    const width = 900, rowHeight = 34, labelWidth = 260, axisWidth = width - labelWidth - 70, top = 24;
    const ns = 'http://www.w3.org/2000/svg';
    const x = (value) => {
      const decade = Number.isFinite(value) && value > 0 ? Math.log10(value) : LOG_FLOOR;
      const clamped = Math.max(LOG_FLOOR, Math.min(LOG_CEILING, decade));
      return labelWidth + axisWidth * (clamped - LOG_FLOOR) / (LOG_CEILING - LOG_FLOOR);
    };
    const add = (name, attributes, parent = svg) => {
      const element = document.createElementNS(ns, name);
      Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, String(value)));
      parent.appendChild(element);
      return element;
    };
    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (top + rowHeight * rows.length + 8));
    for (let decade = LOG_FLOOR; decade <= LOG_CEILING; decade++) {
      add('line', { x1: x(10 ** decade), x2: x(10 ** decade), y1: top - 4, y2: top + rowHeight * rows.length,
        stroke: '#e4e4e4' });
      add('text', { x: x(10 ** decade), y: top - 8, 'font-size': 10, 'text-anchor': 'middle', fill: '#666' })
        .appendChild(text(decade === LOG_FLOOR ? '≤1e' + decade : '1e' + decade));
    }
    if (Number.isFinite(threshold)) {
      add('line', { x1: x(threshold), x2: x(threshold), y1: top - 4, y2: top + rowHeight * rows.length,
        stroke: '#d44', 'stroke-dasharray': '4 3', class: 'ledger-threshold' });
    }
    rows.forEach((layer, index) => {
      const y = top + index * rowHeight;
      const group = add('g', { class: 'ledger-row', 'data-layer': layer.name });
      add('text', { x: 0, y: y + 20, 'font-size': 12 }, group).appendChild(text((layer.amplified ? '▲ ' : '▼ ')
        + layer.name + ' (' + layer.opType + ')'));
      const red = Number.isFinite(threshold) && layer.relativeError > threshold;
      [['relativeError', red ? '#d44' : '#555', 'relative error'], ['share', red ? '#f0a0a0' : '#aab',
        'share of the starting relevance absorbed']].forEach(([key, fill, what], k) => {
        const bar = add('rect', { x: labelWidth, y: y + 4 + k * 13, width: Math.max(1, x(layer[key]) - labelWidth),
          height: 11, fill, class: key === 'relativeError' ? 'ledger-error' + (red ? ' above-threshold' : '')
            : 'ledger-share' }, group);
        add('title', {}, bar).appendChild(text(what + ' ' + number(layer[key])));
      });
      add('text', { x: x(10 ** LOG_CEILING) + 6, y: y + 14, 'font-size': 10, fill: red ? '#d44' : '#333' }, group)
        .appendChild(text(number(layer.relativeError)));
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

  const className = (index, name) => name === null || name === undefined ? String(index) : name + ' (' + index + ')';

  /** The decision in one line ("predicted 7 (p=0.910), label 1") and the most probable classes. */
  function showClasses(explanation) {
    const probabilities = explanation.probabilities;
    if (!probabilities) return;
    document.getElementById('classes').hidden = false;
    const predicted = explanation.predictedClass;
    let verdict = 'predicted ' + className(predicted, explanation.predictedClassName) + ' (p='
      + Number(probabilities[predicted]).toFixed(3) + ')';
    if (explanation.label !== null && explanation.label !== undefined) {
      verdict += ', label ' + className(explanation.label, explanation.labelName)
        + (explanation.label === predicted ? ' (correct)' : ' (misclassified)');
    }
    if (explanation.reportedClass !== null && explanation.reportedClass !== undefined
        && explanation.reportedClass !== predicted) {
      verdict += ', production reported ' + className(explanation.reportedClass, explanation.reportedClassName);
    }
    document.getElementById('verdict').textContent = verdict;
    const body = document.querySelector('#top-classes tbody');
    body.replaceChildren();
    (explanation.topClasses || []).forEach((entry) => {
      const row = document.createElement('tr');
      cell(row, className(entry.classIndex, entry.name));
      cell(row, Number(entry.probability).toFixed(3), 'number');
      const bar = document.createElement('span');
      bar.className = 'probability-bar';
      bar.style.width = Math.round(200 * Number(entry.probability)) + 'px';
      cell(row, bar);
      body.appendChild(row);
    });
  }

  /**
   * The sampled faithfulness in one line ("faithfulness: ABPC 0.214 (logit 1.92), 8 steps, region 1, baseline zero"),
   * with a tooltip saying what ABPC means; nothing when the event was not sampled.
   */
  function showFaithfulness(explanation) {
    const measured = explanation.faithfulness;
    const line = document.getElementById('faithfulness');
    if (!measured) return;
    line.hidden = false;
    line.textContent = 'faithfulness: ABPC ' + Number(measured.abpc).toFixed(3) + ' (logit '
      + Number(measured.abpcLogit).toFixed(3) + '), AOPC MoRF ' + Number(measured.aopcMorf).toFixed(3)
      + ', LeRF ' + Number(measured.aopcLerf).toFixed(3) + '; ' + measured.steps + ' steps, region '
      + measured.region + ', baseline ' + measured.baseline;
    line.title = 'ABPC (area between perturbation curves): the input regions were replaced by the baseline step by '
      + 'step, most relevant first (MoRF) and least relevant first (LeRF), and the model re-run; ABPC is the area '
      + 'under the LeRF curve of the explained class\'s probability minus the area under the MoRF curve. From -1 '
      + 'to 1: higher means the heatmap points at what the model uses; 0 is no better than a random order.';
  }

  async function eventPage() {
    const params = new URLSearchParams(location.search);
    const id = params.get('id');
    const composite = params.get('composite');
    const origin = params.get('origin');
    const selection = (composite ? '&composite=' + encodeURIComponent(composite) : '')
      + (origin ? '&origin=' + encodeURIComponent(origin) : '');
    const compact = '?tensors=base64' + selection;
    const input = fetch('/explanations/' + encodeURIComponent(id) + '/input' + compact)
      .then((answer) => answer.json()).catch((error) => ({ message: 'the service did not answer: ' + error }));
    const response = await fetch('/explanations/' + encodeURIComponent(id) + compact);
    const explanation = await response.json();
    document.getElementById('title').textContent = 'event ' + id;
    if (!response.ok) { document.getElementById('summary').textContent = explanation.message; return; }
    const summary = document.getElementById('summary');
    const contrastText = (shown) => {
      if (shown.contrastClass === null || shown.contrastClass === undefined) return '';
      const target = className(shown.targetClass, shown.targetClassName);
      const contrast = className(shown.contrastClass, shown.contrastClassName);
      return shown.contrastClass === shown.targetClass
        ? ', contrasted with itself: relevance is 0 by construction'
        : ', why ' + target + ' rather than ' + contrast + ' (relevance of ' + target + ' minus relevance of '
          + contrast + ')';
    };
    summary.replaceChildren(text('model ' + explanation.modelName + ':' + explanation.modelVersion
      + ', composite ' + explanation.composite + ', target ' + className(explanation.targetClass,
        explanation.targetClassName) + ' (' + explanation.targetSource.toLowerCase() + ')'
      + contrastText(explanation) + ', predicted '
      + className(explanation.predictedClass, explanation.predictedClassName)
      + ', Σ relevance ' + number(explanation.relevanceSum) + ', conservation error '
      + number(explanation.conservationError) + ' '), flags(explanation.flags));
    showClasses(explanation);
    showFaithfulness(explanation);
    if (explanation.tokenHeatmap) drawTokens(explanation.tokenHeatmap);
    const drawn = explanation.tokenHeatmap ? false : await LrpImage.draw(explanation, input);
    if (!drawn && !explanation.tokenHeatmap) {
      document.querySelector('section.pictures').hidden = false;
      document.getElementById('heatmap').src = '/explanations/' + encodeURIComponent(id) + '/heatmap.png?scale=2'
        + selection;
    }
    const threshold = explanation.conservationThreshold;
    document.getElementById('ledger-threshold').textContent = threshold === undefined ? 'none configured'
      : String(threshold);
    const rows = ledgerRows(explanation);
    drawLedger(document.getElementById('ledger'), rows, threshold);
    const ledgerBody = document.querySelector('#ledger-table tbody');
    rows.forEach((layer) => {
      const row = document.createElement('tr');
      [layer.name, layer.opType, layer.rule].forEach((value) => cell(row, value));
      [layer.relevanceIn, layer.relevanceOut, layer.absorbed, layer.share, layer.relativeError]
        .forEach((value) => cell(row, number(value), 'number'));
      if (threshold !== undefined && layer.relativeError > threshold) row.className = 'above-threshold';
      ledgerBody.appendChild(row);
    });
    await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted)));
    document.body.dataset.rendered = 'true';
    performance.mark('lrp-event-page-rendered');
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
