import { useEffect, useState } from 'preact/hooks';
import { get, query, when } from '../api.js';
import { Badge, ErrorBox } from '../components.jsx';

const EMPTY = { principal: '', instrument: '', action: '', outcome: '', from: '', to: '' };
const PAGE = 50;

/** datetime-local (the browser's local time) to an ISO instant. */
const instant = (local) => (local ? new Date(local).toISOString() : '');

/** The audit log, searched by principal, Instrument, action, outcome and time; paged; exported as CSV. */
export function Audit() {
  const [form, setForm] = useState(EMPTY);
  const [filters, setFilters] = useState(EMPTY);
  const [pages, setPages] = useState([]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const params = { ...filters, from: instant(filters.from), to: instant(filters.to) };
  const load = (before) => {
    setError(null);
    get(`/api/v1/audit${query({ ...params, limit: PAGE, before })}`).then(setPage, setError);
  };
  useEffect(() => {
    setPages([]);
    load(undefined);
  }, [filters]);
  const set = (name) => (e) => setForm({ ...form, [name]: e.currentTarget.value });
  const submit = (e) => {
    e.preventDefault();
    setFilters({ ...form });
  };
  const older = () => {
    setPages([...pages, page]);
    load(page.nextBefore);
  };
  const newer = () => {
    const previous = pages[pages.length - 1];
    setPages(pages.slice(0, -1));
    setPage(previous);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <form class="filters" onSubmit={submit} role="search" aria-label="Search the audit log">
        <label>Principal <input name="principal" value={form.principal} placeholder="user:admin"
          onInput={set('principal')} /></label>
        <label>Instrument <input name="instrument" value={form.instrument} onInput={set('instrument')} /></label>
        <label>Action <input name="action" value={form.action} placeholder="message denied"
          onInput={set('action')} /></label>
        <label>Outcome <select name="outcome" value={form.outcome} onChange={set('outcome')}>
          <option value="">any</option><option value="ok">ok</option><option value="denied">denied</option>
          <option value="failed">failed</option></select></label>
        <label>From <input name="from" type="datetime-local" value={form.from} onInput={set('from')} /></label>
        <label>To <input name="to" type="datetime-local" value={form.to} onInput={set('to')} /></label>
        <button type="submit" class="primary">Search</button>
        <a class="button" href={`/api/v1/audit/export${query({ ...params, format: 'csv' })}`} download
          data-testid="csv-export">Export CSV</a>
      </form>
      <ErrorBox error={error} />
      {page && page.entries.length === 0 && <p>No entry matches.</p>}
      {page && page.entries.length > 0 && (
        <div class="table-wrap">
          <table class="audit">
            <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Principal</th>
              <th scope="col">Action</th><th scope="col">Instrument</th><th scope="col">Outcome</th>
              <th scope="col">Target / detail</th></tr></thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.seq} data-action={e.action}>
                  <td>{e.seq}</td><td class="nowrap">{when(e.occurredAt)}</td><td>{e.principal}</td>
                  <td>{e.action}</td><td>{e.instrument || '—'}</td><td><Badge value={e.outcome} /></td>
                  <td class="small">{e.target}{e.detail ? ` — ${e.detail}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        <button type="button" onClick={newer} disabled={pages.length === 0}>← Newer</button>
        <span class="muted">page {pages.length + 1}</span>
        <button type="button" onClick={older} disabled={!page || page.nextBefore == null}>Older →</button>
      </div>
    </section>
  );
}
