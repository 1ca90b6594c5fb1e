// The SRE console: a thin client of /v1/dead-letters. Every value from the API is rendered with
// textContent (never innerHTML): payloads, headers and stacks are attacker-controlled bytes.

const KEY_STORAGE = 'tributary.dlq.apiKey';
const PAGE_SIZE = 25;

const $ = (selector) => {
  const element = document.querySelector(selector);
  if (!element) throw new Error(`console markup lacks ${selector}`);
  return element;
};

const state = {
  filter: {},
  // Cursors of the pages already seen, so "Previous" can go back without the API supporting it.
  cursors: [null],
  page: 0,
  nextCursor: null,
  selectedId: null,
  // Only the latest list request may render: a slow earlier one (another key, older filters) is dropped.
  listRequest: 0,
};

// sessionStorage: the key lives as long as the tab, and is never written to disk or sent anywhere but the API.
const apiKey = () => sessionStorage.getItem(KEY_STORAGE) ?? '';

class ApiProblem extends Error {
  constructor(status, problem) {
    const code = typeof problem?.code === 'string' ? problem.code : `HTTP_${status}`;
    const detail = typeof problem?.detail === 'string' ? problem.detail : 'The request failed.';
    super(`${status} ${code}: ${detail}`);
    this.status = status;
    this.code = code;
  }
}

async function api(path, body) {
  const headers = { authorization: `Bearer ${apiKey()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw new ApiProblem(response.status, parsed);
  return parsed;
}

function showResult(message, isError = false) {
  const result = $('#result');
  result.textContent = message;
  result.classList.toggle('error', isError);
}

const showError = (error) => showResult(error instanceof Error ? error.message : String(error), true);

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
  return td;
}

function renderKeyState() {
  $('#key-state').textContent = apiKey() ? 'key set for this tab' : 'no key';
}

/** `announce: false` refreshes the list without replacing the outcome of an action the SRE just took. */
async function loadPage({ announce = true } = {}) {
  if (!apiKey()) {
    showResult('Paste an API key first.', true);
    return;
  }
  if (announce) showResult('Loading…');
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const [name, value] of Object.entries(state.filter)) if (value) query.set(name, value);
  const cursor = state.cursors[state.page];
  if (cursor) query.set('cursor', cursor);
  const request = ++state.listRequest;
  try {
    const page = await api(`/v1/dead-letters?${query}`);
    if (request !== state.listRequest) return;
    state.nextCursor = page.nextCursor;
    renderList(page.items);
    if (announce) showResult(`${page.items.length} dead letter(s) on page ${state.page + 1}.`);
  } catch (error) {
    if (request !== state.listRequest) return;
    renderList([]);
    showError(error);
  }
}

function renderList(items) {
  const body = $('#list tbody');
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    row.dataset.id = item.id;
    row.classList.toggle('selected', item.id === state.selectedId);
    // A replay that brought no outcome in time needs someone: replay it again or discard it.
    row.classList.toggle('stalled', item.status === 'replay_stalled');
    cell(row, item.lastFailedAt);
    cell(row, item.consumerGroup);
    cell(row, `${item.originalTopic} [${item.originalPartition}] @${item.originalOffset}`);
    cell(row, item.errorCode);
    cell(row, item.status);
    cell(row, String(item.attempts));
    cell(row, item.eventId);
    row.addEventListener('click', () => void openDetails(item.id));
    body.append(row);
  }
  $('#previous-page').disabled = state.page === 0;
  $('#next-page').disabled = !state.nextCursor;
  $('#page-state').textContent = `page ${state.page + 1}`;
}

function field(list, name, value) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value === null || value === undefined ? '—' : String(value);
  list.append(dt, dd);
}

async function openDetails(id) {
  state.selectedId = id;
  for (const row of document.querySelectorAll('#list tbody tr')) {
    row.classList.toggle('selected', row.dataset.id === id);
  }
  try {
    renderDetails(await api(`/v1/dead-letters/${encodeURIComponent(id)}`));
  } catch (error) {
    showError(error);
  }
}

function renderDetails(detail) {
  $('#details').hidden = false;
  $('#detail-id').textContent = detail.id;
  const fields = $('#detail-fields');
  fields.replaceChildren();
  field(fields, 'Status', detail.status + (detail.statusReason ? ` (${detail.statusReason})` : ''));
  field(fields, 'Consumer group', detail.consumerGroup);
  field(fields, 'Error code', detail.errorCode);
  field(fields, 'Error class', detail.errorClass);
  field(fields, 'Error message', detail.errorMessage);
  field(
    fields,
    'Original',
    `${detail.originalTopic} [${detail.originalPartition}] @${detail.originalOffset}`,
  );
  field(fields, 'DLQ', `${detail.dlq.topic} [${detail.dlq.partition}] @${detail.dlq.offset}`);
  field(fields, 'Event', `${detail.eventType ?? '—'} ${detail.eventId ?? ''}`);
  field(fields, 'Attempts', detail.attempts);
  field(fields, 'Dead-lettered', `${detail.deadLetteredCount} time(s)`);
  field(fields, 'Replayed', `${detail.replayCount} time(s)`);
  field(fields, 'Replay target', detail.replayTopic);
  if (detail.replayedAt) field(fields, 'Last replay sent', detail.replayedAt);
  if (detail.replayStalledAt) {
    field(
      fields,
      'Replay stalled since',
      `${detail.replayStalledAt}: no outcome came back; replay it again or discard it`,
    );
  }
  if (detail.replayError) {
    field(
      fields,
      'Last replay error',
      `${detail.replayError.code} at ${detail.replayError.at}: ${detail.replayError.message}`,
    );
  }
  field(fields, 'First failure', detail.firstFailedAt);
  field(fields, 'Last failure', detail.lastFailedAt);
  field(fields, 'Key', detail.key ? (detail.key.text ?? `base64 ${detail.key.base64}`) : null);

  const headers = $('#detail-headers tbody');
  headers.replaceChildren();
  for (const header of detail.headers) {
    const row = document.createElement('tr');
    cell(row, header.name);
    cell(row, header.value);
    cell(row, header.encoding);
    headers.append(row);
  }

  const value = detail.value;
  const decodable = value.decoded !== null && value.decoded !== undefined;
  $('#payload-note').textContent = decodable
    ? `Decoded (${value.format}${value.schemaId === null ? '' : `, schema ${value.schemaId}`})`
    : `Not decodable${value.decodeError ? `: ${value.decodeError}` : ''}; raw bytes as base64`;
  $('#payload').textContent = decodable ? JSON.stringify(value.decoded, null, 2) : value.base64;
  $('#stack').textContent = detail.errorStack ?? '—';
}

/** Resolves with the reason, or null when the SRE cancels. */
function askReason(question) {
  const dialog = $('#confirm');
  const reason = $('#confirm-reason');
  $('#confirm-question').textContent = question;
  reason.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'confirm' ? reason.value.trim() : null),
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
    reason.focus();
  });
}

async function act(action) {
  const id = state.selectedId;
  if (!id) return;
  const verb = action === 'replay' ? 'Replay' : 'Discard';
  const reason = await askReason(`${verb} dead letter ${id}? Give a reason for the audit log.`);
  if (reason === null) {
    showResult(`${verb} cancelled.`);
    return;
  }
  try {
    const result = await api(`/v1/dead-letters/${encodeURIComponent(id)}/${action}`, { reason });
    const count = action === 'replay' ? result.accepted : result.discarded;
    const skipped = result.skipped?.length
      ? `, ${result.skipped.length} skipped (${result.skipped.map((s) => s.reason ?? s.status).join('; ')})`
      : '';
    await Promise.all([openDetails(id), loadPage({ announce: false })]);
    showResult(`${verb} done: ${count} dead letter(s)${skipped}; audit entry ${result.auditId}.`);
  } catch (error) {
    showError(error);
  }
}

function readFilter() {
  const data = new FormData($('#filters'));
  return Object.fromEntries(
    ['group', 'errorCode', 'status'].map((name) => [name, String(data.get(name) ?? '').trim()]),
  );
}

function firstPage() {
  state.cursors = [null];
  state.page = 0;
  return loadPage();
}

$('#key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('#api-key');
  const key = input.value.trim();
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  input.value = '';
  renderKeyState();
  void firstPage();
});
$('#forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  renderKeyState();
  renderList([]);
  $('#details').hidden = true;
  showResult('Key forgotten.');
});
$('#filters').addEventListener('submit', (event) => {
  event.preventDefault();
  state.filter = readFilter();
  void firstPage();
});
$('#first-page').addEventListener('click', () => void firstPage());
$('#previous-page').addEventListener('click', () => {
  if (state.page === 0) return;
  state.page -= 1;
  void loadPage();
});
$('#next-page').addEventListener('click', () => {
  if (!state.nextCursor) return;
  state.cursors[state.page + 1] = state.nextCursor;
  state.page += 1;
  void loadPage();
});
$('#replay').addEventListener('click', () => void act('replay'));
$('#discard').addEventListener('click', () => void act('discard'));

renderKeyState();
if (apiKey()) void firstPage();
