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

/** Bytes in binary units, as a person reads them: 0 B, 812 KiB, 4.8 MiB, 16 GiB. */
export function bytes(n) {
  if (n == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = u === 0 || v >= 10 || Number.isInteger(v) ? Math.round(v).toString() : v.toFixed(1);
  return `${text} ${units[u]}`;
}

/** One directory's use: "4.8 MiB / 64 MiB" with a small bar (a native meter, which reads out its value too). */
function StoragePart({ kind, part }) {
  if (!part) return null;
  const label = `${kind}: ${part.used == null ? 'not measured yet' : bytes(part.used)} of ${bytes(part.quota)}`;
  return (
    <div class="storage-part" data-kind={kind} data-used={part.used ?? ''} data-quota={part.quota}>
      <span class="small">{kind} </span>
      {part.used != null && (
        <meter min="0" max={part.quota} low={part.quota * 0.75} high={part.quota * 0.9} optimum="0"
          value={part.used} aria-label={label} title={label} />)}
      <span class="small"> {part.used == null ? <span class="muted">not measured yet</span> : bytes(part.used)}
        {' / '}{bytes(part.quota)}</span>
    </div>
  );
}

/** An Instrument's storage use (the API's {persistent, transient}); parts it has none of are left out. */
export function StorageUse({ storage }) {
  if (!storage || (!storage.persistent && !storage.transient)) return <span class="muted">none</span>;
  return (
    <div class="storage" data-testid="storage">
      <StoragePart kind="persistent" part={storage.persistent} />
      <StoragePart kind="transient" part={storage.transient} />
    </div>
  );
}
