/* Generated from the OpenAPI document (functions/api/openapi.ts) by `npm run web:types`; do not edit. */
export interface paths {
    "/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List campaigns with their counts */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of campaigns */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignPage"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Add a campaign
         * @description Starts at once when startAt is reached, otherwise at startAt.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewCampaign"];
                };
            };
            responses: {
                /** @description The campaign */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/campaigns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One campaign with its counts, suppressed clients and audience */
        get: {
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
                /** @description The campaign */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Remove or stop a campaign
         * @description Scheduled: removed with its schedule. Running or paused: stopped; no provider call starts for it after the answer. Finished or cancelled: 409.
         */
        delete: {
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
                /** @description Removed or stopped */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Change a campaign
         * @description Scheduled: any field, and the schedule follows. Running or paused: only endAt. Finished or cancelled: 409.
         */
        patch: {
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
                    "application/json": components["schemas"]["CampaignPatch"];
                };
            };
            responses: {
                /** @description The changed campaign */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/campaigns/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a running campaign
         * @description Running -> paused. No provider call starts for it after the answer; the fan-out stops where it is. It still ends at endAt, where what is open expires. Any other status: 409.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The paused campaign */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/campaigns/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused campaign
         * @description Paused -> running: delivery goes on where it stopped, no message twice. Any other status: 409.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The running campaign */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Campaign"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/campaigns/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A recurring campaign's runs
         * @description Each run is a campaign of its own (recurringId, occurrence, its own counts), oldest occurrence first. A one-off campaign has none.
         */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of runs */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignPage"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/campaigns/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A campaign's counts and its messages */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                    status?: "queued" | "sent" | "failed" | "expired" | "cancelled";
                    /** @description true: also recount from the stored messages (reads every chunk) and say whether the counters agree. */
                    verify?: "true" | "false";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Counts and a page of messages */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CampaignStats"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/campaigns/audience": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Count the clients a filter matches
         * @description The audience a campaign with this filter would have now, opted-out clients included. Nothing is stored.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AudienceRequest"];
                };
            };
            responses: {
                /** @description The count */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Audience"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/campaigns/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Render a campaign text and count its SMS segments
         * @description Renders the template for the client given, or with each variable as a placeholder such as <name>, and answers the GSM-7 or UCS-2 encoding, the characters and the segments it costs. Nothing is stored.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PreviewRequest"];
                };
            };
            responses: {
                /** @description The rendered text and its cost */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Preview"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List clients */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                    operatorCode?: string;
                    /** @description The client with this phone (at most one; tag and operatorCode, if given, must match too). */
                    phone?: string;
                    tag?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of clients */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ClientPage"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /** Add a client */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewClient"];
                };
            };
            responses: {
                /** @description The client */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Client"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One client */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Client id. */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Client"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove a client */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Client id. */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Removed */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a client */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Client id. */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ClientPatch"];
                };
            };
            responses: {
                /** @description The changed client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Client"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/clients/{id}/inbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A client's inbox, as its app sees it */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                    /** @description unread: only the unread items; all (the default): every item. */
                    status?: "all" | "unread";
                };
                header?: never;
                path: {
                    /** @description Client id. */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of items, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxPage"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/{id}/inbox-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A token for the client's app to read its inbox
         * @description An HS256 JWT whose sub is the client id, valid `ttlSeconds` (60 to 86,400, default 3,600). The operator backend hands it to the app; the app sends it as Authorization: Bearer <token>.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path: {
                    /** @description Client id. */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: {
                content: {
                    "application/json": components["schemas"]["InboxTokenRequest"];
                };
            };
            responses: {
                /** @description The token */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxToken"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/clients/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add up to 1,000 clients
         * @description Each row is created as POST /clients would create it; `results` gives each row the status it would have had alone (201, 400, 409) and, when refused, its problem. A phone an earlier row of the batch has is 409.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ClientBatch"];
                };
            };
            responses: {
                /** @description One result per row */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ClientBatchResult"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/event-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List event types */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of event types */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventTypePage"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/event-types/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One event type */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event type */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventType"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        /**
         * Create or replace an event type
         * @description What an event of this type does: 1 to 5 steps, each a message on its channel `delaySeconds` after the event. Each step is checked for its channel as a campaign's template (400 naming steps[i].field). Events already fired keep the steps they were fired with.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    key: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewEventType"];
                };
            };
            responses: {
                /** @description Replaced */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventType"];
                    };
                };
                /** @description Created */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventType"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        post?: never;
        /** Delete an event type (events already fired go on) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    key: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fire an event for one client
         * @description Each step of the type becomes a message on its channel, at once or after its delay. When a step is due, a client opted out of its channel or without an address for it, or (unlessRead) who has read an earlier in-app step's item, skips it. Unknown type or client: 404; a variable a step uses and the event does not give: 400 naming variables. With an Idempotency-Key the event's id comes from the key, so a retry after a failed request goes on with the same event; the key on another firing (another type, client or variables) is 409 naming Idempotency-Key.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewEvent"];
                };
            };
            responses: {
                /** @description Accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventAccepted"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An event and each step's status */
        get: {
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
                /** @description The event */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Event"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/inbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The end user's inbox (Authorization: Bearer <inbox token>) */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Page size, 1 to 100. */
                    limit?: number;
                    /** @description unread: only the unread items; all (the default): every item. */
                    status?: "all" | "unread";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of items, newest first */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxPage"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer). */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/inbox/{itemId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Archive one item: no longer listed (Authorization: Bearer <inbox token>) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description Inbox item id. */
                    itemId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Archived */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer). */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/inbox/{itemId}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one item read (Authorization: Bearer <inbox token>) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path: {
                    /** @description Inbox item id. */
                    itemId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The item */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxItem"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer). */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/inbox/{itemId}/unread": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one item unread (Authorization: Bearer <inbox token>) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path: {
                    /** @description Inbox item id. */
                    itemId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The item */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxItem"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer). */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/inbox/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The unread count (Authorization: Bearer <inbox token>) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The unread count */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxCount"];
                    };
                };
                /** @description A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer). */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/inbox/read-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark every item read, in constant work (Authorization: Bearer <inbox token>) */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Nothing unread */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["InboxCount"];
                    };
                };
                /** @description A missing, forged, expired or wrong-audience inbox token (Authorization: Bearer). */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One message by id (the provider msgId) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The message */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Message"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/notices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send one message to one client now
         * @description Renders the text for the client (its variables and `variables`) and queues it at once, through the same sender, retries and dead-letter queue as campaign messages. Unknown client: 404; opted-out client: 409; bad template: 400 naming text. Nothing is queued when refused.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewNotice"];
                };
            };
            responses: {
                /** @description Queued; the id is the notice (and the provider msgId) */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["NoticeAccepted"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Body too large. */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Content-Type is not application/json. */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/notices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One notice and its delivery status */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The notice */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Notice"];
                    };
                };
                /** @description Invalid request: the offending fields are named in `errors`. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Campaigns with their counts (paginated), and totals */
        get: {
            parameters: {
                query?: {
                    /** @description The nextCursor of the previous page of this same list (same route, tag, operatorCode or campaign); any other value is a 400 naming cursor. */
                    cursor?: string;
                    /** @description Campaigns per page, 1 to 100. */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Overall statistics */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OverallStats"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/unsubscribe/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The confirm page of an unsubscribe link (changes nothing)
         * @description Public (no signature on AWS). An HTML page asking to confirm, whose button POSTs to the same URL; mail scanners fetch links, so this changes nothing. A token Herald did not sign, or whose client is gone: 404.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The opaque, signed token of an unsubscribe link (from an e-mail's List-Unsubscribe header or {{ unsubscribeUrl }}). */
                    token: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The confirm page */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Unsubscribe: opt the client out of the channel the link names
         * @description Public (no signature on AWS): RFC 8058 one-click unsubscribe (a mail client POSTs `List-Unsubscribe=One-Click`) or the confirm page's button; the body is not read. The client's optOuts gains the channel and its address goes on the suppression list; again, it changes nothing. A token Herald did not sign, or whose client is gone: 404, and nothing changes.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description A repeat with the same key and body within 24 h answers what the first answered and does nothing else; a repeat while the first runs is 409. */
                    "Idempotency-Key"?: string;
                };
                path: {
                    /** @description The opaque, signed token of an unsubscribe link (from an e-mail's List-Unsubscribe header or {{ unsubscribeUrl }}). */
                    token: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Unsubscribed */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description No such resource. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Conflict: the phone or email belongs to another client, or the campaign no longer allows the change. */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description The Idempotency-Key was already used with another body on this path. */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
                /** @description Internal error. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/problem+json": components["schemas"]["Problem"];
                    };
                };
            };
        };
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
        Audience: {
            /**
             * @description Clients the filter matches now, opted-out ones included (a COUNT on the filter index, as GET /campaigns/{id} estimates it).
             * @example 120
             */
            audience: number;
        };
        /**
         * @example {
         *       "filter": {
         *         "operatorCodes": [
         *           "900"
         *         ],
         *         "tags": [
         *           "vip"
         *         ]
         *       }
         *     }
         */
        AudienceRequest: {
            filter?: components["schemas"]["CampaignFilter"];
        };
        Campaign: {
            /**
             * @description Matching clients, suppressed and unreachable ones included: counted by the fan-out once it is done; estimated from the directory before (a COUNT query on the filter index). Given by GET /campaigns/{id}.
             * @example 120
             */
            audience?: number;
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel: "sms" | "email" | "inapp";
            counts: components["schemas"]["Counts"];
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            /** @description On an e-mail campaign: its messages by what SES reported of them, each counted once under its latest report (a complaint after a delivery counts as a complaint). */
            emailEvents?: {
                bounced: number;
                complained: number;
                delivered: number;
            };
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            endAt: string;
            filter: components["schemas"]["CampaignFilter"];
            /** @description E-mail: the html part template. */
            html?: string;
            id: string;
            /**
             * @description Provider calls for this campaign start at no more than this many a second, over every sender.
             * @example 50
             */
            maxPerSecond?: number;
            /**
             * Format: date-time
             * @description On a run: the occurrence it is the run of.
             * @example 2030-01-01T06:00:00.000Z
             */
            occurrence?: string;
            /** @description On a recurring campaign, which sends nothing itself (its counts stay zero): each occurrence starts a run. */
            recurrence?: {
                cron?: string;
                rate?: string;
                runMinutes: number;
                timezone: string;
            };
            /** @description On a run: the recurring campaign it belongs to. */
            recurringId?: string;
            sendWindow?: components["schemas"]["SendWindow"];
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            startAt: string;
            /** @enum {string} */
            status: "scheduled" | "running" | "paused" | "finished" | "cancelled";
            /** @description E-mail: the subject template. */
            subject?: string;
            /**
             * @description Matching clients that got no message because they opted out of the campaign's channel or their address for it is on the suppression list (not a message status).
             * @example 2
             */
            suppressed: number;
            /** @description An SMS's text; an e-mail's plain-text part or an in-app message's text ('' when none was given). */
            text: string;
            /** @description In-app: the title template. */
            title?: string;
            total: number;
            /**
             * @description Matching clients that got no message because they have no address on the campaign's channel: no phone for sms, no email for email.
             * @example 0
             */
            unreachable: number;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            updatedAt: string;
            /** @description In-app: the link. */
            url?: string;
        };
        /** @description A client matches when it matches every list given; no filter means every client. */
        CampaignFilter: {
            operatorCodes?: string[];
            tags?: string[];
        };
        CampaignPage: {
            items: components["schemas"]["Campaign"][];
            /** @description Opaque: the cursor of the next page of this list; null on the last page */
            nextCursor: string | null;
        };
        /** @description While scheduled every field may change; once running only endAt. A recurring campaign: every field until it is finished or cancelled (startAt only before it starts); the runs to come follow. */
        CampaignPatch: {
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel?: "sms" | "email" | "inapp";
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00+03:00
             */
            endAt?: string;
            filter?: components["schemas"]["CampaignFilter"];
            /**
             * @description E-mail only: the html part, a Liquid template whose every {{ }} output is HTML-escaped. Each e-mail part renders to at most 100 KB.
             * @example <p>Hello {{ name }}</p><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
             */
            html?: string;
            /**
             * @description Provider calls for this campaign start at no more than this many a second, over every sender.
             * @example 50
             */
            maxPerSecond?: number;
            recurrence?: components["schemas"]["Recurrence"];
            sendWindow?: components["schemas"]["SendWindow"];
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00+03:00
             */
            startAt?: string;
            /**
             * @description E-mail only, required there: a Liquid template (the variables of text, and unsubscribeUrl), rendered on one line.
             * @example News for {{ name | default: "you" }}
             */
            subject?: string;
            /**
             * @description A Liquid template rendered per client at send time: an SMS's text (at most 1,000 characters), an e-mail's plain-text part, an in-app message's text. Variables: name, phone, tag, operatorCode, timezone, attributes.<key> (and unsubscribeUrl in an e-mail); a syntax error or an unknown variable is refused (400 naming text, with line and column), and so is a text that, rendered once with placeholders, runs past the render limits or past its channel's size (1,600 characters for an SMS). A message that renders past it for its client fails.
             * @example Hello {{ name | default: "friend" }}, news from {{ attributes.city | default: "your city" }}!
             */
            text?: string;
            /**
             * @description In-app only, required there: a Liquid template rendered to at most 200 characters (the in-app text to at most 2,000).
             * @example Hello {{ name }}
             */
            title?: string;
            /**
             * @description In-app only: an https: URL or a path relative to the app (starting with /).
             * @example /orders/42
             */
            url?: string;
        };
        CampaignStats: {
            campaignId: string;
            /** @description With verify=true: whether the counters equal the recount (a running campaign may lag by what the tally has not yet read). */
            consistent?: boolean;
            counts: components["schemas"]["Counts"];
            messages: components["schemas"]["MessagePage"];
            recount?: components["schemas"]["Counts"] & unknown;
            /** @enum {string} */
            status: "scheduled" | "running" | "paused" | "finished" | "cancelled";
            total: number;
        };
        CampaignSummary: {
            counts: components["schemas"]["Counts"];
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            endAt: string;
            id: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            startAt: string;
            /** @enum {string} */
            status: "scheduled" | "running" | "paused" | "finished" | "cancelled";
            total: number;
        };
        Client: {
            /**
             * @description Up to 20 string values (at most 200 characters each) under keys matching ^[a-z][a-z0-9_]{0,31}$; templates read them as attributes.<key>.
             * @example {
             *       "city": "Kazan",
             *       "plan": "gold"
             *     }
             */
            attributes?: {
                [key: string]: string;
            };
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: email
             * @description At most 254 characters, stored lower-cased; unique among clients like phone.
             * @example anna@example.com
             */
            email?: string;
            id: string;
            /** @example Anna */
            name?: string;
            /** @example 900 */
            operatorCode?: string;
            /**
             * @description Opted out of every channel: the client gets no campaign message on any; its addresses stay on the suppression list after the client is deleted.
             * @example false
             */
            optedOut: boolean;
            /**
             * @description The channels the client opted out of, in the order sms, email, inapp; [] when none.
             * @example [
             *       "email"
             *     ]
             */
            optOuts: ("sms" | "email" | "inapp")[];
            /** @example 79001234567 */
            phone?: string;
            /** @example vip */
            tag?: string;
            timezone: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            updatedAt: string;
        };
        /** @description 1 to 1000 new clients, each as POST /clients takes it. */
        ClientBatch: {
            clients: unknown[];
        };
        ClientBatchResult: {
            created: number;
            failed: number;
            results: {
                error?: components["schemas"]["Problem"];
                /** @description The new client, on 201. */
                id?: string;
                /** @description The row in `clients`, from 0. */
                index: number;
                /** @description What POST /clients would have answered for the row alone. */
                status: 201 | 400 | 409;
            }[];
        };
        ClientPage: {
            items: components["schemas"]["Client"][];
            /** @description Opaque: the cursor of the next page of this list; null on the last page */
            nextCursor: string | null;
        };
        ClientPatch: {
            /**
             * @description Merged key by key: a string sets the key, null removes it; attributes: null removes them all. At most 20 keys remain.
             * @example {
             *       "city": "Moscow",
             *       "plan": null
             *     }
             */
            attributes?: {
                [key: string]: string | null;
            } | null;
            /**
             * Format: email
             * @description null removes the email, while the client has a phone
             * @example anna@example.com
             */
            email?: string | null;
            /**
             * @description null removes the name
             * @example Anna
             */
            name?: string | null;
            /** @example 900 */
            operatorCode?: string;
            /**
             * @description true opts the client out of every channel (and suppresses its addresses); false lifts it, suppression included, except for the channels optOuts names.
             * @example false
             */
            optedOut?: boolean;
            /**
             * @description Replaces the set: a channel added opts out of it (its address goes on the suppression list), a channel removed opts back in (its address comes off).
             * @example [
             *       "email"
             *     ]
             */
            optOuts?: ("sms" | "email" | "inapp")[];
            /**
             * @description null removes the phone, while the client has an email
             * @example 79001234567
             */
            phone?: string | null;
            /**
             * @description null removes the tag
             * @example vip
             */
            tag?: string | null;
            /** @example Europe/Moscow */
            timezone?: string;
        };
        /** @description Messages by status; every status is present, zeros included. */
        Counts: {
            cancelled: number;
            expired: number;
            failed: number;
            queued: number;
            sent: number;
        };
        Event: {
            clientId: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            id: string;
            steps: {
                /**
                 * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
                 * @example sms
                 * @enum {string}
                 */
                channel: "sms" | "email" | "inapp";
                index: number;
                /** @description The step's notice (GET /notices/{id}), once it is queued. */
                messageId?: number;
                /**
                 * @description Why a skipped step was not sent.
                 * @enum {string}
                 */
                reason?: "opted-out" | "unreachable" | "read";
                /** @enum {string} */
                status: "scheduled" | "queued" | "sent" | "failed" | "expired" | "skipped";
            }[];
            type: string;
        };
        /** @description One entry per step: queued (sent now), scheduled (later) or skipped (with why in GET /events/{id}). */
        EventAccepted: {
            id: string;
            steps: {
                /**
                 * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
                 * @example sms
                 * @enum {string}
                 */
                channel: "sms" | "email" | "inapp";
                index: number;
                /** @enum {string} */
                status: "scheduled" | "queued" | "sent" | "failed" | "expired" | "skipped";
            }[];
            type: string;
        };
        /**
         * @example {
         *       "channel": "sms",
         *       "text": "Your receipt {{ receipt }} is ready",
         *       "delaySeconds": 600
         *     }
         */
        EventStep: {
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel: "sms" | "email" | "inapp";
            /**
             * @description Seconds after the event, 0 (the default) to 86400.
             * @example 600
             */
            delaySeconds?: number;
            /** @description E-mail only: the html part, a template whose every output is HTML-escaped. */
            html?: string;
            /** @description E-mail only, and required there: the subject, a template. */
            subject?: string;
            /** @description A Liquid template: the SMS, the e-mail's plain-text part, or the in-app message's text. Variables: the client's and the event's `variables`. */
            text: string;
            /** @description In-app only, and required there: the title, a template. */
            title?: string;
            /** @description Skip this step (status skipped, reason read) when the in-app item of an earlier step of the same event has been read by the time it is due. */
            unlessRead?: boolean;
            /** @description In-app only: an https: URL or a path of the app (/...), a template. */
            url?: string;
        };
        EventType: {
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            key: string;
            name?: string;
            steps: (components["schemas"]["EventStep"] & {
                delaySeconds: number;
                /** @enum {boolean} */
                unlessRead?: true;
            })[];
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            updatedAt: string;
        };
        EventTypePage: {
            items: components["schemas"]["EventType"][];
            /** @description Opaque: the cursor of the next page of this list; null on the last page */
            nextCursor: string | null;
        };
        InboxCount: {
            unread: number;
        };
        InboxItem: {
            campaignId?: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            id: string;
            noticeId?: string;
            /**
             * Format: date-time
             * @description null while unread
             * @example 2030-01-01T06:00:00.000Z
             */
            readAt: string | null;
            text: string;
            title: string;
            url?: string;
        };
        InboxPage: {
            items: components["schemas"]["InboxItem"][];
            nextCursor: string | null;
            /** @description What status=unread lists over every page, at the moment of this page. */
            unreadCount: number;
        };
        InboxToken: {
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            expiresAt: string;
            /** @description An HS256 JWT whose sub is the client id: the app sends it as Authorization: Bearer <token>. */
            token: string;
        };
        InboxTokenRequest: {
            /** @description How long the token is valid, 60 to 86400 seconds; default 3600. */
            ttlSeconds?: number;
        };
        Message: {
            attempts: number;
            campaignId: string;
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel: "sms" | "email" | "inapp";
            clientId: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            /**
             * @description An e-mail: what SES reported of it (a permanent bounce, a complaint, a delivery), the latest; absent until SES reports.
             * @enum {string}
             */
            delivery?: "delivered" | "bounced" | "complained";
            /** @description Stable across retries; the provider's msgId. */
            id: number;
            lastError?: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            sentAt?: string;
            /** @enum {string} */
            status: "queued" | "sent" | "failed" | "expired" | "cancelled";
        };
        MessagePage: {
            items: components["schemas"]["Message"][];
            /** @description Opaque: the cursor of the next page of this list; null on the last page */
            nextCursor: string | null;
        };
        /** @description text is required on sms, subject on email and title on inapp; subject and html only on email, title and url only on inapp (400 naming the field). */
        NewCampaign: {
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel?: "sms" | "email" | "inapp";
            /**
             * Format: date-time
             * @description After startAt and in the future.
             * @example 2030-01-01T21:00:00+03:00
             */
            endAt: string;
            filter?: components["schemas"]["CampaignFilter"];
            /**
             * @description E-mail only: the html part, a Liquid template whose every {{ }} output is HTML-escaped. Each e-mail part renders to at most 100 KB.
             * @example <p>Hello {{ name }}</p><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
             */
            html?: string;
            /**
             * @description Provider calls for this campaign start at no more than this many a second, over every sender.
             * @example 50
             */
            maxPerSecond?: number;
            recurrence?: components["schemas"]["Recurrence"];
            sendWindow?: components["schemas"]["SendWindow"];
            /**
             * Format: date-time
             * @example 2030-01-01T09:00:00+03:00
             */
            startAt: string;
            /**
             * @description E-mail only, required there: a Liquid template (the variables of text, and unsubscribeUrl), rendered on one line.
             * @example News for {{ name | default: "you" }}
             */
            subject?: string;
            /**
             * @description A Liquid template rendered per client at send time: an SMS's text (at most 1,000 characters), an e-mail's plain-text part, an in-app message's text. Variables: name, phone, tag, operatorCode, timezone, attributes.<key> (and unsubscribeUrl in an e-mail); a syntax error or an unknown variable is refused (400 naming text, with line and column), and so is a text that, rendered once with placeholders, runs past the render limits or past its channel's size (1,600 characters for an SMS). A message that renders past it for its client fails.
             * @example Hello {{ name | default: "friend" }}, news from {{ attributes.city | default: "your city" }}!
             */
            text?: string;
            /**
             * @description In-app only, required there: a Liquid template rendered to at most 200 characters (the in-app text to at most 2,000).
             * @example Hello {{ name }}
             */
            title?: string;
            /**
             * @description In-app only: an https: URL or a path relative to the app (starting with /).
             * @example /orders/42
             */
            url?: string;
        };
        /**
         * @description A phone, an email or both. operatorCode is taken from the phone (digits 2-4) when not given.
         * @example {
         *       "phone": "79001234567",
         *       "email": "anna@example.com",
         *       "timezone": "Europe/Moscow",
         *       "tag": "vip",
         *       "name": "Anna",
         *       "attributes": {
         *         "city": "Kazan"
         *       }
         *     }
         */
        NewClient: {
            /**
             * @description Up to 20 string values (at most 200 characters each) under keys matching ^[a-z][a-z0-9_]{0,31}$; templates read them as attributes.<key>.
             * @example {
             *       "city": "Kazan",
             *       "plan": "gold"
             *     }
             */
            attributes?: {
                [key: string]: string;
            };
            /**
             * Format: email
             * @description At most 254 characters, stored lower-cased; unique among clients like phone.
             * @example anna@example.com
             */
            email?: string;
            /** @example Anna */
            name?: string;
            /** @example 900 */
            operatorCode?: string;
            /**
             * @description Default false, or true when the phone is on the suppression list (a client opted out with it before); false here lifts that.
             * @example false
             */
            optedOut?: boolean;
            /**
             * @description Default none, or ["email"] when the e-mail address is on the suppression list; given here, it is taken as it is (an address it leaves out comes off the list).
             * @example [
             *       "email"
             *     ]
             */
            optOuts?: ("sms" | "email" | "inapp")[];
            /** @example 79001234567 */
            phone?: string;
            /** @example vip */
            tag?: string;
            /** @example Europe/Moscow */
            timezone: string;
        };
        /**
         * @example {
         *       "type": "payment.receipt",
         *       "clientId": "k3Jd9sQ0aB1xYz2w",
         *       "variables": {
         *         "receipt": "R-1042"
         *       }
         *     }
         */
        NewEvent: {
            /** @description The client the event is about; or give phone or email instead. */
            clientId?: string;
            /**
             * Format: email
             * @description The client's e-mail address, instead of clientId.
             * @example anna@example.com
             */
            email?: string;
            /** @example 79001234567 */
            phone?: string;
            /** @example payment.receipt */
            type: string;
            /**
             * @description Up to 20 more template variables (strings of at most 500 characters, numbers or booleans), added to the client's; one with a client variable's name wins over it.
             * @example {
             *       "receipt": "R-1042"
             *     }
             */
            variables?: {
                [key: string]: string | number | boolean;
            };
        };
        /**
         * @description 1 to 5 steps, each checked for its channel as a campaign's template is (400 naming steps[i].field).
         * @example {
         *       "name": "Payment receipt",
         *       "steps": [
         *         {
         *           "channel": "sms",
         *           "text": "Your receipt {{ receipt }} is ready"
         *         }
         *       ]
         *     }
         */
        NewEventType: {
            /** @example Payment receipt */
            name?: string;
            steps: components["schemas"]["EventStep"][];
        };
        /**
         * @description One message to one client on a channel (default sms), sent at once. Give clientId, phone or email. A client opted out of the channel, or whose address for it is suppressed, is 409; one with no address on it is 409 with unreachable in the detail.
         * @example {
         *       "clientId": "k3Jd9sQ0aB1xYz2w",
         *       "text": "Your receipt {{ receipt }} is ready",
         *       "variables": {
         *         "receipt": "R-1042"
         *       }
         *     }
         */
        NewNotice: {
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel?: "sms" | "email" | "inapp";
            /**
             * @description The client to notify; or give phone instead.
             * @example k3Jd9sQ0aB1xYz2w
             */
            clientId?: string;
            /**
             * Format: email
             * @description The client's e-mail address, instead of clientId.
             * @example anna@example.com
             */
            email?: string;
            /**
             * @description E-mail only: the html part, a Liquid template whose every {{ }} output is HTML-escaped. Each e-mail part renders to at most 100 KB.
             * @example <p>Hello {{ name }}</p><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
             */
            html?: string;
            /**
             * @description The client's phone, instead of clientId.
             * @example 79001234567
             */
            phone?: string;
            /**
             * @description E-mail only, required there: a Liquid template (the variables of text, and unsubscribeUrl), rendered on one line.
             * @example News for {{ name | default: "you" }}
             */
            subject?: string;
            /**
             * @description A Liquid template rendered for the client when the notice is posted: an SMS's text (at most 1,000 characters, required), an e-mail's plain-text part, an in-app message's text. Variables: the client's (name, phone, tag, operatorCode, timezone, attributes.<key>), those in `variables`, and unsubscribeUrl in an e-mail; a syntax error, an unknown variable or a rendering past the channel's size (1,600 characters for an SMS) is refused (400 naming the field).
             * @example Hello {{ name | default: "friend" }}, your receipt {{ receipt }} is ready
             */
            text?: string;
            /**
             * @description In-app only, required there: a Liquid template rendered to at most 200 characters (the in-app text to at most 2,000).
             * @example Hello {{ name }}
             */
            title?: string;
            /**
             * @description In-app only: an https: URL or a path relative to the app (starting with /).
             * @example /orders/42
             */
            url?: string;
            /**
             * @description Up to 20 more template variables (strings of at most 500 characters, numbers or booleans), added to the client's; one with a client variable's name wins over it.
             * @example {
             *       "receipt": "R-1042"
             *     }
             */
            variables?: {
                [key: string]: string | number | boolean;
            };
        };
        Notice: {
            attempts: number;
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel: "sms" | "email" | "inapp";
            clientId: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            createdAt: string;
            /**
             * @description An e-mail: what SES reported of it (a permanent bounce, a complaint, a delivery), the latest; absent until SES reports.
             * @enum {string}
             */
            delivery?: "delivered" | "bounced" | "complained";
            /**
             * @description The provider's msgId: notices count from 1, below every campaign message id (2^31 and up).
             * @example 1
             */
            id: number;
            lastError?: string;
            /**
             * Format: date-time
             * @example 2030-01-01T06:00:00.000Z
             */
            sentAt?: string;
            /** @enum {string} */
            status: "queued" | "sent" | "failed" | "expired" | "cancelled";
        };
        NoticeAccepted: {
            /**
             * @description The provider's msgId: notices count from 1, below every campaign message id (2^31 and up).
             * @example 1
             */
            id: number;
            /** @enum {string} */
            status: "queued";
        };
        /** @description A page of campaigns with their counts, and the counts over all campaigns. */
        OverallStats: {
            /** @description One page of campaigns (limit, cursor). */
            campaigns: components["schemas"]["CampaignSummary"][];
            counts: components["schemas"]["Counts"] & unknown;
            /** @description Opaque: the cursor of the next page of campaigns; null on the last page */
            nextCursor: string | null;
            total: number;
        };
        Preview: {
            /**
             * @description SMS: GSM-7 septets (extension characters such as € count 2) or UCS-2 code units (an emoji counts 2).
             * @example 11
             */
            characters?: number;
            /**
             * @description SMS: GSM-7 when every character is in the GSM 03.38 basic set or its extension table.
             * @enum {string}
             */
            encoding?: "GSM-7" | "UCS-2";
            /** @description E-mail: the rendered html part, every output HTML-escaped. */
            html?: string;
            /**
             * @description SMS: parts, 160 per single message, 153 per part in GSM-7; 70 and 67 in UCS-2.
             * @example 1
             */
            segments?: number;
            /** @description E-mail: the rendered subject. */
            subject?: string;
            /**
             * @description The rendered text (an e-mail: its plain-text part).
             * @example Hello Anna!
             */
            text: string;
            /** @description In-app: the rendered title. */
            title?: string;
            /** @description In-app: the link. */
            url?: string;
        };
        /**
         * @description The content of a campaign on its channel (default sms), answered rendered: an SMS with its encoding, characters and segments; an e-mail as subject, text and html; an in-app message as title, text and url.
         * @example {
         *       "text": "Hello {{ name }}!",
         *       "clientId": "k3Jd9sQ0aB1xYz2w"
         *     }
         */
        PreviewRequest: {
            /**
             * @description What the messages go out on: sms (the default), email or inapp (an item of the client inbox).
             * @example sms
             * @enum {string}
             */
            channel?: "sms" | "email" | "inapp";
            /** @description Render for this client; without it each variable shows as a placeholder such as <name>. */
            clientId?: string;
            /** @description The content is an event type's step (PUT /event-types/{key}): its templates may read any further variable, which each event's variables give (POST /events), and each shows as a placeholder such as <orderId>, also with a clientId. */
            eventStep?: boolean;
            /**
             * @description E-mail only: the html part, a Liquid template whose every {{ }} output is HTML-escaped. Each e-mail part renders to at most 100 KB.
             * @example <p>Hello {{ name }}</p><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
             */
            html?: string;
            /**
             * @description E-mail only, required there: a Liquid template (the variables of text, and unsubscribeUrl), rendered on one line.
             * @example News for {{ name | default: "you" }}
             */
            subject?: string;
            /**
             * @description A Liquid template rendered per client at send time: an SMS's text (at most 1,000 characters), an e-mail's plain-text part, an in-app message's text. Variables: name, phone, tag, operatorCode, timezone, attributes.<key> (and unsubscribeUrl in an e-mail); a syntax error or an unknown variable is refused (400 naming text, with line and column), and so is a text that, rendered once with placeholders, runs past the render limits or past its channel's size (1,600 characters for an SMS). A message that renders past it for its client fails.
             * @example Hello {{ name | default: "friend" }}, news from {{ attributes.city | default: "your city" }}!
             */
            text?: string;
            /**
             * @description In-app only, required there: a Liquid template rendered to at most 200 characters (the in-app text to at most 2,000).
             * @example Hello {{ name }}
             */
            title?: string;
            /**
             * @description In-app only: an https: URL or a path relative to the app (starting with /).
             * @example /orders/42
             */
            url?: string;
        };
        /** @description RFC 9457 problem details, served as application/problem+json. */
        Problem: {
            detail: string;
            /** @description Each offending field by dotted path. */
            errors: {
                field: string;
                message: string;
            }[];
            /** @description The request path. */
            instance: string;
            requestId?: string;
            status: number;
            title: string;
            /** @example urn:herald:problem:invalid-request */
            type: string;
        };
        /**
         * @description Each occurrence between startAt and endAt starts a run: a campaign of its own (recurringId set) sending in [occurrence, occurrence + runMinutes], capped at endAt. Exactly one of cron and rate.
         * @example {
         *       "cron": "0 10 * * 1",
         *       "timezone": "Europe/Moscow",
         *       "runMinutes": 120
         *     }
         */
        Recurrence: {
            /**
             * @description Five fields: minute hour day-of-month month day-of-week (0 or 7 is Sunday), read in timezone. Not both day-of-month and day-of-week.
             * @example 0 10 * * 1
             */
            cron?: string;
            /**
             * @description Instead of cron: "<value> <unit>", unit minute(s), hour(s) or day(s), counted from startAt.
             * @example 1 hour
             */
            rate?: string;
            /**
             * @description How long each run sends, at most the interval between occurrences; default that interval.
             * @example 120
             */
            runMinutes?: number;
            /**
             * @description IANA time zone the cron is read in; default UTC.
             * @example Europe/Moscow
             */
            timezone?: string;
        };
        /** @description Messages go out only while the client's local time (its timezone, daylight saving included) is in [from, to); from after to spans midnight. */
        SendWindow: {
            /** @example 09:00 */
            from: string;
            /** @example 21:00 */
            to: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
