import { useEffect, useState } from 'preact/hooks';
import { get, put, query, isAdmin, when, ApiError } from '../api.js';
import { Badge, ErrorBox } from '../components.jsx';

const ACTIONS = ['send', 'publish', 'subscribe'];
const OBJECT_HINT = { send: 'Instrument id', publish: 'topic', subscribe: 'topic', 'receive-resource': 'resource' };

/** The bus policy as a matrix: Instruments × (send, publish, subscribe); admins edit it, everyone may ask `check`. */
export function Permissions({ user }) {
  const [policy, setPolicy] = useState(null);
  const [draft, setDraft] = useState([]);
  const [instruments, setInstruments] = useState([]);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const [adding, setAdding] = useState({});
  const admin = isAdmin(user);
  const load = () => get('/api/v1/permissions').then((p) => {
    setPolicy(p);
    setDraft(p.grants);
  }, setError);
  useEffect(() => {
    load();
    get('/api/v1/instruments').then((all) => setInstruments(all.map((i) => i.id)), () => {});
  }, []);
  const subjects = [...new Set([...instruments, ...draft.map((g) => g.subject)])].sort();
  const extraActions = [...new Set(draft.map((g) => g.action))].filter((a) => !ACTIONS.includes(a));
  const columns = [...ACTIONS, ...extraActions];
  const changed = policy && JSON.stringify(policy.grants) !== JSON.stringify(draft);
  const remove = (g) => setDraft(draft.filter((x) => x !== g));
  const add = (subject, action) => {
    const key = `${subject}/${action}`;
    const object = (adding[key] || '').trim();
    if (!object) return;
    if (!draft.some((g) => g.subject === subject && g.action === action && g.object === object)) {
      setDraft([...draft, { subject, action, object }]);
    }
    setAdding({ ...adding, [key]: '' });
  };
  const save = async () => {
    setError(null);
    setSaved(null);
    try {
      const p = await put('/api/v1/permissions', { version: policy.version, grants: draft });
      setPolicy(p);
      setDraft(p.grants);
      setSaved(`Saved: policy version ${p.version}, live now.`);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 409) setSaved('Someone changed the policy meanwhile: reload it.');
    }
  };
  return (
    <section aria-labelledby="permissions-title">
      <h1 id="permissions-title">Permissions</h1>
      <p class="muted">The bus denies everything not granted here.
        {policy && ` Policy version ${policy.version}, changed ${when(policy.changedAt)}.`}
        {!admin && ' Only an admin changes it.'}</p>
      <ErrorBox error={error} />
      {saved && <p class="notice" role="status">{saved}</p>}
      {policy && (
        <div class="table-wrap">
          <table class="matrix">
            <thead><tr><th scope="col">Instrument</th>{columns.map((a) => <th scope="col" key={a}>{a}</th>)}</tr></thead>
            <tbody>
              {subjects.map((s) => (
                <tr key={s} data-subject={s}>
                  <th scope="row">{s}</th>
                  {columns.map((a) => {
                    const key = `${s}/${a}`;
                    const grants = draft.filter((g) => g.subject === s && g.action === a);
                    return (
                      <td key={a}>
                        <ul class="chips">
                          {grants.map((g) => (
                            <li key={g.object}><code>{g.object}</code>
                              {admin && <button type="button" class="chip-x" onClick={() => remove(g)}
                                aria-label={`Revoke ${s} ${a} ${g.object}`}>×</button>}</li>
                          ))}
                          {grants.length === 0 && !admin && <li class="muted">—</li>}
                        </ul>
                        {admin && (
                          <form class="add" onSubmit={(e) => { e.preventDefault(); add(s, a); }}>
                            <input aria-label={`${s} may ${a}: add ${OBJECT_HINT[a] || 'object'}`}
                              placeholder={OBJECT_HINT[a] || 'object'} value={adding[key] || ''}
                              onInput={(e) => setAdding({ ...adding, [key]: e.currentTarget.value })} />
                            <button type="submit" aria-label={`Grant ${s} ${a}`}>+</button>
                          </form>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin && policy && (
        <div class="actions">
          <button type="button" class="primary" onClick={save} disabled={!changed}>Save policy</button>
          <button type="button" onClick={() => { setDraft(policy.grants); load(); }} disabled={!changed}>
            Discard changes</button>
        </div>
      )}
      <Check subjects={subjects} />
    </section>
  );
}

function Check({ subjects }) {
  const [from, setFrom] = useState('');
  const [action, setAction] = useState('send');
  const [object, setObject] = useState('');
  const [answer, setAnswer] = useState(null);
  const [error, setError] = useState(null);
  const ask = async (e) => {
    e.preventDefault();
    setError(null);
    setAnswer(null);
    try {
      setAnswer(await get(`/api/v1/permissions/check${query({ from: from || subjects[0], action, object })}`));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="check-title" class="check">
      <h2 id="check-title">Check</h2>
      <form class="filters" onSubmit={ask}>
        <label>May <select value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
          {subjects.map((s) => <option key={s} value={s}>{s}</option>)}</select></label>
        <label>do <select value={action} onChange={(e) => setAction(e.currentTarget.value)}>
          {[...ACTIONS, 'receive-resource'].map((a) => <option key={a}>{a}</option>)}</select></label>
        <label>on <input value={object} required placeholder={OBJECT_HINT[action]}
          onInput={(e) => setObject(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">Check</button>
      </form>
      <ErrorBox error={error} />
      {answer && <p role="status" data-testid="check-answer"><Badge value={answer.allowed ? 'allowed' : 'denied'} />{' '}
        {answer.from} {answer.action} {answer.object}: {answer.reason}</p>}
    </section>
  );
}
