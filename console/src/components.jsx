// Small shared pieces: status badges (colour AND text), error boxes, field errors.

const TONE = {
  healthy: 'ok', running: 'ok', accepted: 'ok', ok: 'ok', allowed: 'ok',
  degraded: 'warn', pending: 'warn', starting: 'info', stopping: 'info', installing: 'info',
  unhealthy: 'bad', failed: 'bad', rejected: 'bad', denied: 'bad', removed: 'idle',
  stopped: 'idle', installed: 'idle', unknown: 'idle',
};

const SYMBOL = { ok: '●', warn: '▲', bad: '✖', info: '◐', idle: '○' };

/** A state word with its colour and a shape, so neither colour nor shape alone carries the meaning. */
export function Badge({ value, label }) {
  const v = value || 'unknown';
  const tone = TONE[v] || 'idle';
  return (
    <span class={`badge ${tone}`} data-state={v}>
      <span aria-hidden="true">{SYMBOL[tone]} </span>{label ? `${label}: ${v}` : v}
    </span>
  );
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <strong>{error.status ? `${error.status} ` : ''}</strong>{error.message}
      {error.errors && error.errors.length > 0 && (
        <ul>{error.errors.map((e) => <li key={e.path}><code>{e.path}</code>: {e.reason}</li>)}</ul>
      )}
    </div>
  );
}

export function Live({ state }) {
  const text = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  return <span class={`live ${state === 'live' ? 'on' : ''}`} role="status" data-testid="live">{text}</span>;
}
