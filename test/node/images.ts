// Testbed node: the images a testbed node knows, each mapped to a local program. Anything else fails
// the Pod with ErrImagePull and a message naming the image and the images known.

import { join } from "node:path";

/** What a container runs: a program and its arguments. */
export interface Program {
  readonly command: string;
  readonly args: readonly string[];
}

/** The part of a container spec that chooses its program. */
export interface ContainerImageSpec {
  readonly image?: string | undefined;
  readonly args?: readonly string[] | undefined;
}

/** One image (any tag or digest) and how to run it. */
interface KnownImage {
  readonly repositories: readonly string[];
  readonly program: (c: ContainerImageSpec) => Program;
}

/** Where the programs behind the images are. */
export interface ImagePrograms {
  /** The built Gateway API conformance echo server (test/node/echo-basic/build.sh). */
  readonly echoBasic: string;
  /** The Node binary that runs the testbed's own echo server. */
  readonly node: string;
}

/** The image of the testbed's own echo server (exists on the testbed only: test/node/README.md). */
export const TESTBED_ECHO_IMAGE = "ghcr.io/gannet-io/testbed-echo";
/** The Gateway API conformance echo server, as published. */
export const ECHO_BASIC_IMAGE = "registry.k8s.io/gateway-api/echo-basic";

/** The repository of an image reference, without its tag or digest. */
export function imageRepository(image: string): string {
  const noDigest = image.split("@")[0] ?? image;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The images a node runs, resolved to programs. */
export class ImageCatalog {
  private readonly images: readonly KnownImage[];

  constructor(programs: ImagePrograms) {
    const echoServer = join(import.meta.dirname, "echo-server.ts");
    this.images = [
      {
        // The container's command (the image's /echo-basic entrypoint) is the program itself.
        repositories: [ECHO_BASIC_IMAGE, "gcr.io/k8s-staging-gateway-api/echo-basic"],
        program: (c) => ({ command: programs.echoBasic, args: c.args ?? [] }),
      },
      {
        repositories: [TESTBED_ECHO_IMAGE],
        program: (c) => ({ command: programs.node, args: [echoServer, ...(c.args ?? [])] }),
      },
    ];
  }

  /** The repositories known, for messages. */
  known(): string[] {
    return this.images.flatMap((i) => i.repositories);
  }

  /** The program of a container, or undefined when its image is unknown. */
  resolve(c: ContainerImageSpec): Program | undefined {
    const repo = imageRepository(c.image ?? "");
    return this.images.find((i) => i.repositories.includes(repo))?.program(c);
  }
}
