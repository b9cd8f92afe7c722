import { useEffect, useState } from 'preact/hooks';
import { get, ApiError } from '../api.js';
import { ErrorBox } from '../components.jsx';

const n = (v) => (v == null ? '—' : Number(v).toLocaleString('en'));

/** The Capture Engine's counters: per interface, and per passive Instrument's branch (delivered, dropped…). */
export function Capture() {
  const [stats, setStats] = useState(undefined);
  const [error, setError] = useState(null);
  useEffect(() => {
    const load = () => get('/api/v1/capture/stats').then((s) => {
      setStats(s);
      setError(null);
    }, (e) => {
      if (e instanceof ApiError && (e.status === 404 || e.status === 503)) setStats(null);
      else setError(e);
    });
    load();
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, []);
  const empty = stats === null || (stats && !(stats.interfaces?.length) && !(stats.branches?.length));
  return (
    <section aria-labelledby="capture-title">
      <h1 id="capture-title">Capture</h1>
      <ErrorBox error={error} />
      {stats === undefined && !error && <p aria-busy="true">Loading…</p>}
      {empty && <p class="notice" data-testid="capture-off">Capture not running: no passive Instrument is
        receiving traffic (or this sensor has no Capture Engine).</p>}
      {stats && !empty && (
        <>
          <h2>Interfaces</h2>
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">Interface</th><th scope="col">Received</th><th scope="col">Dropped</th></tr>
            </thead>
            <tbody>{(stats.interfaces || []).map((i) => (
              <tr key={i.name}><th scope="row">{i.name}</th><td>{n(i.received)}</td>
                <td class={i.dropped > 0 ? 'warn-text' : ''}>{n(i.dropped)}</td></tr>))}</tbody>
          </table></div>
          <h2>Passive Instruments</h2>
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">Instrument</th><th scope="col">Port</th><th scope="col">Filter</th>
              <th scope="col">Delivered</th><th scope="col">Filtered</th><th scope="col">Dropped</th>
              <th scope="col">Bytes</th><th scope="col">Blocked</th></tr></thead>
            <tbody>{(stats.branches || []).map((b) => (
              <tr key={`${b.instrument}-${b.port}`}>
                <th scope="row"><a href={`#/instruments/${encodeURIComponent(b.instrument)}`}>{b.instrument}</a></th>
                <td>{b.port}</td><td><code>{b.filter || '—'}</code></td><td>{n(b.delivered)}</td>
                <td>{n(b.filtered)}</td><td class={b.dropped > 0 ? 'warn-text' : ''}>{n(b.dropped)}</td>
                <td>{n(b.bytes)}</td><td>{String(b.blocked ?? '—')}</td>
              </tr>))}</tbody>
          </table></div>
        </>
      )}
    </section>
  );
}
