/**
 * The routes of `scp-guardian local --serve` (contract: docs/contracts.md, "The `local --serve` API").
 * This table is their one definition: the server registers a handler for
 * each (./local-api.ts), answers 405 with `Allow` for the other methods on their paths, and the
 * start banner lists them from it.
 */
export const LOCAL_API_ROUTES = [
  { method: 'POST', url: '/events', does: 'an EventBridge event: 202 {"incidentId"}' },
  { method: 'POST', url: '/slack/interactions', does: "Slack's clicks and dialogs (signed)", signedBySlack: true },
  { method: 'POST', url: '/incidents/:id/decision', does: '{"decision":"APPROVE"|"OVERRIDE",...}' },
  { method: 'POST', url: '/reconcile', does: 'one sweep now ({"dryRun":true})' },
  { method: 'GET', url: '/incidents', does: 'the incidents, newest first' },
  { method: 'GET', url: '/incidents/:id', does: 'one incident, as local --json has it' },
  { method: 'GET', url: '/organization', does: 'the local organization' },
  { method: 'GET', url: '/notifications', does: 'the emails (SNS messages) sent' },
  { method: 'GET', url: '/slack/messages', does: 'what the Slack stand-in received' },
  { method: 'GET', url: '/endpoints', does: 'the Organizations and DynamoDB URLs' },
] as const;

export type LocalApiRoute = (typeof LOCAL_API_ROUTES)[number];

/** `METHOD /url` of each route, e.g. `GET /incidents/:id`: the key its handler is registered under. */
export type LocalApiRouteKey = LocalApiRoute extends infer R ? (R extends { method: infer M extends string; url: infer U extends string } ? `${M} ${U}` : never) : never;

export const routeKey = (route: LocalApiRoute) => `${route.method} ${route.url}` as LocalApiRouteKey;

/** A route's path as people write it: `/incidents/ID` for `/incidents/:id`. */
export const displayPath = (url: string) => url.replace(/:([a-z]+)/gi, (_match, name: string) => name.toUpperCase());

/**
 * The methods each path answers, as an `Allow` header lists them: a GET route answers HEAD too
 * (Fastify registers it beside every GET).
 */
export function allowedMethods(): Map<string, string[]> {
  const byUrl = new Map<string, string[]>();
  for (const route of LOCAL_API_ROUTES) {
    const methods = byUrl.get(route.url) ?? [];
    methods.push(route.method, ...(route.method === 'GET' ? ['HEAD'] : []));
    byUrl.set(route.url, methods);
  }
  return byUrl;
}

/** The banner's lines for the routes: one per route, in the table's order, each with what it does. */
export function routeLines(): string[] {
  const names = LOCAL_API_ROUTES.map((route) => `${route.method} ${displayPath(route.url)}`);
  const width = Math.max(...names.map((name) => name.length));
  return LOCAL_API_ROUTES.map((route, index) => `  ${names[index].padEnd(width)}  ${route.does}`);
}
