import { chatSendSchema, refuse, type ChatMessage } from "../../protocol";
import { bind } from "../bind";
import { boardRoom, userRoom, type ScribbleServer, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerChatHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, chatLimits } = ctx;

  bind(ctx, socket, "chat:send", chatSendSchema, { member: true }, async (req, member) => {
    const forbidden = boards.forbidden(member, "chat");
    if (forbidden) return forbidden;
    // By browser, not by user id: a person who leaves and comes back gets a new user id, not a new allowance.
    const allowed = await chatLimits.take(`${member.boardId}/${member.clientId}`, Date.now());
    if (!allowed.ok) {
      const { retryAfterMs } = allowed;
      return refuse("RATE_LIMITED", `Slow down: try again in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });
    }
    const res = await boards.postChat(member, req, Date.now());
    if (!res.ok || res.duplicate) return res.ok ? { ok: true, message: res.message } : res;
    const { message } = res;
    const { boardId } = member;
    // The tabs on this node; other nodes send it to theirs as they read it from the store.
    deliverChat(socket.local, boardId, message);
    return { ok: true, message };
  });
}

/**
 * Sends a chat message to the tabs that may see it, through `to` (this node's sockets, and not
 * the sender's tab, which has it from its ack): a direct message to the two people's own rooms
 * (all their tabs), never to the board.
 */
export function deliverChat(to: Pick<ScribbleServer, "to">, boardId: string, message: ChatMessage): void {
  const target = message.to ? to.to(userRoom(boardId, message.to.id)).to(userRoom(boardId, message.author.id)) : to.to(boardRoom(boardId));
  target.emit("chat:message", message);
}
