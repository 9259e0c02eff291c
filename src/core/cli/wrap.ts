/** Wrapping for --help: prose at word boundaries, and commands at shell-word boundaries with ` \`. */

/** Greedy word wrap; lines after the first start with `indent` (counted in the width). */
export function wrapWords(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const prefix = lines.length === 0 ? "" : indent;
    if (line !== "" && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push((lines.length === 0 ? "" : indent) + line);
  return lines;
}

/** A command line's words as written (quotes kept), so a wrapped command still pastes as the same argv. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: string | null = null;
  for (const c of command) {
    if (quote !== null) {
      word += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      word += c;
      quote = c;
    } else if (/\s/.test(c)) {
      if (word !== "") words.push(word);
      word = "";
    } else word += c;
  }
  if (word !== "") words.push(word);
  return words;
}

/** A command wrapped to `width` with shell continuations (` \`), continued lines indented by 4. */
export function wrapCommand(command: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of shellWords(command)) {
    const prefix = lines.length === 0 ? "" : "    ";
    // Room for the word and, unless it ends the command, a trailing ` \`.
    if (line !== "" && prefix.length + line.length + 1 + word.length + 2 > width) {
      lines.push(`${prefix}${line} \\`);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push((lines.length === 0 ? "" : "    ") + line);
  return lines;
}
