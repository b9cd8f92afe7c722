import { useEffect, useState, useCallback } from 'preact/hooks';
import { get, post, put, api, stream, canOperate, when, ago, ApiError } from '../api.js';
import { Badge, ErrorBox, Live, StorageUse } from '../components.jsx';
import { diffLines, pretty } from '../diff.js';
import { retentionText } from './Overview.jsx';

const RESULT_COLOUR = { healthy: '#1a7f37', degraded: '#9a6700', unhealthy: '#cf222e', failed: '#cf222e',
  timeout: '#8250df', 'not-connected': '#8250df' };

/** The last health checks as bars of latency (inline SVG), coloured by result, with a text summary. */
export function HealthChart({ checks }) {
  if (!checks || checks.length === 0) return <p class="muted">No health check yet.</p>;
  const w = 480;
  const h = 120;
  const max = Math.max(10, ...checks.map((c) => c.latencyMillis ?? 0));
  const bar = w / Math.max(checks.length, 20);
  const bad = checks.filter((c) => c.result !== 'healthy').length;
  const summary = `${checks.length} checks, ${bad} not healthy, slowest ${max} ms`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h + 16}`} role="img" aria-label={`Health history: ${summary}`} data-testid="health-chart">
        <line x1="0" y1={h} x2={w} y2={h} stroke="#57606a" stroke-width="1" />
        {checks.map((c, i) => {
          const lat = c.latencyMillis;
          const bh = lat == null ? h : Math.max(3, (lat / max) * (h - 4));
          return (
            <rect key={i} x={i * bar + 1} y={h - bh} width={Math.max(2, bar - 2)} height={bh}
              fill={RESULT_COLOUR[c.result] || '#57606a'}>
              <title>{`${when(c.at)}: ${c.result}${lat != null ? `, ${lat} ms` : ', no answer'}`}</title>
            </rect>
          );
        })}
        <text x="0" y={h + 13} font-size="11" fill="#57606a">oldest</text>
        <text x={w} y={h + 13} font-size="11" fill="#57606a" text-anchor="end">newest · max {max} ms</text>
      </svg>
      <figcaption class="muted small">{summary}. Bar height = latency; red = failed, purple = no answer.</figcaption>
    </figure>
  );
}

function Lifecycle({ id, instrument, user, onDone }) {
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  if (!canOperate(user)) return null;
  const run = async (action) => {
    if (action === 'remove' && !confirm(`Remove ${id}? Its container goes; its storage stays unless purged.`)) return;
    setBusy(action);
    setError(null);
    try {
      const answer = action === 'remove' ? await api('DELETE', `/api/v1/instruments/${id}`)
        : await post(`/api/v1/instruments/${id}/${action}`);
      onDone(answer);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const running = instrument.actual === 'running' || instrument.actual === 'starting';
  return (
    <div class="actions" role="group" aria-label="Lifecycle">
      <button type="button" onClick={() => run('start')} disabled={busy || running}>
        {busy === 'start' ? 'Starting…' : 'Start'}</button>
      <button type="button" onClick={() => run('stop')} disabled={busy || !running}>
        {busy === 'stop' ? 'Stopping…' : 'Stop'}</button>
      <button type="button" onClick={() => run('restart')} disabled={busy}>
        {busy === 'restart' ? 'Restarting…' : 'Restart'}</button>
      <button type="button" class="danger" onClick={() => run('remove')} disabled={busy || running}>Remove</button>
      <ErrorBox error={error} />
    </div>
  );
}

function Config({ id, user }) {
  const [versions, setVersions] = useState(null);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const [compare, setCompare] = useState(null);
  const load = useCallback(async () => {
    try {
      const all = await get(`/api/v1/instruments/${id}/config/versions`);
      setVersions(all);
      return all;
    } catch (e) {
      setError(e);
      return [];
    }
  }, [id]);
  useEffect(() => {
    load().then((all) => setText(all.length ? pretty(all[all.length - 1].config) : '{}'));
  }, [id]);
  // The Instrument answers a new version on its own time: follow it until it did.
  const follow = async () => {
    for (let n = 0; n < 20; n++) {
      const all = await load();
      if (!all.length || all[all.length - 1].state !== 'pending') return all;
      await new Promise((r) => setTimeout(r, 500));
    }
    return null;
  };
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const v = await put(`/api/v1/instruments/${id}/config`, text);
      setSaved(`Saved as version ${v.version}.`);
      await follow();
    } catch (err) {
      setError(err);
    }
  };
  const rollback = async (version) => {
    setError(null);
    setSaved(null);
    try {
      const v = await post(`/api/v1/instruments/${id}/config/rollback`, { version });
      setSaved(`Rolled back: version ${v.version} has version ${version}'s content.`);
      setText(pretty(v.config));
      setCompare(null);
      await follow();
    } catch (err) {
      setError(err);
    }
  };
  const newest = versions && versions.length ? versions[versions.length - 1] : null;
  const fieldErrors = error instanceof ApiError && error.status === 400 ? error.errors : [];
  const editable = canOperate(user);
  return (
    <section aria-labelledby="config-title">
      <h2 id="config-title">Configuration</h2>
      {newest && <p>Version {newest.version} by {newest.by}, {when(newest.at)}: <Badge value={newest.state} />
        {newest.reason && <span class="small"> — {newest.reason}</span>}</p>}
      <form onSubmit={save}>
        <label for="config-text">Configuration (JSON object)</label>
        <textarea id="config-text" rows="8" spellcheck={false} value={text} readOnly={!editable}
          aria-invalid={fieldErrors.length > 0 ? 'true' : undefined}
          aria-describedby={error ? 'config-errors' : undefined}
          onInput={(e) => setText(e.currentTarget.value)} />
        {error && (
          <div id="config-errors" class="error" role="alert" data-testid="config-errors">
            <strong>{error.message}</strong>
            {fieldErrors.length > 0 && (
              <ul>{fieldErrors.map((f) => <li key={f.path}><code>{f.path}</code>: {f.reason}</li>)}</ul>)}
          </div>
        )}
        {saved && <p class="notice" role="status">{saved}</p>}
        {editable && <button type="submit" class="primary">Save configuration</button>}
      </form>
      <h3>Versions</h3>
      {versions && versions.length === 0 && <p class="muted">No configuration yet.</p>}
      {versions && versions.length > 0 && (
        <div class="table-wrap">
          <table class="versions">
            <thead><tr><th scope="col">Version</th><th scope="col">By</th><th scope="col">When</th>
              <th scope="col">Instrument's answer</th><th scope="col">Note</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {[...versions].reverse().map((v) => (
                <tr key={v.version} data-version={v.version}>
                  <td>{v.version}</td><td>{v.by}</td><td>{when(v.at)}</td>
                  <td><Badge value={v.state} />{v.reason && <div class="small">{v.reason}</div>}</td>
                  <td class="small">{v.note}</td>
                  <td class="nowrap">
                    {v !== newest && <button type="button" onClick={() => setCompare(v)}
                      aria-pressed={compare === v}>Diff</button>}
                    {editable && v !== newest && <button type="button" onClick={() => rollback(v.version)}>
                      Roll back to {v.version}</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {compare && newest && (
        <div class="diff" aria-label={`Differences between version ${compare.version} and ${newest.version}`}>
          <h3>Version {compare.version} → {newest.version}</h3>
          <pre>{diffLines(pretty(compare.config), pretty(newest.config)).map((d, i) => (
            <div key={i} class={d.op === '+' ? 'add' : d.op === '-' ? 'del' : ''}>
              <span aria-hidden="true">{d.op} </span>
              <span class="sr-only">{d.op === '+' ? 'added: ' : d.op === '-' ? 'removed: ' : ''}</span>{d.line}</div>
          ))}</pre>
        </div>
      )}
    </section>
  );
}

export function InstrumentPage({ id, user }) {
  const [instrument, setInstrument] = useState(null);
  const [health, setHealth] = useState(null);
  const [error, setError] = useState(null);
  const [live, setLive] = useState('connecting');
  const [retention, setRetention] = useState(null);
  useEffect(() => {
    get(`/api/v1/instruments/${id}`).then(setInstrument, setError);
    get(`/api/v1/instruments/${id}/retention`).then(setRetention, () => {});
    return stream('/api/v1/stream/instruments', (name, all) => {
      const mine = all.find((i) => i.id === id);
      if (mine) setInstrument(mine);
    }, setLive);
  }, [id]);
  const lastCheck = instrument?.lastCheck?.at;
  useEffect(() => {
    get(`/api/v1/instruments/${id}/health`).then(setHealth, () => {});
  }, [id, lastCheck]);
  if (error) return <><h1>{id}</h1><ErrorBox error={error} /></>;
  if (!instrument) return <p aria-busy="true">Loading…</p>;
  return (
    <article aria-labelledby="instrument-title">
      <p><a href="#/">← All Instruments</a></p>
      <div class="title-row">
        <h1 id="instrument-title">{id}</h1>
        <Live state={live} />
      </div>
      <div class="summary" data-testid="instrument-summary">
        <Badge value={instrument.actual} label="state" /> <Badge value={instrument.health} label="health" />
        {instrument.desired !== instrument.actual && <span class="muted"> (wanted: {instrument.desired})</span>}
      </div>
      <dl class="facts">
        <dt>Image</dt><dd>{instrument.image || '—'}</dd>
        <dt>Network</dt><dd>{instrument.network || '—'}</dd>
        <dt>Control channel</dt><dd>{instrument.connected ? 'connected' : 'not connected'}</dd>
        <dt>Since</dt><dd>{when(instrument.since)}</dd>
        <dt>Restarts by health</dt><dd>{instrument.restarts ?? 0}</dd>
        <dt>Detail</dt><dd class="detail">{instrument.detail || '—'}</dd>
        <dt>Storage</dt><dd><StorageUse storage={instrument.storage} /></dd>
        <dt>Retention</dt><dd>{retention ? `${retention.retention} — ` : ''}{retentionText(instrument.retention)}</dd>
        <dt>Its UI</dt><dd><a href={`/instruments/${encodeURIComponent(id)}/ui/`} target="_blank"
          rel="noopener noreferrer">Open {id}'s UI</a> <span class="muted small">(if it has one; needs the UI
          grant)</span></dd>
      </dl>
      <Lifecycle id={id} instrument={instrument} user={user} onDone={setInstrument} />
      <section aria-labelledby="health-title">
        <h2 id="health-title">Health</h2>
        {health && <p>{health.consecutiveFailures} failed check(s) in a row; last: {health.last
          ? `${health.last.result} ${ago(health.last.at)}` : 'none'}</p>}
        <HealthChart checks={health?.recent} />
      </section>
      <Config id={id} user={user} />
    </article>
  );
}
