import { chatSendSchema } from "../../protocol";
import { bind } from "../bind";
import { fail } from "../reply";
import { boardRoom, userRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerChatHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, chatLimits } = ctx;

  bind(ctx, socket, "chat:send", chatSendSchema, async (req) => {
    const member = boards.memberOf(socket.id);
    if (!member) return fail("NOT_JOINED", "Join a board before chatting on it.");
    // By browser, not by user id: a person who leaves and comes back gets a new user id, not a new allowance.
    const allowed = chatLimits.take(`${member.boardId}/${member.clientId}`, Date.now());
    if (!allowed.ok) {
      return {
        ok: false,
        error: {
          code: "RATE_LIMITED",
          message: `Slow down: try again in ${Math.ceil(allowed.retryAfterMs / 1000)} s.`,
          retryAfterMs: allowed.retryAfterMs,
        },
      };
    }
    const res = await boards.postChat(socket.id, req, Date.now());
    if (!res.ok || res.duplicate) return res.ok ? { ok: true, message: res.message } : res;
    const { message, boardId } = res;
    // A direct message goes to the two people's own rooms (all their tabs), never to the board;
    // the sending tab has it from its ack.
    const to = message.to
      ? socket.to(userRoom(boardId, message.to.id)).to(userRoom(boardId, message.author.id))
      : socket.broadcast.to(boardRoom(boardId));
    to.emit("chat:message", message);
    return { ok: true, message };
  });
}
