import type { Metadata } from "next";
import { AdminConsole } from "../_components/AdminConsole";

export const metadata: Metadata = { title: "Scribble admin", referrer: "no-referrer" };

export default function Page() {
  return <AdminConsole />;
}
