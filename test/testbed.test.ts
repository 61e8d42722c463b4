// The testbed's wiring: both real servers answer, and hold what is written to them.

import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListHostedZonesByNameCommand } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { awsClients, kubeClients, uniqueSuffix } from "./support/testbed.ts";

describe("testbed", () => {
  it("kube-apiserver stores and returns a Namespace, Service, EndpointSlice and Ingress", async () => {
    const { core, discovery, networking } = kubeClients();
    const namespace = `wiring-${uniqueSuffix()}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: "web" }, spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
    });
    await discovery.createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: { name: "web-1", labels: { "kubernetes.io/service-name": "web" } },
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.20.1.10"], conditions: { ready: true } }],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
    });
    await networking.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          // Another controller's class: this wiring check must not become a Gannet group.
          ingressClassName: "not-gannet",
          rules: [
            {
              host: "web.gannet.example.com",
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: "web", port: { name: "http" } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });

    const service = await core.readNamespacedService({ name: "web", namespace });
    const slice = await discovery.readNamespacedEndpointSlice({ name: "web-1", namespace });
    const ingress = await networking.readNamespacedIngress({ name: "web", namespace });

    expect(service.spec?.ports?.[0]?.targetPort).toBe(8080);
    expect(slice.endpoints?.[0]?.addresses).toEqual(["10.20.1.10"]);
    expect(ingress.spec?.rules?.[0]?.host).toBe("web.gannet.example.com");
  });

  it("LocalStack serves ELBv2 on the seeded subnets: load balancer, target group, listener and rule", async () => {
    const { elbv2, ec2, route53 } = awsClients();
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "tag-key", Values: ["kubernetes.io/role/elb"] }] }),
    );
    const ids = (subnets.Subnets ?? []).map((s) => s.SubnetId ?? "");
    const zones = new Set((subnets.Subnets ?? []).map((s) => s.AvailabilityZone));
    const vpcId = subnets.Subnets?.[0]?.VpcId ?? "";
    const name = `wiring-${uniqueSuffix()}`;

    const lb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: name,
        Type: "application",
        Scheme: "internet-facing",
        Subnets: ids.slice(0, 2),
      }),
    );
    const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
    const tg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: "HTTP",
        Port: 80,
        TargetType: "ip",
        VpcId: vpcId,
      }),
    );
    const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? "";
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: "10.20.1.10", Port: 8080 }] }),
    );
    const listener = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Port: 80,
        Protocol: "HTTP",
        DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? "";
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["web.gannet.example.com"] } }],
        Actions: [{ Type: "forward", TargetGroupArn: tgArn }],
      }),
    );

    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    const zone = await route53.send(new ListHostedZonesByNameCommand({ DNSName: "gannet.example.com" }));
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));

    expect(zones.size).toBeGreaterThanOrEqual(2);
    expect(lb.LoadBalancers?.[0]?.DNSName).toContain(name);
    const rule = rules.Rules?.find((r) => r.Priority === "1");
    expect(rule?.Conditions?.[0]?.HostHeaderConfig?.Values).toEqual(["web.gannet.example.com"]);
    expect(
      rule?.Actions?.[0]?.TargetGroupArn ??
        rule?.Actions?.[0]?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn,
    ).toBe(tgArn);
    expect(health.TargetHealthDescriptions?.map((d) => d.Target?.Id)).toEqual(["10.20.1.10"]);
    expect(zone.HostedZones?.[0]?.Name).toBe("gannet.example.com.");
  });
});
