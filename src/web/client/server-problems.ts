/** Where a problem shows: a field of the editor, the photo, next to Save, or a placement (by index). No DOM types: a unit test reads this module. */
type ProblemTarget = "id" | "name" | "room" | "photo" | "save" | number;
export interface PlacedProblem {
  target: ProblemTarget;
  text: string;
}

// zod's words for common shape problems, and what they mean to a seller.
const PLAIN: Array<[RegExp, string]> = [
  [/^Invalid input: expected \w+, received undefined$/, "is missing"],
  [/^Invalid input: expected (\w+), received \w+$/, "has the wrong kind of value"],
  [/^Too small: expected string to have >=1 characters?$/, "is empty"],
  [/^Too big: expected string to have <=(\d+) characters?$/, "is too long"],
  [/^lower-case letters, digits, - and _ only$/, "may only use lower-case letters, digits, - and _"],
  [/^letters, digits, - and _ only$/, "may only use letters, digits, - and _"],
];

// A message that reads on after its subject ("The id" + "is missing"); others are whole sentences.
const PREDICATE = /^(is|has|may|must|needs)\b/;

const FIELD_WORDS: Record<string, string> = { id: "The id", name: "The name", room: "The room", background: "The photo", width: "The width", height: "The height" };

/**
 * The server's problem lines ("placements.0.corners: …", "id: Invalid input: …") as plain
 * sentences next to what they concern; a line it cannot place goes next to Save.
 */
export function placeServerProblems(lines: string[]): PlacedProblem[] {
  return lines.map((line) => {
    const at = line.indexOf(": ");
    const path = at > 0 ? line.slice(0, at) : "";
    let message = at > 0 ? line.slice(at + 2) : line;
    for (const [pattern, plain] of PLAIN) if (pattern.test(message)) message = plain;
    const placement = /^placements\.(\d+)(?:\.(\w+))?/.exec(path);
    let target: ProblemTarget = "save";
    let subject = "";
    if (placement) {
      target = Number(placement[1]);
      subject = placement[2] ? `The ${placement[2] === "corners" ? "corners" : placement[2]}` : "";
    } else if (path in FIELD_WORDS) {
      target = path === "id" || path === "name" || path === "room" ? path : "photo";
      subject = FIELD_WORDS[path]!;
    }
    const sentence = subject && PREDICATE.test(message) ? `${subject} ${message}` : capitalise(message);
    const text = /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
    return { target, text };
  });
}

const capitalise = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
