/**
 * Passes gunicorn's output through unchanged (chunk by chunk, as it came) while handing every complete
 * line to a parser. A line longer than `maxLine` without a newline is cut, so a runaway writer cannot
 * grow the buffer.
 */

export interface LineRelay {
  /** One chunk of output: written through, then split into lines for `onLine`. */
  push(text: string): void;
  /** The end of the stream: a last line without a newline is delivered. */
  end(): void;
}

const MAX_LINE = 64 * 1024;

/** A relay writing chunks to `write` and complete lines to `onLine`. */
export function createLineRelay(
  write: (text: string) => void,
  onLine: (line: string) => void,
  maxLine = MAX_LINE,
): LineRelay {
  let partial = "";
  return {
    push(text) {
      write(text);
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
      if (partial.length > maxLine) {
        onLine(partial.slice(0, maxLine));
        partial = "";
      }
    },
    end() {
      if (partial !== "") onLine(partial);
      partial = "";
    },
  };
}
