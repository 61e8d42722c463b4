// Emulated ALB data plane: prints the `dataplane: <ALB DNS name>:<port> -> <local URL>` lines of a running
// data plane. Usage: node test/dataplane/lines.ts [admin URL, default http://127.0.0.1:4580]

import { type AdminListener, formatDataplaneLines } from "./admin.ts";

const admin = process.argv[2] ?? `http://127.0.0.1:${process.env.GANNET_DATAPLANE_ADMIN_PORT ?? "4580"}`;
const res = await fetch(`${admin}/status`).catch((err: Error) => {
  console.error(
    `dataplane: no data plane answers at ${admin} (${err.message}): start it with bash test/dataplane/start.sh`,
  );
  process.exit(1);
});
const status = (await res.json()) as { listeners: AdminListener[] };
for (const line of formatDataplaneLines(status)) console.log(line);
