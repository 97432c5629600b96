// What the browser checks share: the built binary served in multi-user mode on a free loopback
// port with a fresh SQLite file, waited for until /healthz answers.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// `prefix` names the scratch folder (and so the check) in the system's temp folder.
export async function startServer(prefix) {
  const bin = process.env.QUIETLEGS_BIN;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const server = spawn(
    bin,
    ["serve", "--multi-user", "--addr", `127.0.0.1:${port}`, "--database", `sqlite://${join(dir, "q.db")}`],
    { stdio: ["ignore", "inherit", "pipe"], env: { ...process.env, QUIETLEGS_LOG: "warn" } },
  );
  let log = "";
  server.stderr.on("data", (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return { server, base, dir, log: () => log };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`the server did not start:\n${log}`);
}
