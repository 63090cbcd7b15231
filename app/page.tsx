import { Lobby } from "./_components/Lobby";

export default function LobbyPage() {
  return <Lobby />;
}
