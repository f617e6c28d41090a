// Generated from the agent host's GET /openapi.json by openapi-typescript: do not edit.
// Regenerate with `pnpm gen:client` (a test fails when this file is stale).

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** whether the host and its engine answer */
        get: operations["getHealthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** this document */
        get: operations["getOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the caller's live sandboxes */
        get: operations["getSandboxes"];
        put?: never;
        /** provision a sandbox (measured against its SLA), or take one from a warm pool ({ pool }) */
        post: operations["postSandboxes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** one live sandbox */
        get: operations["getSandboxesById"];
        put?: never;
        post?: never;
        /** remove a sandbox */
        delete: operations["deleteSandboxesById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/exec": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** run a command: buffered JSON, or NDJSON lines as output arrives with Accept: application/x-ndjson; background: true starts it through the in-sandbox agent (202 {pid}) */
        post: operations["postSandboxesByIdExec"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/ttl": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** move the sandbox's expiry to ttlMs from now (within the policy's maxTtlMs of its creation) */
        post: operations["postSandboxesByIdTtl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the sandbox's own output as NDJSON; follow=1 streams until it ends */
        get: operations["getSandboxesByIdLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** read a file (octet-stream), a directory or any path as a tar (Accept: application/x-tar), or list a directory (list=1) */
        get: operations["getSandboxesByIdFiles"];
        /** write the body to the file at path (parents created), or unpack a tar into the directory at path */
        put: operations["putSandboxesByIdFiles"];
        post?: never;
        /** remove path, recursively */
        delete: operations["deleteSandboxesByIdFiles"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/stat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** what is at path (a link as a link), as the sandbox user or user */
        get: operations["getSandboxesByIdFilesStat"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the entries under a directory, depth-first to depth (1..16) */
        get: operations["getSandboxesByIdFilesList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/mkdir": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** mkdir -p path */
        post: operations["postSandboxesByIdFilesMkdir"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/move": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** rename from to to (parents of to created) */
        post: operations["postSandboxesByIdFilesMove"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/files/watch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the changes under path as they happen (NDJSON, until you disconnect) */
        get: operations["getSandboxesByIdFilesWatch"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/ports/{port}/url": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** a signed URL of the preview of port, for a browser (no token needed until it expires) */
        post: operations["postSandboxesByIdPortsByPortUrl"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/ports/{port}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the preview of port: redirects to its path with a slash */
        get: operations["getSandboxesByIdPortsByPort"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/ports/{port}/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** any method: the request passed to 127.0.0.1:PORT inside the sandbox (HTTP or a WebSocket upgrade); bearer token or a signed sbx_preview token (query or cookie) */
        get: operations["getSandboxesByIdPortsByPortAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/tunnels/{port}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** with Connection: Upgrade and Upgrade: sbx-tunnel: raw TCP to 127.0.0.1:PORT inside the sandbox */
        get: operations["getSandboxesByIdTunnelsByPort"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/pools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the host's warm pools: size, ready, refilling, hits, misses, refill p50/p95 */
        get: operations["getPools"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/runtimes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the engine's runtimes (runc, runsc, ...), which the server policy allows, and whether egress is */
        get: operations["getRuntimes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the templates built on this host (sbx template build), usable as `template: NAME` */
        get: operations["getTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** recent provisionings, newest first */
        get: operations["getProvisions"];
        put?: never;
        /** record a provisioning measured elsewhere (a browser page) */
        post: operations["postProvisions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/kpis": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** per type: SLA status, percentiles, phases, the split by source and by engine runtime (byRuntime); of the fleet, or of one agent host with ?host=, one runtime with ?runtime=. Failures by the caller's doing (callerFailures: a missing image, a command that exits before it is ready) and cancellations are counted apart and never judged */
        get: operations["getKpis"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/hosts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the agent hosts that recorded provisionings into this database, most first */
        get: operations["getHosts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** recent alerts, newest first */
        get: operations["getAlerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/perf/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the perf report of sandbox runs */
        get: operations["getPerfReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the dashboard sign-in (code= redeems a one-time login URL) */
        get: operations["getLogin"];
        put?: never;
        /** sign in to the dashboard with a token (form) */
        post: operations["postLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the dashboard */
        get: operations["get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dashboard/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the dashboard's assets */
        get: operations["getDashboardAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webcontainer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the WebContainer measuring page */
        get: operations["getWebcontainer"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/assets/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the measuring page's modules */
        get: operations["getAssetsAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/processes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** the sandbox's processes (running, and ended background ones kept with their output) */
        get: operations["getSandboxesByIdProcesses"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/processes/{pid}/output": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** re-attach to a process's output: what was kept (1 MiB per stream), then live output, then its exit */
        get: operations["getSandboxesByIdProcessesByPidOutput"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/processes/{pid}/signal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** send a signal to a process's group */
        post: operations["postSandboxesByIdProcessesByPidSignal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/processes/{pid}/stdin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** write the raw body (at most 1 MiB) to a process's stdin; eof=true closes it after */
        post: operations["postSandboxesByIdProcessesByPidStdin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandboxes/{id}/pty": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** a terminal as a WebSocket (Upgrade: websocket, bearer token): binary messages are bytes both ways, text messages JSON {"resize":{"cols","rows"}} in and one {"exit":{...}} out */
        get: operations["getSandboxesByIdPty"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Created: {
            id: string;
            result: {
                [key: string]: unknown;
            };
            phases: ({
                name: string;
                durationMs: number;
            } & {
                [key: string]: unknown;
            })[];
            /** @enum {string} */
            source?: "pool" | "cold";
            pool?: string;
        };
        Error: {
            error: {
                code: string;
                message: string;
                issues?: {
                    path: string;
                    message: string;
                }[];
            };
        };
        SandboxList: {
            sandboxes: components["schemas"]["Sandbox"][];
        };
        Sandbox: {
            id: string;
            type: string;
            /** @constant */
            state: "live";
            image: string | null;
            /** @description the engine runtime it runs on (runc, runsc), where its type has one */
            runtime: string | null;
            /** @description none (loopback only) or egress, where its type has one */
            network: string | null;
            /** @description the in-sandbox agent answers: processes, terminals and fast exec; false: commands run through the engine */
            agent: boolean;
            pool: string | null;
            /** @description ISO 8601 */
            createdAt: string;
            /** @description ISO 8601; the host's own expiry (POST .../ttl moves it) */
            expiresAt: string;
            /** @description ISO 8601: the end of the last command or file call */
            lastActiveAt: string;
        };
        ExecResult: {
            exitCode: number;
            stdout: string;
            stderr: string;
            stdoutTruncated: boolean;
            stderrTruncated: boolean;
            durationMs: number;
            /** @enum {string} */
            outcome: "success" | "timeout" | "error";
            alertFired: boolean;
        };
        ExecEvent: components["schemas"]["OutputEvent"] | components["schemas"]["ExitEvent"];
        OutputEvent: {
            /** @enum {string} */
            stream: "stdout" | "stderr";
            data: string;
            /**
             * @description present when `data` is base64 (bytes not valid UTF-8)
             * @constant
             */
            encoding?: "base64";
        };
        ExitEvent: {
            exit: {
                /** @description -1 when the command did not end by itself (timeout, error) */
                exitCode: number;
                durationMs: number;
                /** @enum {string} */
                outcome: "success" | "timeout" | "error";
                truncated: boolean;
                error?: {
                    code: string;
                    message: string;
                };
            };
        };
        Started: {
            /** @description re-attach, signal or write its stdin by this pid */
            pid: number;
        };
        TtlRequest: {
            ttlMs: number;
        };
        TtlResult: {
            expiresAt: string;
        };
        LogEvent: components["schemas"]["OutputEvent"] | components["schemas"]["LogEndEvent"];
        LogEndEvent: {
            end: {
                truncated: boolean;
            };
        };
        FileWritten: {
            path: string;
            bytes: number;
        };
        FileList: {
            path: string;
            entries: components["schemas"]["FileEntry"][];
            truncated: boolean;
        };
        FileEntry: {
            name: string;
            /** @enum {string} */
            type: "file" | "directory" | "symlink" | "other";
            size: number;
            /** @description octal permission bits, e.g. 0644 */
            mode: string;
            /** @description ISO 8601 */
            mtime: string;
            linkTarget?: string;
        };
        FilePathEntry: {
            name: string;
            /** @enum {string} */
            type: "file" | "directory" | "symlink" | "other";
            size: number;
            /** @description octal permission bits, e.g. 0644 */
            mode: string;
            /** @description ISO 8601 */
            mtime: string;
            linkTarget?: string;
            /** @description absolute path inside the sandbox */
            path: string;
        };
        FilePathList: {
            path: string;
            entries: components["schemas"]["FilePathEntry"][];
            truncated: boolean;
        };
        MkdirRequest: {
            path: string & (unknown & unknown);
            mode?: string;
            /** @description run as this user inside the sandbox (default: the sandbox's user; needs the in-sandbox agent) */
            user?: string;
        };
        MkdirResult: {
            path: string;
            created: boolean;
        };
        MoveRequest: {
            from: string & (unknown & unknown);
            to: string & (unknown & unknown);
            /** @description run as this user inside the sandbox (default: the sandbox's user; needs the in-sandbox agent) */
            user?: string;
        };
        WatchEvent: {
            /** @enum {string} */
            type: "create" | "write" | "remove" | "rename" | "chmod" | "overflow";
            path?: string;
            isDir?: boolean;
        };
        PreviewUrlRequest: {
            /** @default 3600 */
            ttlSeconds: number;
        };
        PreviewUrl: {
            url: string;
            /** @description ISO 8601 */
            expiresAt: string;
        };
        PoolList: {
            pools: ({
                name: string;
                type: string;
                size: number;
                ready: number;
                refilling: number;
                hits: number;
                misses: number;
                dropped: number;
                refillFailures: number;
                /** @description the error code that stopped the refills for good (a missing image, ...); absent while they go on */
                stoppedBy?: string;
                refillP50Ms?: number;
                refillP95Ms?: number;
            } & {
                [key: string]: unknown;
            })[];
        };
        RuntimeList: {
            /** @description the sandbox type whose engine offers them (docker) */
            type: string;
            /** @description the engine's default runtime, always allowed */
            default: string;
            /** @description whether sandboxes may ask for network "egress" (--allow-network) */
            allowNetwork: boolean;
            runtimes: {
                name: string;
                default: boolean;
                /** @description the server policy allows it (--allow-runtime) */
                allowed: boolean;
                /** @description false when registered with --network=none: loopback only */
                egress: boolean;
            }[];
        };
        TemplateList: {
            templates: {
                /** @description what `template: NAME` asks for */
                name: string;
                /** @description the content hash its latest build was made from */
                hash: string | null;
                sizeBytes: number;
                createdAt: string;
                /** @description its readiness probe, used when a request gives none */
                ready: string | null;
            }[];
        };
        ProcessList: {
            processes: components["schemas"]["ProcessInfo"][];
        };
        ProcessInfo: {
            pid: number;
            cmd: string[];
            tag?: string;
            tty: boolean;
            background: boolean;
            /** @description when it started, in milliseconds since the epoch (the sandbox clock) */
            startedAtMs: number;
            running: boolean;
            exitCode?: number;
            /** @description the signal that killed it */
            signal?: string;
        };
        ProcessOutputEvent: components["schemas"]["OutputEvent"] | components["schemas"]["ProcessExitEvent"];
        ProcessExitEvent: {
            exit: {
                /** @description -1 when the output could not be followed to the end (error) */
                exitCode: number;
                signal?: string;
                timedOut?: boolean;
                /** @description the kept output lost its oldest bytes (1 MiB kept per stream) */
                truncated: boolean;
                error?: {
                    code: string;
                    message: string;
                };
            };
        };
        SignalRequest: {
            /**
             * @description sent to the process's whole group
             * @enum {string}
             */
            signal: "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP" | "SIGQUIT" | "SIGUSR1" | "SIGUSR2";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description status (ok, degraded: results are spooled, down: the spool is full, closing), engine, store (status, spooled, oldestAgeSeconds, reason), live sandboxes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
        };
    };
    getSandboxes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description live sandboxes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxList"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    image?: string;
                    /** @description a template built on the host (sbx template build NAME), instead of image */
                    template?: string;
                    cmd?: string | string[];
                    env?: {
                        [key: string]: string;
                    };
                    /** Format: starts_with */
                    workingDir?: string & (unknown & unknown);
                    ready?: string;
                    /**
                     * @description default 'missing' from a registry the server allows (--allow-registry), else 'never'; asking another registry for a pull is 400
                     * @enum {string}
                     */
                    pull?: "never" | "missing" | "always";
                    resources?: {
                        memoryBytes?: number;
                        cpus?: number;
                        pids?: number;
                    };
                    /** @description default the server policy (read-only, tmpfs at /tmp); false under a read-only policy is 400 */
                    readOnlyRootfs?: boolean;
                    user?: string;
                    ttlMs?: number;
                    /** @description the engine runtime (runc, runsc, ...); default the engine's; the server policy allows each */
                    runtime?: string;
                    /** @description default true: run the in-sandbox agent (fast exec, processes, terminals) when it can start; false: Docker exec only */
                    agent?: boolean;
                    /**
                     * @description none (default): loopback only; egress: the engine bridge, if the server allows it
                     * @enum {string}
                     */
                    network?: "none" | "egress";
                    /** @constant */
                    type: "docker";
                    deadlineMs?: number;
                } | {
                    pool: string;
                    deadlineMs?: number;
                };
            };
        };
        responses: {
            /** @description provisioned */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Created"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no warm pool of that name */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the image is not on the engine */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many live sandboxes (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the engine is unreachable, the host is closing, or the database is unreachable and the spool is full (STORE_UNAVAILABLE) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the deadline or readiness timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the sandbox */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sandbox"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSandboxesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdExec: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    cmd: string | string[];
                    timeoutMs?: number;
                    stdin?: string;
                    cwd?: string & (unknown & unknown);
                    env?: {
                        [key: string]: string;
                    };
                    user?: string;
                    background?: boolean;
                };
            };
        };
        responses: {
            /** @description the result (JSON), or one ExecEvent a line ending with an exit line (NDJSON) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecResult"];
                    "application/x-ndjson": components["schemas"]["ExecEvent"];
                };
            };
            /** @description background: true: started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Started"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description user: the in-sandbox agent may not switch to that user */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description user or background asked of a sandbox without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many commands at once in this sandbox or for this tenant (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the command timed out (buffered form) */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdTtl: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TtlRequest"];
            };
        };
        responses: {
            /** @description the new expiry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TtlResult"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdLogs: {
        parameters: {
            query?: {
                follow?: "0" | "1";
                tail?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one LogEvent a line, an end line last */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["LogEvent"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many follow=1 log reads open at once for this tenant or this host (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description this sandbox type has no logs */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdFiles: {
        parameters: {
            query: {
                path: string & (unknown & unknown);
                list?: "0" | "1";
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the listing (list=1); else the bytes (X-Sbx-File-Mode says its mode) or a tar archive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileList"];
                    "application/octet-stream": string;
                    "application/x-tar": string;
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the policy's maxFileBytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the policy's concurrent file transfers (per tenant or in all); Retry-After says when */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description this sandbox type has no files API */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putSandboxesByIdFiles: {
        parameters: {
            query: {
                path: string & (unknown & unknown);
                mode?: string;
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description the file's bytes, or a tar archive */
        requestBody: {
            content: {
                "application/octet-stream": string;
                "application/x-tar": string;
            };
        };
        responses: {
            /** @description written */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileWritten"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the path is on the read-only root filesystem */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the policy's maxFileBytes, or a tar creating more than its maxUploadEntries */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the policy's concurrent file transfers (per tenant or in all); Retry-After says when */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description this sandbox type has no files API */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSandboxesByIdFiles: {
        parameters: {
            query: {
                path: string & (unknown & unknown);
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description PERMISSION_DENIED */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdFilesStat: {
        parameters: {
            query: {
                path: string & (unknown & unknown);
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FilePathEntry"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdFilesList: {
        parameters: {
            query: {
                path: string & (unknown & unknown);
                depth?: number;
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FilePathList"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description in the way: NOT_A_DIRECTORY, IS_A_DIRECTORY, FILE_EXISTS; or AGENT_UNAVAILABLE */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdFilesMkdir: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MkdirRequest"];
            };
        };
        responses: {
            /** @description it was there already (created: false) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MkdirResult"];
                };
            };
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MkdirResult"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description PERMISSION_DENIED for that user */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description in the way: NOT_A_DIRECTORY, IS_A_DIRECTORY, FILE_EXISTS; or AGENT_UNAVAILABLE */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdFilesMove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MoveRequest"];
            };
        };
        responses: {
            /** @description moved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        from: string;
                        to: string;
                    };
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description PERMISSION_DENIED for that user */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description in the way: NOT_A_DIRECTORY, IS_A_DIRECTORY, FILE_EXISTS; or AGENT_UNAVAILABLE */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdFilesWatch: {
        parameters: {
            query: {
                path: string & (unknown & unknown);
                recursive?: "0" | "1" | "true" | "false";
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one WatchEvent a line */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["WatchEvent"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the file watches open per tenant */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdPortsByPortUrl: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                port: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreviewUrlRequest"];
            };
        };
        responses: {
            /** @description the URL */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PreviewUrl"];
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdPortsByPort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                port: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the answer of the sandbox's server (any status it sends, any body) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a signed token in the query became a cookie of this path; go to the same URL without it */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description to .../ports/PORT/ */
            308: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the preview connections per sandbox or tenant (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description PORT_CLOSED: nothing listens on 127.0.0.1:PORT in the sandbox; PORT_FAILED: no valid HTTP answer */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdPortsByPortAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                port: string;
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the answer of the sandbox's server (any status it sends, any body) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a signed token in the query became a cookie of this path; go to the same URL without it */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over the preview connections per sandbox or tenant (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description PORT_CLOSED: nothing listens on 127.0.0.1:PORT in the sandbox; PORT_FAILED: no valid HTTP answer */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdTunnelsByPort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                port: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description switched: bytes both ways */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or nothing at the path */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description send Connection: Upgrade and Upgrade: sbx-tunnel */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description PORT_CLOSED: nothing listens there */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPools: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the warm pools */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PoolList"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRuntimes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the runtimes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RuntimeList"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no sandbox type of this host has engine runtimes */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the engine is unreachable or the host is closing */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the built templates */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateList"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the engine is unreachable or the host is closing */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getProvisions: {
        parameters: {
            query?: {
                type?: "docker" | "webcontainer";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description { rows } */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postProvisions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @constant */
                    sandboxType: "webcontainer";
                    durationMs: number;
                    /** @enum {string} */
                    status: "ok" | "sla_breach";
                    /** Format: date-time */
                    timestamp: string;
                    slaLimitMs?: unknown;
                    /** @default [] */
                    phases?: {
                        name: string;
                        startMs: number;
                        durationMs: number;
                    }[];
                    error?: {
                        name: string;
                        message: string;
                        code?: string;
                    };
                };
            };
        };
        responses: {
            /** @description recorded */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description over 16 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description rate limited (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getKpis: {
        parameters: {
            query?: {
                host?: string;
                runtime?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the KPI snapshot */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getHosts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description { rows } */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        rows: {
                            hostId: string;
                            provisionings: number;
                        }[];
                    };
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAlerts: {
        parameters: {
            query?: {
                kind?: "overhead-alert" | "sla-breach";
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description { rows } */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description invalid request: the field and the reason */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPerfReport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description count, mean, max, p95, alerts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description metrics are not enabled */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the sign-in page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description signed in: to the dashboard */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unknown code */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    postLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description token=... */
        requestBody: {
            content: {
                "application/x-www-form-urlencoded": string;
            };
        };
        responses: {
            /** @description signed in: to the dashboard */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unknown token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the dashboard */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description the sign-in page */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getDashboardAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description an asset */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no such asset */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebcontainer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getAssetsAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description an asset */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no such asset */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdProcesses: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the processes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProcessList"];
                };
            };
            /** @description invalid request: the field and the reason (a pid is an integer from 1 to 2147483647) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or no such process (PROCESS_NOT_FOUND) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdProcessesByPidOutput: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                pid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one OutputEvent a line, a ProcessExitEvent line last */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["ProcessOutputEvent"];
                };
            };
            /** @description invalid request: the field and the reason (a pid is an integer from 1 to 2147483647) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or no such process (PROCESS_NOT_FOUND) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many follows (log follows and process outputs) open at once (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdProcessesByPidSignal: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                pid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignalRequest"];
            };
        };
        responses: {
            /** @description sent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        pid: number;
                        signal: string;
                    };
                };
            };
            /** @description invalid request: the field and the reason (a pid is an integer from 1 to 2147483647) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or no such process (PROCESS_NOT_FOUND) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postSandboxesByIdProcessesByPidStdin: {
        parameters: {
            query?: {
                eof?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
                pid: string;
            };
            cookie?: never;
        };
        /** @description the bytes to write */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description written */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        pid: number;
                        bytes: number;
                        eof: boolean;
                    };
                };
            };
            /** @description invalid request: the field and the reason (a pid is an integer from 1 to 2147483647) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or no such process (PROCESS_NOT_FOUND) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is over 1 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSandboxesByIdPty: {
        parameters: {
            query?: {
                cols?: number;
                rows?: number;
                cmd?: string;
                cwd?: string & (unknown & unknown);
                user?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description switched to the WebSocket protocol */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid request: the field and the reason (a pid is an integer from 1 to 2147483647) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no or unknown bearer token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description opened by a page of another origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such sandbox (or another tenant's), or no such process (PROCESS_NOT_FOUND) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox runs without the in-sandbox agent (AGENT_UNAVAILABLE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the sandbox is gone (exited, removed, expired or idle) */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not a WebSocket upgrade */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many commands at once in this sandbox or for this tenant (Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
