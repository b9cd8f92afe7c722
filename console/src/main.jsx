import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post, whenLoggedOut, ApiError } from './api.js';
import { Overview } from './pages/Overview.jsx';
import { InstrumentPage } from './pages/Instrument.jsx';
import { Events } from './pages/Events.jsx';
import { Audit } from './pages/Audit.jsx';
import { Permissions } from './pages/Permissions.jsx';
import { Capture } from './pages/Capture.jsx';
import './style.css';

const PAGES = [
  ['#/', 'Overview'],
  ['#/events', 'Events'],
  ['#/audit', 'Audit'],
  ['#/permissions', 'Permissions'],
  ['#/capture', 'Capture'],
];

function useHash() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const changed = () => setHash(location.hash || '#/');
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function Login({ onLogin }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await post('/api/v1/login', { username, password });
      onLogin(answer.user);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'Wrong user name or password.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">SensorFleet</h1>
        <p class="muted">Fleet Management — log in</p>
        <label for="username">User name</label>
        <input id="username" name="username" autocomplete="username" value={username} required autofocus
          onInput={(e) => setUsername(e.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" value={password}
          required onInput={(e) => setPassword(e.currentTarget.value)} />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>Log in</button>
      </form>
    </main>
  );
}

function App() {
  const [user, setUser] = useState(undefined);
  const hash = useHash();
  useEffect(() => {
    whenLoggedOut(() => setUser(null));
    get('/api/v1/session').then(setUser, () => setUser(null));
  }, []);
  if (user === undefined) return <p class="loading" aria-busy="true">Loading…</p>;
  if (user === null) return <Login onLogin={setUser} />;

  const logout = async () => {
    try {
      await post('/api/v1/logout');
    } finally {
      setUser(null);
    }
  };
  let page;
  const instrument = hash.match(/^#\/instruments\/([^/?]+)$/);
  if (instrument) page = <InstrumentPage id={decodeURIComponent(instrument[1])} user={user} />;
  else if (hash === '#/events') page = <Events user={user} />;
  else if (hash === '#/audit') page = <Audit user={user} />;
  else if (hash === '#/permissions') page = <Permissions user={user} />;
  else if (hash === '#/capture') page = <Capture user={user} />;
  else page = <Overview user={user} />;
  const current = instrument ? '#/' : hash;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content</a>
      <header class="top">
        <span class="brand">SensorFleet</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.map(([href, label]) => (
              <li key={href}><a href={href} aria-current={current === href ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span data-testid="whoami">{user.username} ({user.role})</span>
          <button type="button" onClick={logout}>Log out</button>
        </span>
      </header>
      <main id="main" tabindex="-1">{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app'));
