// The console's only way to the sensor: /api/v1 on this origin, with the session cookie POST /api/v1/login set.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.errors = (body && body.errors) || [];
  }
}

let onUnauthenticated = () => {};
export function whenLoggedOut(callback) {
  onUnauthenticated = callback;
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/v1/login') onUnauthenticated();
    throw new ApiError(response.status, json);
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);

/** Query string of the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Follows a Server-Sent Event stream (read with fetch, so every event name reaches onEvent(name, data) — the event
 * stream names its events by topic), reconnecting after a drop. Returns the function that closes it.
 */
export function stream(path, onEvent, onState = () => {}) {
  const abort = new AbortController();
  let retry = null;
  const connect = async () => {
    try {
      const response = await fetch(path, { credentials: 'same-origin', signal: abort.signal,
        headers: { Accept: 'text/event-stream' } });
      if (response.status === 401) {
        onUnauthenticated();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      onState('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let name = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) name = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) onEvent(name, JSON.parse(data.join('\n')));
        }
      }
      throw new Error('stream ended');
    } catch (e) {
      if (abort.signal.aborted) return;
      console.warn(`${path}: ${e}; reconnecting`);
      onState('reconnecting');
      retry = setTimeout(connect, 2000);
    }
  };
  connect();
  return () => {
    abort.abort();
    clearTimeout(retry);
  };
}

export const canOperate = (user) => user && (user.role === 'operator' || user.role === 'admin');
export const isAdmin = (user) => user && user.role === 'admin';

export function when(instant) {
  if (!instant) return '—';
  const d = new Date(instant);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function ago(instant, now = Date.now()) {
  if (!instant) return '';
  const s = Math.max(0, Math.round((now - new Date(instant).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
