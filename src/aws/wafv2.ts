// AWS adapter: the narrow WAFv2 port (the web ACL associated with a group's ALB, `wafv2-acl-arn`).
// Only Regional web ACLs protect an ALB; the association is read, set and removed by the ALB's ARN.

import {
  AssociateWebACLCommand,
  DisassociateWebACLCommand,
  GetWebACLForResourceCommand,
  type WAFV2Client,
} from "@aws-sdk/client-wafv2";

/** The WAFv2 calls Gannet makes. */
export class Wafv2Port {
  private readonly client: WAFV2Client;

  constructor(client: WAFV2Client) {
    this.client = client;
  }

  /** The ARN of the web ACL associated with a resource, or undefined when there is none. */
  async getWebAclForResource(resourceArn: string): Promise<string | undefined> {
    const res = await this.client.send(new GetWebACLForResourceCommand({ ResourceArn: resourceArn }));
    return res.WebACL?.ARN;
  }

  /** Associates a web ACL with a resource, replacing any other. */
  async associateWebAcl(webAclArn: string, resourceArn: string): Promise<void> {
    await this.client.send(new AssociateWebACLCommand({ WebACLArn: webAclArn, ResourceArn: resourceArn }));
  }

  /** Removes the web ACL association of a resource (no error when there is none). */
  async disassociateWebAcl(resourceArn: string): Promise<void> {
    await this.client.send(new DisassociateWebACLCommand({ ResourceArn: resourceArn }));
  }
}
