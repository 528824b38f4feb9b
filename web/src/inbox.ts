/**
 * Where the `<herald-inbox>` element the admin app mounts (screens/ClientInbox.tsx) reaches the
 * inbox: the API the app already calls, and the WebSocket URL config.json names on AWS (locally
 * the API's own server answers /ws, as it does every route).
 */
export interface InboxEndpoints {
  api: string;
  ws: string;
}

let endpoints: InboxEndpoints | undefined;

export function setInboxEndpoints(apiUrl: string, webSocketUrl: string | undefined): void {
  const api = new URL(apiUrl);
  endpoints = { api: apiUrl, ws: webSocketUrl ?? `${api.protocol === 'https:' ? 'wss:' : 'ws:'}//${api.host}/ws` };
}

export function inboxEndpoints(): InboxEndpoints {
  if (!endpoints) throw new Error('the inbox endpoints are not set');
  return endpoints;
}
