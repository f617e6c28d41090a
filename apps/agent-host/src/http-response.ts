/** A framework-free HTTP response: mount it on any server (`new Response(body, { status, headers })`). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}
