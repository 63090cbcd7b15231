import type { RoomEvents } from "./board-room";
import { deliverChat } from "./handlers/chat";
import { boardRoom, type ScribbleServer } from "./rooms";

/**
 * What a board's room says happened, sent to the tabs on this node only: in a cluster every node
 * hears each stored change from Redis and sends it to its own tabs, in the order it was stored.
 */
export function roomEvents(io: ScribbleServer): RoomEvents {
  return {
    op: (boardId, op, except) => {
      const room = io.local.to(boardRoom(boardId));
      (except === undefined ? room : room.except(except)).emit("op", op);
    },
    chat: (boardId, chat) => deliverChat(io.local, boardId, chat.message),
  };
}
