// One `/graphql/ws` socket (graphql-transport-ws, signed in by the session cookie) for every
// live part of the UI: the bell, an open case screen. Each subscribes with an id and a
// callback; the socket reconnects after a drop (and subscribes them all again, calling their
// `onReady` so they catch up on what they missed), and a close for ended credentials (4401)
// sends the user to the sign-in.
import { loadMe } from './graphql.js';

const subscriptions = new Map();
let socket = null;
let ready = false;
let retry = 1000;

function send(message) {
  if (socket && ready) socket.send(JSON.stringify(message));
}

function start(id, s) {
  send({ id, type: 'subscribe', payload: { query: s.query, variables: s.variables } });
  if (s.onReady) s.onReady();
}

function open() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  socket = new WebSocket(`${scheme}://${location.host}/graphql/ws`, 'graphql-transport-ws');
  socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  socket.onmessage = (event) => {
    let msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === 'connection_ack') {
      ready = true;
      retry = 1000;
      for (const [id, s] of subscriptions) start(id, s);
    } else if (msg.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong' }));
    } else if (msg.type === 'next') {
      const s = subscriptions.get(msg.id);
      if (s) s.onNext(msg.payload && msg.payload.data);
    }
  };
  socket.onclose = (event) => {
    ready = false;
    socket = null;
    if (subscriptions.size === 0) return;
    if (event.code === 4401 || event.code === 4403) { loadMe(); return; }
    setTimeout(() => { if (!socket && subscriptions.size > 0) open(); }, retry);
    retry = Math.min(retry * 2, 30000);
  };
}

/** Subscribes `query` as `id`; answers the function that ends it (the socket closes with the
 * last one). */
export function subscribe(id, query, { variables = {}, onNext, onReady } = {}) {
  const s = { query, variables, onNext, onReady };
  subscriptions.set(id, s);
  if (!socket) open();
  else if (ready) start(id, s);
  return () => {
    if (subscriptions.get(id) !== s) return;
    subscriptions.delete(id);
    send({ id, type: 'complete' });
    if (subscriptions.size === 0 && socket) { socket.close(); socket = null; ready = false; }
  };
}
