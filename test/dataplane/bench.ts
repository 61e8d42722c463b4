// Emulated ALB data plane: figures for a data plane running in the background (start.sh). Creates an ALB
// with one backend (on 127.1.250.240) in LocalStack, measures CreateRule-to-serving latency and requests
// per second through the listener (a bounded number of requests, loopback only), and deletes the ALB.
// Usage: bash test/dataplane/start.sh && node test/dataplane/bench.ts [requests, default 5000]

import { randomBytes } from "node:crypto";
import http from "node:http";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ServedListener } from "./dataplane.ts";
import { startEchoBackend } from "./echo-backend.ts";

const total = Number(process.argv[2] ?? "5000");
const endpoint = process.env.AWS_ENDPOINT_URL ?? "http://127.0.0.1:4566";
const admin = `http://127.0.0.1:${process.env.GANNET_DATAPLANE_ADMIN_PORT ?? "4580"}`;
const client = {
  region: "us-east-1",
  endpoint,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
};
const elbv2 = new ElasticLoadBalancingV2Client(client);
const ec2 = new EC2Client(client);
const name = `gdp-bench-${randomBytes(3).toString("hex")}`;

async function status(): Promise<{ listeners: ServedListener[]; memory: { rssBytes: number } }> {
  return (await (await fetch(`${admin}/status`)).json()) as {
    listeners: ServedListener[];
    memory: { rssBytes: number };
  };
}

function get(l: ServedListener, path: string, agent?: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(
        {
          host: l.address,
          port: l.localPort,
          path,
          headers: { host: "bench.example.com" },
          ...(agent ? { agent } : {}),
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      )
      .on("error", reject);
  });
}

const backend = await startEchoBackend("bench", "127.1.250.240");
const subnets =
  (
    await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "tag:gannet.io/testbed", Values: ["true"] }] }),
    )
  ).Subnets ?? [];
const lb = await elbv2.send(
  new CreateLoadBalancerCommand({
    Name: name,
    Subnets: subnets.slice(0, 2).map((s) => s.SubnetId ?? ""),
    Scheme: "internal",
  }),
);
const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
const dnsName = lb.LoadBalancers?.[0]?.DNSName ?? "";
const tg = await elbv2.send(
  new CreateTargetGroupCommand({
    Name: name,
    Protocol: "HTTP",
    Port: 80,
    VpcId: subnets[0]?.VpcId ?? "",
    TargetType: "ip",
    HealthCheckPath: "/healthz",
  }),
);
const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
try {
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: tgArn,
      Targets: [{ Id: backend.ip, Port: backend.port, AvailabilityZone: "all" }],
    }),
  );
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
    }),
  );
  const t0 = Date.now();
  let served: ServedListener | undefined;
  while (!served && Date.now() - t0 < 60_000) {
    served = (await status()).listeners.find((l) => l.dnsName === dnsName);
    if (!served) await new Promise((r) => setTimeout(r, 50));
  }
  if (!served) throw new Error(`the data plane at ${admin} did not serve ${dnsName} within 60 s`);
  console.log(`CreateLoadBalancer+CreateListener to serving: ${Date.now() - t0} ms`);
  const t1 = Date.now();
  await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listener.Listeners?.[0]?.ListenerArn ?? "",
      Priority: 1,
      Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/new"] } }],
      Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "202" } }],
    }),
  );
  while ((await get(served, "/new")) !== 202 && Date.now() - t1 < 60_000)
    await new Promise((r) => setTimeout(r, 25));
  console.log(`CreateRule to serving: ${Date.now() - t1} ms`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let next = 0;
  let ok = 0;
  const t2 = Date.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < total) if ((await get(served as ServedListener, "/", agent)) === 200) ok++;
    }),
  );
  const seconds = (Date.now() - t2) / 1000;
  agent.destroy();
  console.log(
    `${ok}/${total} requests answered 200 in ${seconds.toFixed(2)} s: ${Math.round(total / seconds)} req/s (16 keep-alive connections)`,
  );
  console.log(`data plane RSS: ${Math.round((await status()).memory.rssBytes / 2 ** 20)} MiB`);
} finally {
  await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
  await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })).catch(() => undefined);
  await backend.close();
}
