// Test support: WAFv2 for the testbed, which does not serve it (open-source LocalStack answers 501 and
// its moto backend is not routed). A middleware on Gannet's real WAFV2Client, innermost (after the call
// layer, serialization and signing), records every request exactly as it would go to AWS (the JSON
// protocol's X-Amz-Target and body) and answers it the way AWS documents, from a small store of web ACLs
// and associations. Everything above the HTTP handler is the real client: what a test checks is the
// request AWS would receive.

import type { WAFV2Client } from "@aws-sdk/client-wafv2";

/** One recorded WAFv2 request. */
export interface Wafv2Request {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

interface HttpRequestLike {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

type Handler = (args: { request: unknown }) => Promise<{ response: unknown; output?: unknown }>;

/** Records WAFv2 requests and stands in for the WAFv2 endpoint the testbed lacks. */
export class Wafv2Recorder {
  readonly requests: Wafv2Request[] = [];
  private readonly webAcls = new Map<string, string>();
  private readonly associations = new Map<string, string>();
  private readonly region: string;

  constructor(region = "us-east-1") {
    this.region = region;
  }

  /** Creates a Regional web ACL in the store; returns its ARN. */
  createWebAcl(name: string): string {
    const id = crypto.randomUUID();
    const arn = `arn:aws:wafv2:${this.region}:000000000000:regional/webacl/${name}/${id}`;
    this.webAcls.set(arn, name);
    return arn;
  }

  /** The web ACL the store holds for a resource. */
  associationOf(resourceArn: string): string | undefined {
    return this.associations.get(resourceArn);
  }

  /** Installs the recorder on a client (Gannet's, from its runtime). */
  install(client: WAFV2Client): void {
    const middleware = (_next: Handler) => async (args: { request: unknown }) => {
      const request = args.request as HttpRequestLike;
      const target = request.headers["x-amz-target"] ?? request.headers["X-Amz-Target"] ?? "";
      const operation = target.split(".")[1] ?? "";
      const text =
        typeof request.body === "string"
          ? request.body
          : new TextDecoder().decode(request.body as Uint8Array);
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      this.requests.push({ operation, body });
      const [status, payload] = this.answer(operation, body);
      return {
        response: {
          statusCode: status,
          headers: {
            "content-type": "application/x-amz-json-1.1",
            ...(status >= 400 ? { "x-amzn-errortype": String(payload.__type) } : {}),
          },
          body: new TextEncoder().encode(JSON.stringify(payload)),
        },
      };
    };
    client.middlewareStack.add(middleware as never, {
      step: "deserialize",
      priority: "low",
      name: "wafv2Recorder",
    });
  }

  private answer(operation: string, body: Record<string, unknown>): [number, Record<string, unknown>] {
    const resource = String(body.ResourceArn ?? "");
    const missing = (what: string): [number, Record<string, unknown>] => [
      400,
      {
        __type: "WAFNonexistentItemException",
        Message: `AWS WAF couldn't perform the operation because your resource doesn't exist: ${what}`,
      },
    ];
    switch (operation) {
      case "GetWebACLForResource": {
        const arn = this.associations.get(resource);
        if (!arn) return [200, {}];
        const name = this.webAcls.get(arn) ?? "";
        return [200, { WebACL: { ARN: arn, Name: name, Id: arn.split("/").at(-1) } }];
      }
      case "AssociateWebACL": {
        const arn = String(body.WebACLArn ?? "");
        if (!this.webAcls.has(arn)) return missing(arn);
        this.associations.set(resource, arn);
        return [200, {}];
      }
      case "DisassociateWebACL":
        this.associations.delete(resource);
        return [200, {}];
      default:
        return [400, { __type: "WAFInvalidOperationException", Message: `${operation} is not emulated` }];
    }
  }
}
