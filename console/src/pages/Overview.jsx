import { useEffect, useState } from 'preact/hooks';
import { get, stream, when, ago } from '../api.js';
import { Badge, ErrorBox, Live, StorageUse } from '../components.jsx';

/** What the last retention round says, in words. */
export function retentionText(r) {
  if (!r) return 'no round yet';
  if (r.violations > 0) return `${r.violations} file(s) past the cutoff`;
  const deleted = r.reportedDeletedFiles < 0 ? 'no report' : `${r.reportedDeletedFiles} deleted`;
  return `ok (${deleted}, ${ago(r.checkedAt)})`;
}

export function Overview() {
  const [instruments, setInstruments] = useState(null);
  const [error, setError] = useState(null);
  const [live, setLive] = useState('connecting');
  const [, tick] = useState(0);
  useEffect(() => {
    get('/api/v1/instruments').then(setInstruments, setError);
    const close = stream('/api/v1/stream/instruments', (name, data) => {
      if (name === 'instruments') setInstruments(data);
    }, setLive);
    const clock = setInterval(() => tick((n) => n + 1), 5000);
    return () => {
      close();
      clearInterval(clock);
    };
  }, []);
  return (
    <section aria-labelledby="overview-title">
      <div class="title-row">
        <h1 id="overview-title">Instruments</h1>
        <Live state={live} />
      </div>
      <ErrorBox error={error} />
      {instruments && instruments.length === 0 && <p>No Instrument is installed.</p>}
      {instruments && instruments.length > 0 && (
        <div class="table-wrap">
          <table class="instruments">
            <thead>
              <tr>
                <th scope="col">Instrument</th><th scope="col">State</th><th scope="col">Health</th>
                <th scope="col">Last check</th><th scope="col">Restarts</th><th scope="col">Network</th>
                <th scope="col">Storage</th><th scope="col">Retention</th>
              </tr>
            </thead>
            <tbody>
              {instruments.map((i) => (
                <tr key={i.id} data-instrument={i.id}>
                  <th scope="row"><a href={`#/instruments/${encodeURIComponent(i.id)}`}>{i.id}</a>
                    <div class="muted small">{i.image}</div></th>
                  <td class="state" data-label="State"><Badge value={i.actual} />
                    {i.desired !== i.actual && <div class="muted small">wanted: {i.desired}</div>}</td>
                  <td class="health" data-label="Health"><Badge value={i.health} />
                    {i.detail && <div class="muted small detail">{i.detail}</div>}</td>
                  <td data-label="Last check">{i.lastCheck ? (
                    <>
                      <span title={when(i.lastCheck.at)}>{ago(i.lastCheck.at)}</span>{' '}
                      <span class="muted small">{i.lastCheck.result}
                        {i.lastCheck.latencyMillis != null ? `, ${i.lastCheck.latencyMillis} ms` : ''}</span>
                    </>) : '—'}</td>
                  <td data-label="Restarts">{i.restarts ?? 0}</td>
                  <td data-label="Network">{i.network || '—'}</td>
                  <td class="storage-cell" data-label="Storage"><StorageUse storage={i.storage} /></td>
                  <td data-label="Retention">{retentionText(i.retention)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
