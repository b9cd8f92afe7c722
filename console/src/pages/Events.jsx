import { useEffect, useState } from 'preact/hooks';
import { get, query, stream, when } from '../api.js';
import { ErrorBox, Live } from '../components.jsx';

const KEEP = 200;

/** Events for people (alerts…): the stored ones, then live; filtered by topic and Instrument. */
export function Events() {
  const [topic, setTopic] = useState('');
  const [instrument, setInstrument] = useState('');
  const [applied, setApplied] = useState({ topic: '', instrument: '' });
  const [events, setEvents] = useState([]);
  const [error, setError] = useState(null);
  const [live, setLive] = useState('connecting');
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    setError(null);
    setEvents([]);
    get(`/api/v1/events${query({ ...applied, limit: 50 })}`).then((page) => setEvents(page.events), setError);
    if (paused) return undefined;
    return stream(`/api/v1/events/stream${query({ topic: applied.topic })}`, (name, e) => {
      if (applied.instrument && e.from !== applied.instrument) return;
      setEvents((all) => (all.some((x) => x.seq === e.seq) ? all : [e, ...all].slice(0, KEEP)));
    }, setLive);
  }, [applied, paused]);
  const submit = (e) => {
    e.preventDefault();
    setApplied({ topic: topic.trim(), instrument: instrument.trim() });
  };
  return (
    <section aria-labelledby="events-title">
      <div class="title-row">
        <h1 id="events-title">Events</h1>
        {paused ? <span class="live">paused</span> : <Live state={live} />}
      </div>
      <form class="filters" onSubmit={submit} role="search" aria-label="Filter events">
        <label>Topic <input value={topic} placeholder="alerts.dns" onInput={(e) => setTopic(e.currentTarget.value)} />
        </label>
        <label>Instrument <input value={instrument} onInput={(e) => setInstrument(e.currentTarget.value)} /></label>
        <button type="submit" class="primary">Filter</button>
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume live' : 'Pause live'}</button>
      </form>
      <ErrorBox error={error} />
      {events.length === 0 && <p class="muted">No events{applied.topic ? ` on ${applied.topic}` : ''} yet.</p>}
      <ol class="feed" aria-live={paused ? 'off' : 'polite'} aria-relevant="additions">
        {events.map((e) => (
          <li key={e.seq} data-topic={e.topic}>
            <div><strong>{e.topic}</strong> from <code>{e.from}</code> <span class="muted small">
              {when(e.occurredAt)} · #{e.seq}</span></div>
            <pre class="payload">{JSON.stringify(e.payload)}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
