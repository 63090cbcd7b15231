import type { BrowserContext, WebSocketRoute } from "@playwright/test";

/**
 * Sends events on a page's own Socket.IO connection, as someone editing the page's script would:
 * same origin, same browser, same join. Every frame between the page and the server passes
 * through; the answers to forged events are kept back from the page and handed to the test.
 * Pages of the context must use WebSocket only (`?transport=websocket`).
 */
export async function forgeOn(context: BrowserContext): Promise<{ emit(event: string, payload: unknown): Promise<unknown> }> {
  let server: WebSocketRoute | undefined;
  const waiting = new Map<number, (reply: unknown) => void>();
  // Ack ids far above any the page will reach in a test.
  let nextId = 900_000;
  await context.routeWebSocket(/\/socket\.io\//, (page) => {
    const upstream = page.connectToServer();
    server = upstream;
    page.onMessage((message) => upstream.send(message));
    upstream.onMessage((message) => {
      const ack = typeof message === "string" ? /^43(\d{6})(.*)$/s.exec(message) : null;
      const resolve = ack && waiting.get(Number(ack[1]));
      if (!ack || !resolve) return page.send(message);
      waiting.delete(Number(ack[1]));
      resolve((JSON.parse(ack[2]!) as unknown[])[0]);
    });
  });
  return {
    emit(event, payload) {
      if (!server) throw new Error("the page has no Socket.IO connection yet");
      const id = nextId++;
      const sent = server;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        sent.send(`42${id}${JSON.stringify([event, payload])}`);
      });
    },
  };
}
