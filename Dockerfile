# The image of `gannet controller` (deploy/controller/deployment.yaml): one bundled file on Node 24.
#
#   docker build -t gannet:0.1.0 .
#
# The bundle (npm run build:controller) leaves out the AWS SDK code Gannet never calls and needs no
# node_modules at run time. AWS credentials come from the pod's ServiceAccount: IRSA (an
# eks.amazonaws.com/role-arn annotation) or an EKS Pod Identity association; none are in the image.
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY scripts/build-controller.ts ./scripts/
RUN node scripts/build-controller.ts

FROM node:24-slim
# Memory: a small young generation and two malloc arenas keep a replica with 5,000 Ingresses and
# 50,000 endpoints cached near 200 MiB (npm run bench); add --enable-source-maps to debug.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS=--max-semi-space-size=2
WORKDIR /app
COPY --from=build /src/dist/gannet.mjs /src/dist/gannet.mjs.map /src/dist/gannet.mjs.LEGAL.txt ./
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "/app/gannet.mjs"]
CMD ["controller"]
