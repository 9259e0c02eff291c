/**
 * The flags that say which requests to send, declared once for `profile` (it times them) and `lab` (it
 * loads them): paths or methods, bodies and headers in order, or a `.http` request list.
 */
import { defineFlags } from "./flags.js";

export const REQUEST_FLAGS = defineFlags({
  url: {
    type: "string",
    repeat: true,
    placeholder: "REQUEST",
    description: "Request to send: a path (GET) or 'METHOD /path' (default /)",
  },
  data: {
    type: "string",
    repeat: true,
    placeholder: "BODY",
    description: "Body of the --url before it: text or @file (makes a bare --url a POST)",
  },
  header: {
    type: "string",
    repeat: true,
    placeholder: "'NAME: VALUE'",
    description: "Header of the --url before it",
  },
  requests: {
    type: "string",
    repeat: true,
    placeholder: "FILE",
    description: "A request list (.http: METHOD /path, headers, blank line, body; ### between requests)",
  },
});
