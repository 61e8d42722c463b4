// Plan stage: the changes a reconcile makes, as plain data in the order they must run.
// References to things that may not exist yet (the group's ALB, security group, a target group by
// key, a listener by port) are resolved by apply as earlier changes create them.

import type {
  DesiredBackendSecurityGroup,
  DesiredLoadBalancer,
  DesiredSecurityGroup,
  DesiredTargetGroup,
  HealthCheck,
  RuleAction,
  RuleCondition,
  RuleTransform,
  Target,
} from "../model/desired.ts";
import type { PortCidr } from "../types/alb.ts";

/** One AWS change. `reason` says why, for `gannet plan` and Events. */
export type Change =
  | { readonly kind: "createSecurityGroup"; readonly securityGroup: DesiredSecurityGroup }
  | { readonly kind: "authorizeIngress"; readonly rules: readonly PortCidr[] }
  | { readonly kind: "revokeIngress"; readonly securityGroupId: string; readonly rules: readonly PortCidr[] }
  | { readonly kind: "deleteSecurityGroup"; readonly securityGroupId: string; readonly name: string }
  | { readonly kind: "createLoadBalancer"; readonly loadBalancer: DesiredLoadBalancer }
  | { readonly kind: "setSubnets"; readonly loadBalancerArn: string; readonly subnetIds: readonly string[] }
  /** The ALB's security groups become the desired set (the user's, or the managed one; plus the backend one). */
  | { readonly kind: "setSecurityGroups"; readonly loadBalancerArn: string }
  | { readonly kind: "modifyLoadBalancerAttributes"; readonly attributes: Readonly<Record<string, string>> }
  | { readonly kind: "associateWebAcl"; readonly webAclArn: string }
  | { readonly kind: "disassociateWebAcl"; readonly loadBalancerArn: string; readonly webAclArn: string }
  | {
      readonly kind: "modifyTargetGroupAttributes";
      readonly key: string;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: "modifyListenerAttributes";
      readonly port: number;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | { readonly kind: "createBackendSecurityGroup"; readonly securityGroup: DesiredBackendSecurityGroup }
  /** Opens `ports` of a target's security group (not Gannet's) to the backend security group. */
  | {
      readonly kind: "authorizeBackendRules";
      readonly securityGroupId: string;
      readonly ports: readonly number[];
    }
  | {
      readonly kind: "revokeBackendRules";
      readonly securityGroupId: string;
      readonly ruleIds: readonly string[];
      readonly ports: readonly number[];
    }
  | {
      readonly kind: "setIpAddressType";
      readonly loadBalancerArn: string;
      readonly ipAddressType: "ipv4" | "dualstack";
    }
  | { readonly kind: "deleteLoadBalancer"; readonly loadBalancerArn: string; readonly name: string }
  | { readonly kind: "createTargetGroup"; readonly targetGroup: DesiredTargetGroup }
  | {
      readonly kind: "modifyTargetGroup";
      readonly targetGroupArn: string;
      readonly key: string;
      readonly healthCheck: HealthCheck;
    }
  | { readonly kind: "registerTargets"; readonly key: string; readonly targets: readonly Target[] }
  | {
      readonly kind: "deregisterTargets";
      readonly targetGroupArn: string;
      readonly key: string;
      readonly targets: readonly Target[];
    }
  | { readonly kind: "deleteTargetGroup"; readonly targetGroupArn: string; readonly name: string }
  | {
      readonly kind: "createListener";
      readonly port: number;
      readonly protocol: "HTTP" | "HTTPS";
      readonly defaultActions: readonly RuleAction[];
      readonly sslPolicy?: string;
      readonly certificateArn?: string;
    }
  | {
      readonly kind: "modifyListener";
      readonly listenerArn: string;
      readonly port: number;
      readonly protocol: "HTTP" | "HTTPS";
      readonly defaultActions: readonly RuleAction[];
      readonly sslPolicy?: string;
      readonly certificateArn?: string;
    }
  | { readonly kind: "deleteListener"; readonly listenerArn: string; readonly port: number }
  | {
      readonly kind: "addListenerCertificates";
      readonly port: number;
      readonly certificateArns: readonly string[];
    }
  | {
      readonly kind: "removeListenerCertificates";
      readonly listenerArn: string;
      readonly port: number;
      readonly certificateArns: readonly string[];
    }
  | {
      readonly kind: "deleteRule";
      readonly ruleArn: string;
      readonly port: number;
      readonly priority: number;
    }
  | {
      readonly kind: "modifyRule";
      readonly ruleArn: string;
      readonly port: number;
      readonly conditions: readonly RuleCondition[];
      readonly actions: readonly RuleAction[];
      /** Replace the rule's transforms with these; empty with `resetTransforms` removes them. */
      readonly transforms: readonly RuleTransform[];
      /** True when the rule has transforms and should have none (ModifyRule's ResetTransforms). */
      readonly resetTransforms: boolean;
    }
  | {
      readonly kind: "setRulePriorities";
      readonly port: number;
      readonly priorities: readonly { readonly ruleArn: string; readonly priority: number }[];
    }
  | {
      readonly kind: "createRule";
      readonly port: number;
      readonly priority: number;
      readonly conditions: readonly RuleCondition[];
      readonly actions: readonly RuleAction[];
      readonly transforms: readonly RuleTransform[];
    };

/** The kinds of change, for counting. */
export type ChangeKind = Change["kind"];

function conditionText(conditions: readonly RuleCondition[]): string {
  return conditions
    .map((c) => {
      const values =
        "regexValues" in c && c.regexValues?.length ? c.regexValues.map((r) => `~${r}`) : c.values;
      return c.field === "http-header"
        ? `${c.headerName}=${values.join("|")}`
        : `${c.field}=${JSON.stringify(values)}`;
    })
    .join(" ");
}

function attributeText(attributes: Readonly<Record<string, string>>): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function transformText(transforms: readonly RuleTransform[] | undefined): string {
  return transforms?.length ? ` (${transforms.map((t) => t.type).join(", ")})` : "";
}

/** One human line for a change, as `gannet plan` prints it. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case "createSecurityGroup":
      return `create security group ${c.securityGroup.name}`;
    case "authorizeIngress":
      return `open ${c.rules.map((r) => `${r.port}/${r.cidr}`).join(", ")} on the security group`;
    case "revokeIngress":
      return `close ${c.rules.map((r) => `${r.port}/${r.cidr}`).join(", ")} on ${c.securityGroupId}`;
    case "deleteSecurityGroup":
      return `delete security group ${c.name} (${c.securityGroupId})`;
    case "createLoadBalancer":
      return `create ${c.loadBalancer.scheme} ALB ${c.loadBalancer.name} in ${c.loadBalancer.subnetIds.join(",")}`;
    case "setSubnets":
      return `set ALB subnets to ${c.subnetIds.join(",")}`;
    case "setSecurityGroups":
      return "set the ALB's security groups";
    case "modifyLoadBalancerAttributes":
      return `set ALB attributes ${attributeText(c.attributes)}`;
    case "associateWebAcl":
      return `associate web ACL ${c.webAclArn} with the ALB`;
    case "disassociateWebAcl":
      return `remove web ACL ${c.webAclArn} from the ALB`;
    case "modifyTargetGroupAttributes":
      return `set attributes of target group ${c.key}: ${attributeText(c.attributes)}`;
    case "modifyListenerAttributes":
      return `set attributes of listener ${c.port}: ${attributeText(c.attributes)}`;
    case "createBackendSecurityGroup":
      return `create backend security group ${c.securityGroup.name}`;
    case "authorizeBackendRules":
      return `open port(s) ${c.ports.join(", ")} of ${c.securityGroupId} to the backend security group`;
    case "revokeBackendRules":
      return `close port(s) ${c.ports.join(", ")} of ${c.securityGroupId} to the backend security group`;
    case "setIpAddressType":
      return `set the ALB's IP address type to ${c.ipAddressType}`;
    case "deleteLoadBalancer":
      return `delete ALB ${c.name}`;
    case "createTargetGroup":
      return `create target group ${c.targetGroup.name} for ${c.targetGroup.key}`;
    case "modifyTargetGroup":
      return `update health check of target group ${c.key}`;
    case "registerTargets":
      return `register ${c.targets.length} target(s) in ${c.key}: ${c.targets.map((t) => `${t.id}:${t.port}`).join(", ")}`;
    case "deregisterTargets":
      return `deregister ${c.targets.length} target(s) from ${c.key}: ${c.targets.map((t) => `${t.id}:${t.port}`).join(", ")}`;
    case "deleteTargetGroup":
      return `delete target group ${c.name}`;
    case "createListener":
      return `create ${c.protocol} listener on port ${c.port}`;
    case "modifyListener":
      return `update listener ${c.port} (default action, policy or certificate)`;
    case "deleteListener":
      return `delete listener on port ${c.port}`;
    case "addListenerCertificates":
      return `add ${c.certificateArns.length} SNI certificate(s) to listener ${c.port}`;
    case "removeListenerCertificates":
      return `remove ${c.certificateArns.length} SNI certificate(s) from listener ${c.port}`;
    case "deleteRule":
      return `delete rule ${c.priority} on listener ${c.port}`;
    case "modifyRule":
      return `update rule on listener ${c.port}: ${conditionText(c.conditions)}${transformText(c.transforms)}`;
    case "setRulePriorities":
      return `reorder ${c.priorities.length} rule(s) on listener ${c.port}`;
    case "createRule":
      return `create rule ${c.priority} on listener ${c.port}: ${conditionText(c.conditions)}${transformText(c.transforms)}`;
  }
}

/** True for changes that remove something (used to order and to report). */
export function isDeletion(c: Change): boolean {
  return (
    c.kind.startsWith("delete") ||
    c.kind.startsWith("remove") ||
    c.kind === "revokeIngress" ||
    c.kind === "revokeBackendRules" ||
    c.kind === "disassociateWebAcl" ||
    c.kind === "deregisterTargets"
  );
}
