import type { Namespace, Socket } from "socket.io";
import type { z } from "zod";
import {
  ADMIN_NAMESPACE,
  adminBoardSchema,
  adminLockSchema,
  adminRemoveSchema,
  OPERATOR,
  refuse,
  type Ack,
  type AdminClientToServerEvents,
  type AdminServerToClientEvents,
  type AdminStats,
} from "../protocol";
import { handshakeKey } from "./admission";
import { deliverManaged } from "./handlers/manage";
import { secretMatcher } from "./keys";
import { RateLimiter, TokenBucket } from "./rate-limit";
import type { Context } from "./types";

type AdminNamespace = Namespace<AdminClientToServerEvents, AdminServerToClientEvents>;
type AdminSocket = Socket<AdminClientToServerEvents, AdminServerToClientEvents>;

/** Wrong tokens one address may try: a few at once, then one every 12 seconds. */
const TOKEN_TRIES = { burst: 5, perSecond: 1 / 12 } as const;
const STATS_EVERY_MS = 1_000;

/**
 * The `/admin` namespace, for whoever runs the server: once a second, every live board with its
 * people and rates, connections, memory, refusals and drops; and lock, remove and delete. Open
 * only when ADMIN_TOKEN is set, and then only to a connection showing it (`auth: { token }`);
 * wrong tokens are refused, limited per address and logged (never what was tried).
 */
export function registerAdmin(ctx: Context): { close(): void } {
  const { config, log } = ctx;
  const admins = ctx.io.of(ADMIN_NAMESPACE) as unknown as AdminNamespace;
  const isToken = secretMatcher(config.adminToken);
  const tries = new RateLimiter(TOKEN_TRIES.burst, TOKEN_TRIES.perSecond);

  admins.use((socket, next) => {
    if (!config.adminToken) return next(new Error("The admin view is off: start the server with ADMIN_TOKEN set to turn it on."));
    const address = handshakeKey(socket.handshake, config.trustProxy);
    // Every try spends one, a right one gives it back: a guesser is held to the rate whatever it tries.
    const allowed = tries.take(address, Date.now());
    if (!allowed.ok) {
      ctx.metrics.count("adminRefusals");
      return next(new Error(`Too many wrong admin tokens from your address: try again in ${Math.ceil(allowed.retryAfterMs / 1000)} s.`));
    }
    const token: unknown = socket.handshake.auth?.token;
    if (isToken(typeof token === "string" ? token : undefined)) {
      tries.refund(address, 1);
      return next();
    }
    ctx.metrics.count("adminRefusals");
    log.warn("admin: wrong token refused", { address });
    next(new Error("Wrong admin token."));
  });

  let timer: NodeJS.Timeout | undefined;
  let last = { at: Date.now(), taken: new Map<string, { ops: number; messages: number }>() };
  const report = () => {
    const at = Date.now();
    const seconds = Math.max(0.001, (at - last.at) / 1000);
    const taken = new Map<string, { ops: number; messages: number }>();
    const memory = process.memoryUsage();
    const stats: AdminStats = {
      at,
      uptimeSeconds: Math.round(process.uptime()),
      connections: ctx.io.engine.clientsCount,
      boardsInMemory: ctx.boards.loadedCount,
      memory: { rssMb: Math.round(memory.rss / 1_048_576), heapUsedMb: Math.round(memory.heapUsed / 1_048_576) },
      boards: ctx.boards.adminBoards().map(({ taken: now, ...board }) => {
        taken.set(board.boardId, now);
        const before = last.taken.get(board.boardId) ?? now;
        const rate = (n: number) => Math.round((n / seconds) * 10) / 10;
        return { ...board, opsPerSecond: rate(now.ops - before.ops), messagesPerSecond: rate(now.messages - before.messages) };
      }),
      counters: { ...ctx.metrics.counters },
    };
    last = { at, taken };
    admins.emit("admin:stats", stats);
  };

  admins.on("connection", (socket: AdminSocket) => {
    log.info("admin connected", { socket: socket.id });
    report();
    timer ??= setInterval(report, STATS_EVERY_MS);
    socket.on("disconnect", () => {
      if (admins.sockets.size > 0) return;
      clearInterval(timer);
      timer = undefined;
    });
    // An operator clicks; a script looping on these is held to a person's pace.
    const bucket = new TokenBucket(10, 2, Date.now());
    const on = <S extends z.ZodType>(event: keyof AdminClientToServerEvents, schema: S, act: (req: z.output<S>) => Promise<Ack>) => {
      (socket.on as (ev: string, fn: (req: unknown, ack: unknown) => void) => void)(event, (req, ack) => {
        if (typeof ack !== "function") return;
        const answer = (res: Ack) => (ack as (res: Ack) => void)(res);
        if (!bucket.take(Date.now()).ok) return answer(refuse("RATE_LIMITED", "Slow down: one action at a time."));
        const parsed = schema.safeParse(req);
        if (!parsed.success) return answer(refuse("INVALID_PAYLOAD", `${event}: not a valid request.`));
        act(parsed.data).then(answer, (err: unknown) => {
          log.error("admin action failed", { event, error: String(err) });
          answer(refuse("INTERNAL", `${event} failed on the server; nothing was changed.`));
        });
      });
    };
    const operate = async (boardId: string, req: Parameters<Context["boards"]["operate"]>[1]): Promise<Ack> => {
      const res = await ctx.boards.operate(boardId, req, Date.now());
      if (!res.ok) return res;
      await deliverManaged(ctx, boardId, res);
      log.info("admin changed a board", { board: boardId, type: req.type });
      return { ok: true };
    };
    on("admin:lock", adminLockSchema, ({ boardId, locked }) => operate(boardId, { type: "settings", settings: { locked } }));
    on("admin:remove", adminRemoveSchema, ({ boardId, userId }) => operate(boardId, { type: "remove", userId }));
    on("admin:delete", adminBoardSchema, async ({ boardId }) => {
      await ctx.boards.dismiss(boardId, ctx.boards.tabsOn(boardId), { reason: "deleted", by: OPERATOR });
      await ctx.boards.deleteBoard(boardId);
      ctx.lobby.changed(boardId);
      ctx.lobby.listingChange();
      log.info("admin deleted a board", { board: boardId });
      return { ok: true };
    });
  });

  return {
    close() {
      clearInterval(timer);
      timer = undefined;
      admins.disconnectSockets(true);
    },
  };
}
