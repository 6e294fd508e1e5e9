/*
 * Replays in the web view (plain JavaScript, no build step): a replay form posts to /replays; a refusal (400) is shown
 * with the service's message, never as "started"; a started replay is followed by polling GET /replays/{id} until it
 * is done, showing its progress, its failures by reason with the first message of each, and a link per replayed
 * explanation to its event page (origin=replay, so the replay is shown even when the original has the same composite).
 * The replay being followed is kept in the page address (#replay=ID), so a reload follows it again.
 */
const LrpReplays = (() => {
  const POLL_MS = 1000;
  const element = (tag, className, content) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined && content !== null) node.appendChild(document.createTextNode(String(content)));
    return node;
  };

  /** The event page of one replayed explanation: its event, composite hash and origin. */
  const eventPageOf = (explanation) => '/event.html?id=' + encodeURIComponent(explanation.eventId)
    + '&composite=' + encodeURIComponent(explanation.compositeHash) + '&origin=replay';

  function showRefusal(panel, status, body) {
    const message = body && body.message ? body.message : 'the service answered ' + status;
    panel.replaceChildren(element('p', 'replay-error', 'replay refused (' + status
      + (body && body.reason ? ', ' + body.reason : '') + '): ' + message));
  }

  function render(panel, progress) {
    const summary = element('p', 'replay-summary', 'replay ' + progress.id + ': ' + progress.explained + ' of '
      + progress.selected + ' explained, ' + progress.failed + ' failed'
      + (progress.done ? ', done' : ', running…'));
    summary.dataset.done = String(Boolean(progress.done));
    const children = [summary];
    const failures = Object.entries(progress.failures || {});
    if (failures.length > 0) {
      children.push(element('h3', null, 'Failures by reason'));
      const list = element('ul', 'replay-failures');
      failures.forEach(([reason, failure]) => {
        const item = element('li', 'replay-failure');
        item.dataset.reason = reason;
        item.appendChild(element('strong', null, reason));
        item.appendChild(document.createTextNode(' (' + failure.stage + '): ' + failure.count + ', first event '
          + failure.firstEventId + ': '));
        item.appendChild(element('span', 'replay-failure-message', failure.firstMessage));
        list.appendChild(item);
      });
      children.push(list);
    }
    const explanations = progress.explanations || [];
    if (explanations.length > 0) {
      children.push(element('h3', null, 'Replayed explanations'));
      const list = element('ul', 'replay-explanations');
      explanations.forEach((explanation) => {
        const item = element('li');
        const link = element('a', 'replayed-link', explanation.eventId);
        link.href = eventPageOf(explanation);
        item.appendChild(link);
        item.appendChild(document.createTextNode(' with ' + explanation.composite + ' '));
        const json = element('a', 'replayed-json', 'JSON');
        json.href = explanation.url;
        item.appendChild(json);
        list.appendChild(item);
      });
      children.push(list);
    }
    panel.replaceChildren(...children);
  }

  /** Polls the progress of replay {@code id} into {@code panel} until it is done or the service cannot say. */
  function follow(id, panel) {
    history.replaceState(null, '', '#replay=' + encodeURIComponent(id));
    const poll = async () => {
      let answer;
      try {
        answer = await fetch('/replays/' + encodeURIComponent(id));
      } catch (error) {
        panel.appendChild(element('p', 'replay-error', 'the service did not answer: ' + error));
        return;
      }
      const body = await answer.json();
      if (!answer.ok) { showRefusal(panel, answer.status, body); return; }
      render(panel, body);
      if (!body.done) setTimeout(poll, POLL_MS);
    };
    poll();
  }

  /**
   * Makes {@code form} start replays: {@code request()} gives the body of POST /replays, {@code apiKey()} the key
   * (empty: none), and {@code panel} shows the refusal or the progress.
   */
  function attach(form, request, apiKey, panel) {
    form.addEventListener('submit', async (submitted) => {
      submitted.preventDefault();
      const headers = { 'Content-Type': 'application/json' };
      const key = apiKey();
      if (key) headers['X-API-Key'] = key;
      panel.replaceChildren(element('p', 'replay-pending', 'asking the service…'));
      let answer;
      try {
        answer = await fetch('/replays', { method: 'POST', headers, body: JSON.stringify(request()) });
      } catch (error) {
        panel.replaceChildren(element('p', 'replay-error', 'the service did not answer: ' + error));
        return;
      }
      const body = await answer.json();
      if (!answer.ok) { showRefusal(panel, answer.status, body); return; }
      render(panel, body);
      follow(body.id, panel);
    });
    const followed = new URLSearchParams(location.hash.slice(1)).get('replay');
    if (followed) follow(followed, panel);
  }

  /**
   * The list page's form: replay the flagged predictions with a flag, or those with the event ids given (comma
   * separated, from the predictions topic), with another composite; the service checks every field.
   */
  function flagForm() {
    const field = (id) => document.getElementById(id).value.trim();
    attach(document.getElementById('replay-flagged'), () => {
      const body = { composite: field('replay-composite') };
      if (field('replay-flag')) body.flag = field('replay-flag');
      const ids = field('replay-event-ids').split(',').map((id) => id.trim()).filter((id) => id);
      if (ids.length > 0) {
        body.eventIds = ids;
        if (!body.flag) body.topic = 'predictions';
      }
      return body;
    }, () => field('replay-api-key'), document.getElementById('replay-progress'));
  }

  return { attach, follow, flagForm, eventPageOf };
})();
