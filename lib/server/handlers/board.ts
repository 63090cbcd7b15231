import { activitySchema, joinRequestSchema, PROTOCOL_VERSION, refuse } from "../../protocol";
import { handshakeKey } from "../admission";
import { bind } from "../bind";
import { leaveBoard, leaveBoardRooms } from "../departure";
import { streamJoin } from "../join-stream";
import { boardRoom, ownersRoom, userRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerBoardHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, log } = ctx;
  const address = handshakeKey(socket.handshake, ctx.config.trustProxy);

  bind(ctx, socket, "board:join", joinRequestSchema, async (req) => {
    if (req.protocol !== PROTOCOL_VERSION) {
      return refuse("VERSION_MISMATCH", "This page is from another version of Scribble than the server: reload the page to carry on.");
    }
    const res = await boards.join(socket.id, req, () => ctx.claimLimits.take(address, Date.now()).ok);
    if (!res.ok) return res;
    // The connection went while the board loaded: it must not stay listed as present.
    if (!socket.connected) {
      boards.leave(socket.id);
      return;
    }
    // Taken off the board already (an owner removed it, or ended the session, while it joined):
    // it must not enter the board's rooms.
    if (boards.memberOf(socket.id)?.boardId !== res.boardId) return refuse("REMOVED", "You were taken off this board while joining it.");
    // The others heard of the join from the room's events, and of the leave of the board it was on.
    leaveBoardRooms(socket);
    const { self } = res.snapshot;
    socket.join([boardRoom(res.boardId), userRoom(res.boardId, self.id), ...(self.role === "owner" ? [ownersRoom(res.boardId)] : [])]);
    const joinId = (socket.data.joinId ?? 0) + 1;
    socket.data = { ...socket.data, boardId: res.boardId, userId: res.snapshot.self.id, joinId };
    if (res.announce) log.info("joined", { board: res.boardId, user: res.snapshot.self.name });
    // After the ack has gone (this runs once the handler has returned and bind has replied).
    setImmediate(() => {
      streamJoin(socket, res.follow, joinId).catch((err: unknown) =>
        log.error("join stream failed", { socket: socket.id, error: String(err) }),
      );
    });
    return { ok: true, ...res.snapshot };
  });

  bind(ctx, socket, "presence:state", activitySchema, { member: true }, ({ state }) => boards.setActivity(socket.id, state));

  bind(ctx, socket, "board:leave", null, () => leaveBoard(ctx, socket));

  // `disconnecting`, not `disconnect`: the others hear of the leave before any reconnect of the
  // same tab can join again. Socket.IO takes a disconnected socket out of its rooms itself.
  socket.on("disconnecting", () => {
    leaveBoardRooms(socket);
    boards.leave(socket.id);
  });
}
