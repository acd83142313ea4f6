/**
 * Turns any text (a namespace, a queue name) into a safe folder name: every
 * character other than a letter, digit or `-` becomes `_` plus four hex
 * digits. No `.` (so no `..`) and no `%` (an `<image src>` might decode it)
 * survive, and distinct texts stay distinct.
 */
export function toPathSegment(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, (char) => `_${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
