import type { RoomEvents } from "./board-room";
import { leaveBoard } from "./departure";
import { deliverChat } from "./handlers/chat";
import { boardRoom, type ScribbleServer } from "./rooms";
import type { Context } from "./types";

/**
 * What a board's room says happened, sent to the tabs on this node only: in a cluster every node
 * applies each change (its own, and those it hears from Redis) and tells its own tabs, in the
 * order the changes were made. `ctx` is asked for when an event comes, once the server is built.
 */
export function roomEvents(io: ScribbleServer, context: () => Context): RoomEvents {
  const board = (boardId: string, except: readonly string[] = []) => io.local.to(boardRoom(boardId)).except([...except]);
  const here = (socketId: string) => io.sockets.sockets.get(socketId);
  return {
    op: (boardId, op, except) => board(boardId, except === undefined ? [] : [except]).emit("op", op),
    chat: (boardId, chat) => deliverChat(io.local, boardId, chat.message),
    joined: (boardId, user, socketId) => board(boardId, [socketId]).emit("presence:joined", user),
    left: (boardId, user, except) => {
      const ctx = context();
      ctx.cursors.remove(boardId, user.id);
      board(boardId, except).emit("presence:left", user.id);
      if (except.some(here)) ctx.log.info("left", { board: boardId, user: user.name });
    },
    counted: (boardId) => context().lobby.changed(boardId),
    state: (boardId, user, except) => board(boardId, except).emit("presence:state", { userId: user.id, state: user.state }),
    // Its connection is closed, not the tab sent away: the tab reconnects and joins again, as
    // after any lost connection, and its unacked changes go out again.
    tabsOff: (boardId, socketIds) => {
      for (const id of socketIds) if (context().boards.isOn(id, boardId)) here(id)?.conn.close();
    },
    dismissed: (boardId, socketIds, dismissal) => {
      for (const id of socketIds) {
        const tab = here(id);
        if (!tab || tab.data.boardId !== boardId) continue;
        tab.emit("board:dismissed", dismissal);
        leaveBoard(context(), tab);
      }
    },
  };
}
